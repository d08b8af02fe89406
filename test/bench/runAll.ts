/** `npm run bench`: runs every benchmark in its own process, one after another, and prints their figures. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { cpus } from 'node:os';
import { REPO } from './benchUtil.ts';

const benches = ['indexBench.ts', 'searchBench.ts', 'processingBench.ts', 'upscaleBench.ts', 'exportBench.ts', 'taggerBench.ts', 'cloudBench.ts', 'vscodeBench.ts', 'regexBench.ts'];
console.log(`Tagbench benchmarks on ${cpus().length} x ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}\n`);
let failed = false;
for (const bench of benches) {
  console.log(`=== ${bench}`);
  const result = spawnSync(process.execPath, [join(REPO, 'test', 'bench', bench)], { stdio: 'inherit' });
  if (result.status !== 0) failed = true;
  console.log('');
}
process.exitCode = failed ? 1 : 0;
