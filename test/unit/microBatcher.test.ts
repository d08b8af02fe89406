import assert from 'node:assert/strict';
import { mock } from 'node:test';
import { MicroBatcher } from '../../src/core/jobs/microBatcher.ts';

/** Lets settled promises run their continuations (no timers involved). */
const microtasks = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('micro-batcher', () => {
  // Virtual time: a batch's wait runs on mocked setTimeout, so no test depends on how busy the machine is.
  beforeEach(() => mock.timers.enable({ apis: ['setTimeout'] }));
  afterEach(() => mock.timers.reset());

  it('sends items arriving together as full batches, and a partial one after a pause', async () => {
    const batches: number[][] = [];
    const batcher = new MicroBatcher<number, string>(
      3,
      async (items) => {
        batches.push(items);
        return items.map((i) => (i === 4 ? new Error('item 4 failed') : `r${i}`));
      },
      10,
    );
    const outcomes = Promise.allSettled([1, 2, 3, 4, 5].map((i) => batcher.add(i)));
    assert.deepEqual(batches, [[1, 2, 3]], 'a full batch goes at once');
    mock.timers.tick(9);
    assert.deepEqual(batches, [[1, 2, 3]], 'the partial batch waits for the pause');
    mock.timers.tick(1);
    assert.deepEqual(batches, [
      [1, 2, 3],
      [4, 5],
    ]);
    assert.deepEqual(
      (await outcomes).map((o) => (o.status === 'fulfilled' ? o.value : (o.reason as Error).message)),
      ['r1', 'r2', 'r3', 'item 4 failed', 'r5'],
    );
  });

  it('waits again after each new item, so items arriving close together share a batch', async () => {
    const batches: number[][] = [];
    const batcher = new MicroBatcher<number, number>(
      4,
      async (items) => {
        batches.push(items);
        return items;
      },
      10,
    );
    const first = batcher.add(1);
    mock.timers.tick(8);
    const second = batcher.add(2);
    mock.timers.tick(8);
    assert.deepEqual(batches, [], 'the second item restarted the wait');
    mock.timers.tick(2);
    assert.deepEqual(batches, [[1, 2]]);
    assert.deepEqual(await Promise.all([first, second]), [1, 2]);
  });

  it('takes out items aborted before their batch starts, and cancels a batch whose items are all aborted', async () => {
    const batches: number[][] = [];
    let batchSignal: AbortSignal | undefined;
    const batcher = new MicroBatcher<number, number>(
      4,
      (items, signal) => {
        batches.push(items);
        batchSignal = signal;
        return new Promise((resolve, reject) =>
          signal.addEventListener('abort', () => reject(Object.assign(new Error('cancelled'), { name: 'AbortError' }))),
        );
      },
      5,
    );
    const early = new AbortController();
    const late = new AbortController();
    const first = batcher.add(1, early.signal);
    early.abort();
    const second = batcher.add(2, late.signal);
    assert.deepEqual(batches, []);
    mock.timers.tick(5);
    await assert.rejects(first, { name: 'AbortError' });
    assert.deepEqual(batches, [[2]], 'the batch started without the aborted item');
    await microtasks();
    assert.equal(batchSignal?.aborted, false);
    late.abort();
    await assert.rejects(second, /cancelled/);
    assert.equal(batchSignal?.aborted, true);
  });
});
