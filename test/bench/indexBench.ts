/**
 * Indexing benchmarks:
 * - full index (hash, metadata, perceptual hashes, thumbnail, DB) of 2,000 generated 2000x1500 JPEGs,
 *   against libvips' `vipsthumbnail` making the same 256 px WebP thumbnails with the same parallelism
 *   (goal: at least 0.7x its throughput);
 * - rescan of an unchanged 20,000-image dataset (goal: under 1.5 s);
 * - peak RSS while indexing 20,000 images (goal: under 400 MB).
 * Usage: node test/bench/indexBench.ts [--quick]   (--quick: 200 and 2,000 images, for a smoke run)
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureJpegDataset, REPO, report, run } from './benchUtil.ts';

const quick = process.argv.includes('--quick');
const LARGE = quick ? 200 : 2000;
const MANY = quick ? 2000 : 20000;
// Tagbench keeps two images in flight per core (one libvips thread each); the reference gets as many processes.
const parallelism = 2 * availableParallelism();
const child = join(REPO, 'test', 'bench', 'indexChild.ts');

interface ChildResult {
  ms: number;
  maxRssMb: number;
  summary: { images: number; new: number; changed: number; thumbnailsMade: number };
}

async function indexInChild(dir: string, ...flags: string[]): Promise<ChildResult> {
  const { stdout } = await run(process.execPath, [child, dir, ...flags]);
  return JSON.parse(stdout.trim().split('\n').pop()!) as ChildResult;
}

async function vipsthumbnailMs(dir: string): Promise<number> {
  const files = readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.jpg'))
    .map((e) => join(e.parentPath, e.name));
  const out = mkdtempSync(join(tmpdir(), 'vipsthumb-'));
  const chunks = Array.from({ length: parallelism }, (_, i) => files.filter((_, j) => j % parallelism === i));
  const started = performance.now();
  await Promise.all(
    chunks.map((chunk) =>
      run('vipsthumbnail', ['--size', '256', '-o', join(out, '%s.webp[Q=80,effort=2]'), ...chunk], {
        VIPS_CONCURRENCY: '1',
      }),
    ),
  );
  const ms = performance.now() - started;
  rmSync(out, { recursive: true, force: true });
  return ms;
}

const large = await ensureJpegDataset(LARGE, '2000x1500');
console.log(
  `\nfull index of ${LARGE} 2000x1500 JPEGs, ${parallelism} images at a time, 1 libvips thread each, ${availableParallelism()} cores`,
);
const vipsMs = await vipsthumbnailMs(large);
rmSync(join(large, '.tagbench'), { recursive: true, force: true });
const full = await indexInChild(large);
const vipsRate = LARGE / (vipsMs / 1000);
const ourRate = full.summary.new / (full.ms / 1000);
console.log(`  vipsthumbnail (reference): ${vipsRate.toFixed(1)} images/s (${(vipsMs / 1000).toFixed(1)} s)`);
console.log(
  `  tagbench index:            ${ourRate.toFixed(1)} images/s (${(full.ms / 1000).toFixed(1)} s), peak RSS ${full.maxRssMb.toFixed(0)} MB`,
);
report(
  'full index vs vipsthumbnail',
  `${(ourRate / vipsRate).toFixed(2)}x (${ourRate.toFixed(1)} vs ${vipsRate.toFixed(1)} img/s)`,
  '>= 0.7x',
  ourRate / vipsRate >= 0.7,
);

const many = await ensureJpegDataset(MANY, '256x192');
console.log(`\n${MANY} small JPEGs`);
rmSync(join(many, '.tagbench'), { recursive: true, force: true });
const first = await indexInChild(many);
console.log(
  `  first index: ${(first.ms / 1000).toFixed(1)} s, ${first.summary.images} images, peak RSS ${first.maxRssMb.toFixed(0)} MB`,
);
report(`peak RSS indexing ${MANY} images`, `${first.maxRssMb.toFixed(0)} MB`, '< 400 MB', first.maxRssMb < 400);
const rescans: number[] = [];
for (let i = 0; i < 3; i++) {
  const again = await indexInChild(many);
  if (again.summary.new + again.summary.changed !== 0)
    throw new Error('the rescan found changes in an unchanged dataset');
  rescans.push(again.ms);
}
const rescan = Math.min(...rescans);
report(`rescan of unchanged ${MANY} images`, `${(rescan / 1000).toFixed(2)} s (best of 3)`, '< 1.5 s', rescan < 1500);
