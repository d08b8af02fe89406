/**
 * Processing benchmark: crop + resize throughput of applyRecipe (an auto-crop rect, crop-to-bucket
 * at 1024, JPEG at quality 80) against a bare `sharp(input).resize(w, h).jpeg()` to the same sizes,
 * on 200 generated 2000x1500 JPEGs (a third of them letterboxed or pillarboxed), two images in
 * flight each with one libvips thread, in the same run (goal: at least 0.8x the bare throughput).
 * Auto-crop detection throughput is printed too.
 * Usage: node test/bench/processingBench.ts [--quick]   (--quick: 50 images)
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { detectBordersInImage } from '../../src/core/processing/autoCrop.ts';
import type { CropRect } from '../../src/core/processing/cropRect.ts';
import type { Operation } from '../../src/core/processing/operations.ts';
import { applyRecipe, planResize } from '../../src/core/processing/recipe.ts';
import { largePhoto, withBands } from '../fixtures/syntheticPhotos.ts';
import { benchPath, report } from './benchUtil.ts';

const quick = process.argv.includes('--quick');
const COUNT = quick ? 50 : 200;
const TOTAL = 200;
const IN_FLIGHT = 2;
const WIDTH = 2000;
const HEIGHT = 1500;

sharp.concurrency(1);

/** 200 2000x1500 JPEGs under .bench/, made once: every third letterboxed, every third after that pillarboxed. */
async function ensureImages(): Promise<string[]> {
  const dir = benchPath(`processing-${TOTAL}-${WIDTH}x${HEIGHT}`);
  const files = Array.from({ length: TOTAL }, (_, i) => join(dir, `${String(i).padStart(3, '0')}.jpg`));
  const missing = files.filter((file) => !existsSync(file));
  if (missing.length > 0) console.log(`generating ${missing.length} ${WIDTH}x${HEIGHT} JPEGs in ${dir} ...`);
  await pool(
    files.map((file, i) => ({ file, i })).filter(({ file }) => !existsSync(file)),
    IN_FLIGHT,
    async ({ file, i }) => {
      let image = await largePhoto(WIDTH, HEIGHT, i + 1);
      if (i % 3 === 1) image = withBands(image, { top: 140 + (i % 40), bottom: 140 + (i % 40), colour: [0, 0, 0] });
      if (i % 3 === 2)
        image = withBands(image, {
          left: 250 + (i % 50),
          right: 250 + (i % 50),
          colour: i % 2 ? [0, 0, 0] : [255, 255, 255],
        });
      writeFileSync(
        file,
        await sharp(image.data, { raw: { width: WIDTH, height: HEIGHT, channels: 3 } })
          .jpeg({ quality: 85 })
          .toBuffer(),
      );
    },
  );
  return readdirSync(dir)
    .filter((name) => name.endsWith('.jpg'))
    .sort()
    .slice(0, COUNT)
    .map((name) => join(dir, name));
}

/** Runs `task` over `items` with `limit` in flight; resolves with the wall time in ms. */
async function pool<T>(items: readonly T[], limit: number, task: (item: T) => Promise<unknown>): Promise<number> {
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await task(items[next++]!);
    }),
  );
  return performance.now() - started;
}

const rate = (count: number, ms: number): number => count / (ms / 1000);

const files = await ensureImages();
const inputs = files.map((file) => readFileSync(file));
console.log(`\n${inputs.length} ${WIDTH}x${HEIGHT} JPEGs, ${IN_FLIGHT} images in flight, 1 libvips thread each`);

const rects: (CropRect | null)[] = new Array<CropRect | null>(inputs.length).fill(null);
const detectMs = await pool(
  inputs.map((bytes, i) => ({ bytes, i })),
  IN_FLIGHT,
  async ({ bytes, i }) => {
    rects[i] = await detectBordersInImage(bytes);
  },
);
const found = rects.filter(Boolean).length;
const drawn = inputs.filter((_, i) => i % 3 !== 0).length;
// How much drawn band each side kept (never negative: that would be a cut into the picture).
let leftOver = 0;
let cutIn = 0;
rects.forEach((rect, i) => {
  const band =
    i % 3 === 1
      ? { top: 140 + (i % 40), left: 0 }
      : i % 3 === 2
        ? { top: 0, left: 250 + (i % 50) }
        : { top: 0, left: 0 };
  const r = rect ?? { left: 0, top: 0, width: WIDTH, height: HEIGHT };
  for (const kept of [
    band.top - r.top,
    band.left - r.left,
    band.top - (HEIGHT - r.top - r.height),
    band.left - (WIDTH - r.left - r.width),
  ]) {
    leftOver = Math.max(leftOver, kept);
    if (kept < 0) cutIn++;
  }
});
console.log(
  `  auto-crop detection: ${rate(inputs.length, detectMs).toFixed(1)} images/s; borders found in ${found} of ${inputs.length} images (${drawn} drawn), at most ${leftOver} px of band left`,
);
report('auto-crop: cuts into the picture', `${cutIn} of ${inputs.length * 4} sides`, 'none', cutIn === 0);

const jobs = inputs.map((bytes, i) => {
  const rect = rects[i] ?? { left: 0, top: 0, width: WIDTH, height: HEIGHT };
  const resize = planResize(rect.width, rect.height, { resolution: 1024, mode: 'crop', allowUpscale: false });
  const operations: Operation[] = [
    ...(rects[i] ? [{ op: 'crop', rect } as const] : []),
    resize,
    { op: 'encode', format: 'jpeg', quality: 80 },
  ];
  return { bytes, operations, width: resize.width, height: resize.height };
});

const bare = (): Promise<number> =>
  pool(jobs, IN_FLIGHT, (job) => sharp(job.bytes).resize(job.width, job.height).jpeg().toBuffer());
const ours = (): Promise<number> =>
  pool(jobs, IN_FLIGHT, async (job) => {
    const out = await applyRecipe(job.bytes, { operations: job.operations });
    if (out.width !== job.width || out.height !== job.height)
      throw new Error(`applyRecipe made ${out.width}x${out.height}, not ${job.width}x${job.height}`);
  });

// Alternate the two, best of three each, so neither gets a warmer machine.
const bareRuns: number[] = [];
const ourRuns: number[] = [];
for (let round = 0; round < 3; round++) {
  bareRuns.push(await bare());
  ourRuns.push(await ours());
}
const bareRate = rate(jobs.length, Math.min(...bareRuns));
const ourRate = rate(jobs.length, Math.min(...ourRuns));
console.log(`  bare sharp resize + JPEG (reference): ${bareRate.toFixed(1)} images/s`);
console.log(`  applyRecipe crop + bucket + JPEG:     ${ourRate.toFixed(1)} images/s`);
report(
  'crop + resize vs bare sharp resize',
  `${(ourRate / bareRate).toFixed(2)}x (${ourRate.toFixed(1)} vs ${bareRate.toFixed(1)} img/s)`,
  '>= 0.8x',
  ourRate / bareRate >= 0.8,
);
