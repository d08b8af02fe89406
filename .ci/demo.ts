/**
 * The README's "run" line: makes a sample dataset (once), indexes it with the `tagbench` CLI and
 * shows what it found, then prints where the dataset is and what to try next.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateSample } from '../test/sample/sampleDataset.ts';

const repo = fileURLToPath(new URL('..', import.meta.url));
const dataset = process.argv[2] ?? join(repo, '.demo', 'sample-dataset');
const cli = join(repo, 'dist', 'cli.cjs');

if (!existsSync(dataset)) {
  const made = await generateSample(dataset, { count: 120, seed: 1 });
  console.log(`Made a sample dataset: ${made.images} images, ${made.captions} captions.`);
}
const tagbench = (...args: string[]): void => {
  console.log(`\n$ tagbench ${args.join(' ')}`);
  const result = spawnSync(process.execPath, [cli, ...args], { stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
};
tagbench('index', dataset);
tagbench('stats', dataset, '--limit', '12');
tagbench('search', dataset, 'alice', '-solo', 'aspect:portrait', '--limit', '5');
tagbench('problems', dataset);
console.log(`\nThe sample dataset is in ${dataset}`);
console.log(`Try: npx tagbench search ${dataset} "blue_eyes OR long_*" --json`);
