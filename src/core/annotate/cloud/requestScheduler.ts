/**
 * Runs annotate calls against a provider within its limits: a requests-per-minute rate (a token
 * bucket, evenly spaced slots by default), a maximum of calls in flight, and retries of retryable
 * AnnotationErrors with exponential backoff and full jitter, waiting what Retry-After asks instead
 * when the provider says. Cancellation by AbortSignal: a cancelled item is reported cancelled, not
 * failed. The clock, sleep and random source can be injected, so tests run in virtual time.
 */
import { AnnotationError } from '../annotator.ts';
import type { AnnotationResult } from '../annotator.ts';
import { AnnotationCancelled } from './cloudErrors.ts';

/** Time as the scheduler sees it. `sleep` resolves early (without error) when the signal aborts. */
export interface SchedulerClock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** The real clock: performance.now() and setTimeout. */
export const realClock: SchedulerClock = {
  now: () => performance.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted || ms <= 0) return resolve();
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener('abort', done, { once: true });
    }),
};

/** Scheduler settings. */
export interface SchedulerOptions {
  /** Requests per minute; 0 or Infinity for no limit. Retries count as requests. */
  rpm: number;
  /** Calls in flight at most. */
  concurrency: number;
  /** Attempts per item, the first included (default 5). */
  maxAttempts?: number;
  /** Backoff base: the first retry waits up to this (default 1 s). */
  baseDelayMs?: number;
  /** Backoff cap (default 60 s). */
  maxDelayMs?: number;
  /** A Retry-After longer than this is not waited for: the item fails (default 10 min). */
  maxRetryAfterMs?: number;
  /** Requests that may go at once after a quiet spell (token bucket capacity; default 1: evenly spaced). */
  burst?: number;
  /** Items a runAll keeps under way at once, calls and backoff waits together (default 2 x concurrency + 8). */
  maxPending?: number;
  clock?: SchedulerClock;
  /** Uniform in [0, 1) (default Math.random). */
  random?: () => number;
  /** Told before each retry wait. */
  onRetry?: (info: { attempt: number; delayMs: number; error: AnnotationError }) => void;
}

/** What became of one item. */
export type ScheduledOutcome<T> =
  | { status: 'done'; item: T; result: AnnotationResult; attempts: number }
  | { status: 'failed'; item: T; error: AnnotationError; attempts: number }
  | { status: 'cancelled'; item: T; attempts: number };

/** Counts of a runAll. */
export interface RunSummary {
  done: number;
  failed: number;
  cancelled: number;
}

/** One call to a provider: resolves with a result or an AnnotationError (throwing works too). */
export type ScheduledCall = (signal?: AbortSignal) => Promise<AnnotationResult | AnnotationError>;

/**
 * How long to wait before retry number `attempt` (1 for the first retry): the Retry-After the error
 * carries, else full jitter, uniform in [0, min(cap, base * 2^(attempt-1))).
 */
export function retryDelayMs(
  attempt: number,
  error: AnnotationError,
  options: { baseDelayMs?: number; maxDelayMs?: number },
  random: () => number = Math.random,
): number {
  if (error.retryAfterSeconds !== undefined && Number.isFinite(error.retryAfterSeconds) && error.retryAfterSeconds >= 0)
    return error.retryAfterSeconds * 1000;
  const ceiling = Math.min(options.maxDelayMs ?? 60_000, (options.baseDelayMs ?? 1000) * 2 ** Math.max(0, attempt - 1));
  return random() * ceiling;
}

/** Whether a call's outcome is a cancellation rather than a failure. */
function isCancelled(outcome: unknown, signal: AbortSignal | undefined): boolean {
  return outcome instanceof AnnotationCancelled || signal?.aborted === true;
}

/** Calls within a rate limit and a concurrency limit, with retries; one scheduler per provider (or per API key). */
export class RequestScheduler {
  /** Requests sent (retries included). */
  requests = 0;
  /** Retries waited for. */
  retries = 0;
  private readonly options: SchedulerOptions;
  private readonly clock: SchedulerClock;
  private readonly random: () => number;
  private readonly interval: number;
  private readonly burst: number;
  /** Theoretical arrival time of the next request (GCRA form of the token bucket). */
  private tat = Number.NEGATIVE_INFINITY;
  private active = 0;
  private readonly waiters: (() => void)[] = [];

  constructor(options: SchedulerOptions) {
    if (!(options.concurrency >= 1)) throw new Error('concurrency must be at least 1.');
    if (!(options.rpm >= 0)) throw new Error('rpm must not be negative.');
    this.options = options;
    this.clock = options.clock ?? realClock;
    this.random = options.random ?? Math.random;
    this.interval = options.rpm > 0 && Number.isFinite(options.rpm) ? 60_000 / options.rpm : 0;
    this.burst = Math.max(1, Math.floor(options.burst ?? 1));
  }

  /** Calls in flight now. */
  get inFlight(): number {
    return this.active;
  }

  /** Runs one call: waits for a free slot and the rate limit, retries what may be retried; resolves with the last result or error. */
  async run(call: ScheduledCall, signal?: AbortSignal): Promise<AnnotationResult | AnnotationError> {
    return (await this.attempt(call, signal)).outcome;
  }

  /**
   * Runs every item (each pulled once from `items`) and reports each outcome once, as it comes;
   * resolves when all are reported. After `signal` aborts, the items not yet done are reported
   * cancelled. `onOutcome` may return a promise (the item's worker waits for it).
   */
  async runAll<T>(
    items: Iterable<T> | AsyncIterable<T>,
    call: (item: T, signal?: AbortSignal) => Promise<AnnotationResult | AnnotationError>,
    onOutcome: (outcome: ScheduledOutcome<T>) => void | Promise<void>,
    signal?: AbortSignal,
  ): Promise<RunSummary> {
    const iterator =
      Symbol.asyncIterator in items
        ? (items as AsyncIterable<T>)[Symbol.asyncIterator]()
        : (items as Iterable<T>)[Symbol.iterator]();
    const summary: RunSummary = { done: 0, failed: 0, cancelled: 0 };
    let pulling: Promise<unknown> = Promise.resolve();
    let exhausted = false;
    // One pull at a time, so an async iterator is never asked twice at once.
    const next = (): Promise<IteratorResult<T>> => {
      const result = pulling.then(() => (exhausted ? { done: true as const, value: undefined } : iterator.next()));
      pulling = result.then(
        (r) => {
          if (r.done) exhausted = true;
        },
        () => {
          exhausted = true;
        },
      );
      return result;
    };
    const worker = async (): Promise<void> => {
      for (let r = await next(); !r.done; r = await next()) {
        const item = r.value;
        let outcome: ScheduledOutcome<T>;
        if (signal?.aborted) {
          outcome = { status: 'cancelled', item, attempts: 0 };
        } else {
          const { outcome: o, attempts } = await this.attempt((s) => call(item, s), signal);
          outcome = isCancelled(o, signal)
            ? { status: 'cancelled', item, attempts }
            : o instanceof AnnotationError
              ? { status: 'failed', item, error: o, attempts }
              : { status: 'done', item, result: o, attempts };
        }
        summary[outcome.status === 'done' ? 'done' : outcome.status === 'failed' ? 'failed' : 'cancelled']++;
        await onOutcome(outcome);
      }
    };
    const workers = Math.max(1, this.options.maxPending ?? this.options.concurrency * 2 + 8);
    await Promise.all(Array.from({ length: workers }, worker));
    return summary;
  }

  private async attempt(
    call: ScheduledCall,
    signal: AbortSignal | undefined,
  ): Promise<{ outcome: AnnotationResult | AnnotationError; attempts: number }> {
    const maxAttempts = Math.max(1, this.options.maxAttempts ?? 5);
    let attempts = 0;
    for (;;) {
      if (signal?.aborted) return { outcome: new AnnotationCancelled(), attempts };
      if (!(await this.acquire(signal))) return { outcome: new AnnotationCancelled(), attempts };
      let outcome: AnnotationResult | AnnotationError;
      attempts++;
      try {
        if (!(await this.waitForRate(signal))) return { outcome: new AnnotationCancelled(), attempts: attempts - 1 };
        this.requests++;
        outcome = await call(signal);
      } catch (err) {
        outcome =
          err instanceof AnnotationError
            ? err
            : new AnnotationError('other', err instanceof Error ? err.message : String(err), {
                retryable: false,
                cause: err,
              });
      } finally {
        this.release();
      }
      if (signal?.aborted && outcome instanceof AnnotationError)
        return { outcome: new AnnotationCancelled(outcome), attempts };
      if (!(outcome instanceof AnnotationError) || !outcome.retryable || attempts >= maxAttempts)
        return { outcome, attempts };
      const delay = retryDelayMs(attempts, outcome, this.options, this.random);
      if (delay > (this.options.maxRetryAfterMs ?? 600_000)) return { outcome, attempts };
      this.retries++;
      this.options.onRetry?.({ attempt: attempts, delayMs: delay, error: outcome });
      await this.clock.sleep(delay, signal);
    }
  }

  /** Waits for a free concurrency slot; false when cancelled first. */
  private acquire(signal: AbortSignal | undefined): Promise<boolean> {
    if (this.active < this.options.concurrency) {
      this.active++;
      return Promise.resolve(true);
    }
    return new Promise<boolean>((resolve) => {
      const onAbort = (): void => {
        const i = this.waiters.indexOf(grant);
        if (i >= 0) this.waiters.splice(i, 1);
        resolve(false);
      };
      const grant = (): void => {
        signal?.removeEventListener('abort', onAbort);
        this.active++;
        resolve(true);
      };
      this.waiters.push(grant);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  private release(): void {
    this.active--;
    this.waiters.shift()?.();
  }

  /** Reserves the next rate slot and waits for it; false when cancelled first (the slot is given back when it was the last). */
  private async waitForRate(signal: AbortSignal | undefined): Promise<boolean> {
    if (this.interval === 0) return true;
    const now = this.clock.now();
    const tat = Math.max(this.tat, now);
    const at = Math.max(now, tat - (this.burst - 1) * this.interval);
    this.tat = tat + this.interval;
    if (at > now) await this.clock.sleep(at - now, signal);
    if (signal?.aborted) {
      if (this.tat === tat + this.interval) this.tat = tat;
      return false;
    }
    return true;
  }
}

/**
 * Concurrency that keeps `rpm` busy when a call takes about `latencyMs` (default 8 s, a slow vision
 * answer): rate x latency, between 2 and 64.
 */
export function defaultConcurrency(rpm: number, latencyMs = 8000): number {
  if (!(rpm > 0) || !Number.isFinite(rpm)) return 8;
  return Math.min(64, Math.max(2, Math.ceil((rpm / 60_000) * latencyMs)));
}
