/**
 * `npm run faults`: the fault-injection trials (faultScenarios.ts) and the concurrency trials
 * (concurrentWriters.ts) with more trials than the suite runs. Exits with 1 when a trial failed.
 *
 *   node test/faults/main.ts [--trials 20] [--seed N] [--only index,undo] [--work DIR]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runFaultTrials } from './faultScenarios.ts';
import { runConcurrencyTrials } from './concurrentWriters.ts';

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
const concurrent = values.only
  ? []
  : await runConcurrencyTrials({ seed, trials: Number(values.trials), work, log: (line) => console.log(line) });
const failed = [...results, ...concurrent].filter((r) => r.problems.length > 0);
const killed = results.filter((r) => r.killed).length;
console.log(
  `\n${results.length} kill trials (${killed} killed mid-run) and ${concurrent.length} concurrency trials; ${failed.length} failed` +
    (failed.length > 0 ? ` (their folders are kept in ${work}).` : '.'),
);
if (failed.length === 0 && values.work === undefined) rmSync(work, { recursive: true, force: true });
process.exitCode = failed.length > 0 ? 1 : 0;
