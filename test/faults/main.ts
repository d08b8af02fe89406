/**
 * `npm run faults`: the fault-injection trials with more trials than the suite runs (see
 * faultScenarios.ts). Exits with 1 when a trial did not recover.
 *
 *   node test/faults/main.ts [--trials 20] [--seed N] [--only index,undo] [--work DIR]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runFaultTrials } from './faultScenarios.ts';

const { values } = parseArgs({
  options: {
    trials: { type: 'string', default: '20' },
    seed: { type: 'string' },
    only: { type: 'string' },
    work: { type: 'string' },
  },
});
const seed = values.seed === undefined ? Date.now() % 1_000_000 : Number(values.seed);
const work = values.work ?? mkdtempSync(join(tmpdir(), 'tagbench-faults-'));
console.log(
  `fault injection: ${values.trials} trials per scenario, seed ${seed} (replay with --seed ${seed}), in ${work}`,
);
const results = await runFaultTrials({
  seed,
  trials: Number(values.trials),
  work,
  log: (line) => console.log(line),
  ...(values.only ? { only: values.only.split(',') } : {}),
});
const failed = results.filter((r) => r.problems.length > 0);
const killed = results.filter((r) => r.killed).length;
console.log(
  `\n${results.length} trials, ${killed} killed mid-run, ${failed.length} did not recover${failed.length > 0 ? ` (their folders are kept in ${work})` : ''}.`,
);
if (failed.length === 0 && values.work === undefined) rmSync(work, { recursive: true, force: true });
process.exitCode = failed.length > 0 ? 1 : 0;
