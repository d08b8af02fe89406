import assert from 'node:assert/strict';
import { WorkerPool } from '../../src/workers/workerPool.ts';
import type { CancellableSide } from '../../src/workers/workerPool.ts';

interface SleepApi extends CancellableSide {
  requests: {
    sleep: { params: { ms: number }; result: { threadId: number; cancelled: boolean } };
    crash: { params: Record<string, never>; result: null };
  };
  notifications: { cancel: Record<string, never> };
}

const script = new URL('../fixtures/workers/sleepWorker.ts', import.meta.url);

describe('the worker pool', function () {
  this.timeout(20_000);
  let pool: WorkerPool<SleepApi>;
  beforeEach(() => {
    pool = new WorkerPool<SleepApi>(script, 2);
  });
  afterEach(() => pool.destroy());

  it('runs at most `size` requests at once, on separate threads', async () => {
    const started = performance.now();
    const results = await Promise.all(Array.from({ length: 4 }, () => pool.run('sleep', { ms: 150 })));
    const elapsed = performance.now() - started;
    assert.equal(new Set(results.map((r) => r.threadId)).size, 2);
    assert.ok(elapsed >= 290, `4 sleeps of 150 ms on 2 workers took ${elapsed} ms`);
  });

  it('drops a queued request when it is aborted, and cancels a running one', async () => {
    const controller = new AbortController();
    const running = [
      pool.run('sleep', { ms: 2000 }, controller.signal),
      pool.run('sleep', { ms: 2000 }, controller.signal),
    ];
    const queued = pool.run('sleep', { ms: 10 }, controller.signal);
    setTimeout(() => controller.abort(), 50);
    await assert.rejects(queued, (err: Error) => err.name === 'AbortError');
    const results = await Promise.all(running);
    assert.ok(
      results.every((r) => r.cancelled),
      'running requests were told to cancel',
    );
  });

  it('replaces a worker that died and rejects its request', async () => {
    await assert.rejects(pool.run('crash', {}), /closed/);
    const after = await pool.run('sleep', { ms: 1 });
    assert.equal(after.cancelled, false);
  });
});
