/**
 * Export benchmark: 5,000 images to kohya format (crop-to-bucket at 512, captions with a trigger
 * word), then the incremental re-export after 50 captions changed.
 * Usage: node test/bench/exportBench.ts [--quick]   (--quick: 500 images)
 */
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { indexDataset } from '../../src/core/index/indexer.ts';
import { openDatasetIndex } from '../../src/core/index/datasetIndex.ts';
import { planJob, runPlannedJob } from '../../src/core/jobs/jobService.ts';
import type { ExportJobSpec } from '../../src/core/jobs/jobService.ts';
import { DEFAULT_CAPTION_OPTIONS } from '../../src/core/export/captionFormat.ts';
import { createJobPool, poolItemRunner } from '../../src/workers/jobPool.ts';
import { check, ensureJpegDataset, figure, report } from './benchUtil.ts';

const COUNT = process.argv.includes('--quick') ? 500 : 5000;
const dataset = await ensureJpegDataset(COUNT, '768x512');
await indexDataset(dataset, { thumbnails: false });
const out = join(tmpdir(), `tagbench-export-bench-${process.pid}`);
rmSync(out, { recursive: true, force: true });
const workers = availableParallelism();
const pool = createJobPool(workers);
const spec: ExportJobSpec = {
  kind: 'export', source: { query: '' }, force: false,
  params: { format: 'kohya', out, name: 'bench', repeats: 10, resolution: 512, crop: 'none', caption: { ...DEFAULT_CAPTION_OPTIONS, trigger: 'ohwx' }, classTokens: '', testFraction: 0 },
};

async function exportOnce(): Promise<{ seconds: number; done: number; skipped: number }> {
  const { db, root } = openDatasetIndex(dataset);
  try {
    const started = performance.now();
    const id = planJob(db, root, spec);
    const result = await runPlannedJob(db, id, poolItemRunner(pool, { root, captionExtension: '.txt', maxPixels: 268_402_689 }), { concurrency: workers });
    return { seconds: (performance.now() - started) / 1000, done: result.job.done, skipped: result.job.skipped };
  } finally {
    db.close();
  }
}

try {
  console.log(`\nexport of ${COUNT} 768x512 JPEGs to kohya (crop to 512 buckets), ${workers} workers`);
  const first = await exportOnce();
  figure(`full export of ${COUNT} images`, `${first.seconds.toFixed(1)} s (${(first.done / first.seconds).toFixed(0)} images/s)`);
  check(`full export of ${COUNT} images`, first.done === COUNT, `${first.done} of ${COUNT} images exported`);
  const captions = readdirSync(join(dataset, '10_alice')).filter((f) => f.endsWith('.txt')).slice(0, 50);
  for (const name of captions) writeFileSync(join(dataset, '10_alice', name), `alice, changed for the benchmark ${Date.now()}`);
  await indexDataset(dataset, { thumbnails: false });
  const second = await exportOnce();
  report(`re-export after ${captions.length} captions changed`, `${second.seconds.toFixed(2)} s (${second.done} written, ${second.skipped} up to date)`, `${captions.length} written`, second.done === captions.length);
} finally {
  await pool.destroy();
  rmSync(out, { recursive: true, force: true });
}
