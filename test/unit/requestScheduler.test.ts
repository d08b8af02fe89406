/**
 * The request scheduler in virtual time: the rate limit is kept, concurrency is bounded, backoff
 * stays within its full-jitter bounds, Retry-After is honoured, cancellation reports items
 * cancelled, and every item gets exactly one outcome.
 */
import assert from 'node:assert/strict';
import { AnnotationError } from '../../src/core/annotate/annotator.ts';
import type { AnnotationResult } from '../../src/core/annotate/annotator.ts';
import { RequestScheduler, defaultConcurrency, retryDelayMs } from '../../src/core/annotate/cloud/requestScheduler.ts';
import type {
  ScheduledOutcome,
  SchedulerClock,
  SchedulerOptions,
} from '../../src/core/annotate/cloud/requestScheduler.ts';

/** Virtual time: sleeps are timers fired in order whenever everything else is idle. */
class FakeClock implements SchedulerClock {
  time = 0;
  private timers: { at: number; seq: number; resolve: () => void }[] = [];
  private seq = 0;

  now(): number {
    return this.time;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = { at: this.time + Math.max(0, ms), seq: this.seq++, resolve };
      this.timers.push(timer);
      signal?.addEventListener(
        'abort',
        () => {
          this.timers = this.timers.filter((t) => t !== timer);
          resolve();
        },
        { once: true },
      );
    });
  }

  /** Runs until the promise settles, firing timers (and `at` callbacks) in time order. */
  async run<T>(promise: Promise<T>, events: { at: number; fn: () => void }[] = []): Promise<T> {
    let settled = false;
    const result = promise.finally(() => {
      settled = true;
    });
    const pending = [...events].sort((a, b) => a.at - b.at);
    for (;;) {
      for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
      if (settled) return result;
      this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const timer = this.timers[0];
      const event = pending[0];
      if (event && (!timer || event.at <= timer.at)) {
        pending.shift();
        this.time = Math.max(this.time, event.at);
        event.fn();
        continue;
      }
      if (!timer) throw new Error('deadlock: nothing to wait for and the run is not over');
      this.timers.shift();
      this.time = timer.at;
      timer.resolve();
    }
  }
}

function ok(tag: string): AnnotationResult {
  return {
    model: 'fake:m',
    version: 'v',
    kind: 'tags',
    params: {},
    at: '',
    tags: [{ name: tag, category: 'general', confidence: 1 }],
  };
}

function scheduler(clock: FakeClock, options: Partial<SchedulerOptions> = {}): RequestScheduler {
  return new RequestScheduler({ rpm: 60, concurrency: 4, clock, random: () => 0.5, ...options });
}

describe('request scheduler', () => {
  it('keeps the rate limit: evenly spaced slots, every item once', async () => {
    const clock = new FakeClock();
    const s = scheduler(clock, { rpm: 120, concurrency: 8 });
    const starts: number[] = [];
    const items = Array.from({ length: 50 }, (_, i) => i);
    const outcomes: ScheduledOutcome<number>[] = [];
    const summary = await clock.run(
      s.runAll(
        items,
        async (i) => {
          starts.push(clock.now());
          await clock.sleep(1500);
          return ok(String(i));
        },
        (o) => {
          outcomes.push(o);
        },
      ),
    );
    assert.deepEqual(summary, { done: 50, failed: 0, cancelled: 0 });
    assert.deepEqual(
      outcomes.map((o) => o.item).sort((a, b) => a - b),
      items,
    );
    for (let i = 1; i < starts.length; i++)
      assert.ok(starts[i]! - starts[i - 1]! >= 500 - 1e-9, `gap ${starts[i]! - starts[i - 1]!} at ${i}`);
    // 50 requests at 2 per second: the last starts at 24.5 s, and no later (the rate is reached).
    assert.equal(starts[49], 24_500);
    // In any 60 s window at most rpm requests.
    for (let i = 0; i < starts.length; i++)
      assert.ok(starts.filter((t) => t >= starts[i]! && t < starts[i]! + 60_000).length <= 120);
  });

  it('a burst lets that many go at once after a quiet spell, then the rate holds', async () => {
    const clock = new FakeClock();
    const s = scheduler(clock, { rpm: 60, concurrency: 10, burst: 5 });
    const starts: number[] = [];
    await clock.run(
      s.runAll(
        Array.from({ length: 8 }, (_, i) => i),
        async () => {
          starts.push(clock.now());
          return ok('x');
        },
        () => {},
      ),
    );
    assert.deepEqual(starts, [0, 0, 0, 0, 0, 1000, 2000, 3000]);
  });

  it('never has more calls in flight than the concurrency', async () => {
    const clock = new FakeClock();
    const s = scheduler(clock, { rpm: 0, concurrency: 3 });
    let inFlight = 0;
    let peak = 0;
    const summary = await clock.run(
      s.runAll(
        Array.from({ length: 20 }, (_, i) => i),
        async (i) => {
          inFlight++;
          peak = Math.max(peak, inFlight);
          await clock.sleep(100 + (i % 4) * 50);
          inFlight--;
          return ok('x');
        },
        () => {},
      ),
    );
    assert.equal(summary.done, 20);
    assert.equal(peak, 3);
  });

  it('retries retryable errors with full-jitter backoff, and stops at maxAttempts', async () => {
    const clock = new FakeClock();
    const delays: number[] = [];
    const s = scheduler(clock, {
      rpm: 0,
      maxAttempts: 4,
      baseDelayMs: 1000,
      maxDelayMs: 5000,
      random: () => 0.999,
      onRetry: (r) => delays.push(r.delayMs),
    });
    let calls = 0;
    const out = await clock.run(
      s.run(async () => {
        calls++;
        return new AnnotationError('server', 'boom');
      }),
    );
    assert.ok(out instanceof AnnotationError && out.failure === 'server');
    assert.equal(calls, 4);
    assert.deepEqual(
      delays.map((d) => Math.round(d)),
      [999, 1998, 3996],
    );
    assert.equal(s.retries, 3);
  });

  it('full jitter: delays are uniform in [0, min(cap, base * 2^(n-1)))', () => {
    const err = new AnnotationError('timeout', 't');
    for (let attempt = 1; attempt <= 10; attempt++) {
      const ceiling = Math.min(60_000, 1000 * 2 ** (attempt - 1));
      assert.equal(
        retryDelayMs(attempt, err, {}, () => 0),
        0,
      );
      assert.ok(retryDelayMs(attempt, err, {}, () => 0.999999) < ceiling);
      assert.ok(retryDelayMs(attempt, err, {}, () => 0.999999) > ceiling * 0.99);
      for (let k = 0; k < 50; k++) {
        const d = retryDelayMs(attempt, err, {});
        assert.ok(d >= 0 && d < ceiling);
      }
    }
  });

  it('honours Retry-After instead of the backoff', async () => {
    const clock = new FakeClock();
    const s = scheduler(clock, { rpm: 0 });
    const times: number[] = [];
    const answers = [
      new AnnotationError('rate-limit', '429', { retryAfterSeconds: 7 }),
      new AnnotationError('rate-limit', '429', { retryAfterSeconds: 0.25 }),
      ok('done'),
    ];
    const out = await clock.run(
      s.run(async () => {
        times.push(clock.now());
        return answers.shift()!;
      }),
    );
    assert.ok(!(out instanceof AnnotationError));
    assert.deepEqual(times, [0, 7000, 7250]);
  });

  it('a Retry-After longer than maxRetryAfterMs fails the item at once', async () => {
    const clock = new FakeClock();
    const s = scheduler(clock, { rpm: 0, maxRetryAfterMs: 60_000 });
    let calls = 0;
    const out = await clock.run(
      s.run(async () => {
        calls++;
        return new AnnotationError('rate-limit', 'quota', { retryAfterSeconds: 86_400 });
      }),
    );
    assert.ok(out instanceof AnnotationError && out.failure === 'rate-limit');
    assert.equal(calls, 1);
  });

  it('does not retry what is not retryable; exceptions become AnnotationErrors', async () => {
    const clock = new FakeClock();
    const s = scheduler(clock, { rpm: 0 });
    const outcomes: ScheduledOutcome<string>[] = [];
    await clock.run(
      s.runAll(
        ['auth', 'policy', 'throws'],
        async (item) => {
          if (item === 'throws') throw new Error('kaput');
          return new AnnotationError(item as 'auth' | 'policy', item);
        },
        (o) => {
          outcomes.push(o);
        },
      ),
    );
    assert.deepEqual(outcomes.map((o) => [o.item, o.status, o.attempts]).sort(), [
      ['auth', 'failed', 1],
      ['policy', 'failed', 1],
      ['throws', 'failed', 1],
    ]);
    assert.equal(s.requests, 3);
  });

  it('retries happen while other items go on (a waiting item holds no slot)', async () => {
    const clock = new FakeClock();
    const s = scheduler(clock, { rpm: 0, concurrency: 1 });
    const order: string[] = [];
    let first = true;
    await clock.run(
      s.runAll(
        ['a', 'b', 'c'],
        async (item) => {
          order.push(`${item}@${clock.now()}`);
          await clock.sleep(100);
          if (item === 'a' && first) {
            first = false;
            return new AnnotationError('rate-limit', '429', { retryAfterSeconds: 1 });
          }
          return ok(item);
        },
        () => {},
      ),
    );
    assert.deepEqual(order, ['a@0', 'b@100', 'c@200', 'a@1100']);
  });

  it('cancellation: items in flight, waiting to retry and not started are reported cancelled, none failed or lost', async () => {
    const clock = new FakeClock();
    const controller = new AbortController();
    const s = scheduler(clock, { rpm: 60, concurrency: 2 });
    const outcomes: ScheduledOutcome<number>[] = [];
    const items = Array.from({ length: 30 }, (_, i) => i);
    const summary = await clock.run(
      s.runAll(
        items,
        async (i, signal) => {
          if (i === 1) return new AnnotationError('server', '500');
          await clock.sleep(1500, signal);
          if (signal?.aborted) return new AnnotationError('other', 'aborted');
          return ok(String(i));
        },
        (o) => {
          outcomes.push(o);
        },
        controller.signal,
      ),
      [{ at: 5200, fn: () => controller.abort() }],
    );
    assert.equal(outcomes.length, 30);
    assert.deepEqual(
      outcomes.map((o) => o.item).sort((a, b) => a - b),
      items,
    );
    assert.equal(summary.failed, 0);
    assert.ok(summary.done >= 3 && summary.done <= 5, `done ${summary.done}`);
    assert.equal(summary.cancelled, 30 - summary.done);
    assert.equal(outcomes.find((o) => o.item === 1)!.status, 'cancelled');
    assert.ok(clock.now() < 7000, 'cancellation does not wait for the rate limit or backoff');
  });

  it('run() gives a cancelled error when the signal is already aborted, without calling', async () => {
    const s = new RequestScheduler({ rpm: 60, concurrency: 1 });
    const controller = new AbortController();
    controller.abort();
    let called = false;
    const out = await s.run(async () => {
      called = true;
      return ok('x');
    }, controller.signal);
    assert.ok(out instanceof AnnotationError && out.name === 'AnnotationCancelled');
    assert.equal(called, false);
  });

  it('no lost or duplicated items under random failures, from an async iterable', async () => {
    const clock = new FakeClock();
    let seed = 42;
    const random = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const s = new RequestScheduler({ rpm: 600, concurrency: 8, clock, random, maxAttempts: 20 });
    async function* source(): AsyncGenerator<number> {
      for (let i = 0; i < 300; i++) {
        if (i % 50 === 0) await clock.sleep(10);
        yield i;
      }
    }
    const seen = new Map<number, number>();
    const calls = new Map<number, number>();
    const summary = await clock.run(
      s.runAll(
        source(),
        async (i) => {
          calls.set(i, (calls.get(i) ?? 0) + 1);
          await clock.sleep(200 + random() * 800);
          const r = random();
          if (r < 0.1) return new AnnotationError('rate-limit', '429', { retryAfterSeconds: 1 });
          if (r < 0.2) return new AnnotationError('server', '500');
          return ok(String(i));
        },
        (o) => {
          seen.set(o.item, (seen.get(o.item) ?? 0) + 1);
        },
      ),
    );
    assert.deepEqual(summary, { done: 300, failed: 0, cancelled: 0 });
    assert.equal(seen.size, 300);
    assert.ok([...seen.values()].every((n) => n === 1));
    assert.equal(
      s.requests,
      [...calls.values()].reduce((a, b) => a + b, 0),
    );
    // 600/min = 10/s: the requests (retries included) took at least requests / 10 seconds.
    assert.ok(clock.now() >= ((s.requests - 1) / 10) * 1000);
  });

  it('defaultConcurrency covers the rate at a slow latency', () => {
    assert.equal(defaultConcurrency(600), 64);
    assert.equal(defaultConcurrency(60), 8);
    assert.equal(defaultConcurrency(5), 2);
    assert.equal(defaultConcurrency(0), 8);
  });
});
