/**
 * `npm run bench`: runs every benchmark in its own process, one after another, and prints their
 * figures. Exits with 1 when any benchmark missed a goal, failed a check of its run, or crashed.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { cpus } from 'node:os';
import { REPO } from './benchUtil.ts';

const benches = [
  'indexBench.ts',
  'searchBench.ts',
  'processingBench.ts',
  'upscaleBench.ts',
  'exportBench.ts',
  'batchBench.ts',
  'taggerBench.ts',
  'cloudBench.ts',
  'vscodeBench.ts',
  'regexBench.ts',
];
console.log(
  `Tagbench benchmarks on ${cpus().length} x ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}\n`,
);
const failed: string[] = [];
for (const bench of benches) {
  console.log(`=== ${bench}`);
  const result = spawnSync(process.execPath, [join(REPO, 'test', 'bench', bench)], { stdio: 'inherit' });
  if (result.status !== 0)
    failed.push(`${bench} (${result.signal ? `killed by ${result.signal}` : `exit ${result.status}`})`);
  console.log('');
}
if (failed.length > 0)
  console.log(
    `Missed goals, failed checks or crashes in ${failed.length} of ${benches.length} benchmarks: ${failed.join(', ')}`,
  );
else console.log(`Every goal of the ${benches.length} benchmarks was met.`);
process.exitCode = failed.length > 0 ? 1 : 0;
