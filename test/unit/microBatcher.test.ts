import assert from 'node:assert/strict';
import { MicroBatcher } from '../../src/core/jobs/microBatcher.ts';

describe('micro-batcher', () => {
  it('sends items arriving together as full batches, and a partial one after a pause', async () => {
    const batches: number[][] = [];
    const batcher = new MicroBatcher<number, string>(3, async (items) => {
      batches.push(items);
      return items.map((i) => (i === 4 ? new Error('item 4 failed') : `r${i}`));
    }, 10);
    const outcomes = await Promise.allSettled([1, 2, 3, 4, 5].map((i) => batcher.add(i)));
    assert.deepEqual(batches, [[1, 2, 3], [4, 5]]);
    assert.deepEqual(outcomes.map((o) => (o.status === 'fulfilled' ? o.value : (o.reason as Error).message)), ['r1', 'r2', 'r3', 'item 4 failed', 'r5']);
  });

  it('takes out items aborted before their batch starts, and cancels a batch whose items are all aborted', async () => {
    const batches: number[][] = [];
    let batchSignal: AbortSignal | undefined;
    const batcher = new MicroBatcher<number, number>(4, (items, signal) => {
      batches.push(items);
      batchSignal = signal;
      return new Promise((resolve, reject) => signal.addEventListener('abort', () => reject(Object.assign(new Error('cancelled'), { name: 'AbortError' }))));
    }, 5);
    const early = new AbortController();
    const late = new AbortController();
    const first = batcher.add(1, early.signal);
    early.abort();
    const second = batcher.add(2, late.signal);
    await assert.rejects(first, { name: 'AbortError' });
    await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(batches, [[2]]);
    late.abort();
    await assert.rejects(second, /cancelled/);
    assert.equal(batchSignal?.aborted, true);
  });
});
