/**
 * The fault-injection trials (test/faults/faultScenarios.ts) as part of the suite: the CLI killed with
 * SIGKILL at random moments of index, batch edit, undo, export and process, with a fixed seed and a
 * bounded number of trials. `npm run faults` runs many more, with a new seed each time.
 */
import assert from 'node:assert/strict';
import { runFaultTrials } from '../faults/faultScenarios.ts';
import { makeTempDir, removeTempDirs } from '../helpers/tempDir.ts';

const TRIALS = 2;
const SEED = 20261206;

describe('fault injection: kill -9 at random moments, then recover as a user would', function () {
  this.timeout(600_000);
  after(removeTempDirs);

  it(`recovers every time (${TRIALS} trials of each of index, batch edit, undo, export, process; seed ${SEED})`, async () => {
    const results = await runFaultTrials({ seed: SEED, trials: TRIALS, work: makeTempDir('tagbench-faults-') });
    assert.equal(results.length, 5 * TRIALS);
    const failed = results
      .filter((r) => r.problems.length > 0)
      .map((r) => `${r.scenario} #${r.trial} (killed after ${r.delayMs} ms): ${r.problems.join('; ')}`);
    assert.deepEqual(failed, []);
    assert.ok(
      results.filter((r) => r.killed).length >= TRIALS * 3,
      'most trials were killed mid-run, not after the end',
    );
  });
});
