/**
 * The concurrency trials (test/faults/concurrentWriters.ts) as part of the suite: an index run and a
 * batch edit at once, an export and a batch edit at once, as real processes started a random moment
 * apart (fixed seed, bounded trials). `npm run faults` runs more.
 */
import assert from 'node:assert/strict';
import { runConcurrencyTrials } from '../faults/concurrentWriters.ts';
import { makeTempDir, removeTempDirs } from '../helpers/tempDir.ts';

const TRIALS = 3;
const SEED = 61206;

describe('two writers at once, as processes', function () {
  this.timeout(600_000);
  after(removeTempDirs);

  it(`an index run or an export beside a batch edit: the index and the export end as the files are (${TRIALS} trials each; seed ${SEED})`, async () => {
    const results = await runConcurrencyTrials({
      seed: SEED,
      trials: TRIALS,
      work: makeTempDir('tagbench-concurrent-'),
    });
    assert.equal(results.length, 2 * TRIALS);
    assert.deepEqual(
      results
        .filter((r) => r.problems.length > 0)
        .map((r) => `${r.trial} (${r.staggerMs} ms apart): ${r.problems.join('; ')}`),
      [],
    );
  });
});
