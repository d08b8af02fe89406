import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { parse } from 'smol-toml';
import { indexDataset } from '../../src/core/index/indexer.ts';
import { openDatasetIndex } from '../../src/core/index/datasetIndex.ts';
import { planJob, runPlannedJob } from '../../src/core/jobs/jobService.ts';
import type { ExportJobSpec, ProcessJobSpec } from '../../src/core/jobs/jobService.ts';
import { jobItems } from '../../src/core/jobs/jobStore.ts';
import { detailsOfKind } from '../../src/core/jobs/jobDetails.ts';
import { DEFAULT_CAPTION_OPTIONS } from '../../src/core/export/captionFormat.ts';
import { parseSidecar } from '../../src/core/sidecar/sidecar.ts';
import { runPipeline } from '../../src/core/processing/pipeline.ts';
import { findModel } from '../../src/core/processing/processImage.ts';
import { createJobPool, poolItemRunner } from '../../src/workers/jobPool.ts';
import { makeTempDir, removeTempDirs } from '../helpers/tempDir.ts';
import { snapshotFiles } from '../helpers/datasetSnapshot.ts';
import { runCli } from '../helpers/runCli.ts';

/** A picture with a black letterbox band at top and bottom (JPEG), and plain pictures. */
async function letterboxed(file: string, width: number, height: number, band: number): Promise<void> {
  const picture = await sharp({ create: { width, height: height - 2 * band, channels: 3, background: '#c86432' } })
    .composite([
      {
        input: Buffer.from(
          `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height - 2 * band}"><circle cx="${width / 2}" cy="${(height - 2 * band) / 2}" r="${band}" fill="#2060a0"/></svg>`,
        ),
      },
    ])
    .png()
    .toBuffer();
  await sharp({ create: { width, height, channels: 3, background: '#000000' } })
    .composite([{ input: picture, top: band, left: 0 }])
    .jpeg({ quality: 85 })
    .toFile(file);
}

describe('process and export jobs', function () {
  this.timeout(120_000);
  let root: string;
  const pool = createJobPool(2);
  const run = async (spec: ProcessJobSpec | ExportJobSpec, signal?: AbortSignal, onDone?: (n: number) => void) => {
    const { db } = openDatasetIndex(root);
    try {
      const id = planJob(db, root, spec);
      return await runPlannedJob(
        db,
        id,
        poolItemRunner(pool, { root, captionExtension: '.txt', maxPixels: 268_402_689 }),
        {
          concurrency: 2,
          ...(signal ? { signal } : {}),
          onProgress: (p) => onDone?.(p.done + p.failed + p.skipped),
        },
      );
    } finally {
      db.close();
    }
  };
  const exportSpec = (out: string, extra: Partial<ExportJobSpec['params']> = {}): ExportJobSpec => ({
    kind: 'export',
    source: { query: '' },
    force: false,
    params: {
      format: 'kohya',
      out,
      name: 'alice',
      repeats: 10,
      resolution: 512,
      crop: 'auto',
      caption: { ...DEFAULT_CAPTION_OPTIONS, trigger: 'ohwx' },
      classTokens: 'woman',
      testFraction: 0,
      ...extra,
    },
  });

  before(async () => {
    root = join(makeTempDir(), 'ds');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(root, '10_alice'), { recursive: true });
    for (let i = 0; i < 6; i++) await letterboxed(join(root, '10_alice', `box_${i}.jpg`), 800, 600, 80 + i * 5);
    await sharp({ create: { width: 300, height: 200, channels: 3, background: '#30a060' } })
      .jpeg()
      .withMetadata({ orientation: 6 })
      .toFile(join(root, '10_alice', 'rotated.jpg'));
    await sharp({ create: { width: 320, height: 240, channels: 4, background: { r: 200, g: 30, b: 30, alpha: 0.5 } } })
      .png()
      .toFile(join(root, '10_alice', 'alpha.png'));
    await sharp({ create: { width: 320, height: 240, channels: 3, background: '#8080ff' } })
      .toColourspace('rgb16')
      .png()
      .toFile(join(root, '10_alice', 'deep.png'));
    await sharp({ create: { width: 96, height: 64, channels: 3, background: '#a0a020' } })
      .png()
      .toFile(join(root, 'small.png'));
    for (const name of readdirSync(join(root, '10_alice')))
      writeFileSync(join(root, '10_alice', name.replace(/\.[^.]+$/, '.txt')), `alice, long_hair, smile, image_${name}`);
    await indexDataset(root);
  });
  after(async () => {
    await pool.destroy();
    removeTempDirs();
  });

  it('auto-crops letterboxes and resizes to buckets into .tagbench/derived, recording recipes, never touching originals', async () => {
    const before = snapshotFiles(root);
    const report = await run({
      kind: 'process',
      query: 'folder:10_alice',
      params: {
        crop: 'auto',
        resize: { resolution: 512, mode: 'crop', allowUpscale: false },
        upscale: null,
        format: 'auto',
        quality: 95,
        flatten: null,
      },
    });
    assert.equal(report.job.state, 'done');
    assert.equal(report.job.failed, 0);
    assert.equal(detailsOfKind(report.details, 'process').cropped, 6, 'the six letterboxed images were cropped');
    for (const [path, state] of before) {
      if (!path.endsWith('.tagbench.json')) assert.equal(snapshotFiles(root).get(path), state, `${path} is unchanged`);
    }
    const sidecar = parseSidecar(readFileSync(join(root, '10_alice', 'box_0.tagbench.json')));
    assert.equal(sidecar.crop?.state, 'auto');
    assert.ok(
      sidecar.crop!.rect!.top >= 76 &&
        sidecar.crop!.rect!.top <= 80 &&
        sidecar.crop!.rect!.height >= 440 &&
        sidecar.crop!.rect!.height <= 448,
      JSON.stringify(sidecar.crop),
    );
    const recipe = (sidecar.recipes as { output: string; outputSha256: string; operations: never[] }[])[0]!;
    const output = readFileSync(join(root, recipe.output));
    const meta = await sharp(output).metadata();
    assert.equal(meta.width! % 64, 0);
    assert.equal(meta.height! % 64, 0);
    // Replaying the recipe on the original reproduces the same pixels.
    const replay = await runPipeline(readFileSync(join(root, '10_alice', 'box_0.jpg')), recipe.operations, {
      resolveModel: (name) => findModel({}, name),
    });
    assert.deepEqual(await sharp(replay.data).raw().toBuffer(), await sharp(output).raw().toBuffer());
    const rotated = parseSidecar(readFileSync(join(root, '10_alice', 'rotated.tagbench.json')));
    const rotatedOut = await sharp(
      readFileSync(join(root, (rotated.recipes as { output: string }[])[0]!.output)),
    ).metadata();
    assert.ok(rotatedOut.height! > rotatedOut.width!, 'the EXIF-rotated portrait stays a portrait');
  });

  it('never redoes a manual crop', async () => {
    const file = join(root, '10_alice', 'box_1.tagbench.json');
    const sidecar = parseSidecar(readFileSync(file));
    writeFileSync(
      file,
      JSON.stringify(
        { ...sidecar, crop: { state: 'manual', rect: { left: 10, top: 10, width: 300, height: 300 } } },
        null,
        2,
      ),
    );
    await run({
      kind: 'process',
      query: 'folder:10_alice',
      params: { crop: 'auto', resize: null, upscale: null, format: 'png', quality: 95, flatten: null },
    });
    const after = parseSidecar(readFileSync(file));
    assert.deepEqual(after.crop, { state: 'manual', rect: { left: 10, top: 10, width: 300, height: 300 } });
  });

  it('upscales a small image with the built-in model', async () => {
    const report = await run({
      kind: 'process',
      query: 'ext:png -folder:10_alice',
      params: {
        crop: 'none',
        resize: null,
        upscale: { model: 'realesr-animevideov3-x2', targetLongSide: 192 },
        format: 'png',
        quality: 95,
        flatten: null,
      },
    });
    assert.equal(report.job.done, 1);
    assert.equal(detailsOfKind(report.details, 'process').upscaled, 1);
    const sidecar = parseSidecar(readFileSync(join(root, 'small.tagbench.json')));
    const out = await sharp(readFileSync(join(root, (sidecar.recipes as { output: string }[])[0]!.output))).metadata();
    assert.deepEqual([out.width, out.height], [192, 128]);
  });

  it('exports kohya folders with captions and a dataset.toml that parses back, then re-exports only what changed', async () => {
    const out = join(makeTempDir(), 'export');
    const first = await run(exportSpec(out));
    assert.equal(first.job.done, 10);
    assert.equal(detailsOfKind(first.details, 'export').stepsPerEpoch, 100);
    const toml = JSON.parse(JSON.stringify(parse(readFileSync(join(out, 'dataset.toml'), 'utf8')))) as {
      general: { keep_tokens: number };
      datasets: { resolution: number; subsets: { image_dir: string; num_repeats: number; class_tokens: string }[] }[];
    };
    assert.equal(toml.general.keep_tokens, 1);
    assert.equal(toml.datasets[0]!.resolution, 512);
    assert.deepEqual(toml.datasets[0]!.subsets[0], {
      image_dir: '10_alice',
      num_repeats: 10,
      class_tokens: 'woman',
      keep_tokens: 1,
      caption_extension: '.txt',
    });
    const caption = readFileSync(join(out, '10_alice', 'box_2.txt'), 'utf8');
    assert.equal(caption, 'ohwx, alice, long hair, smile, image box 2.jpg');
    writeFileSync(join(root, '10_alice', 'box_2.txt'), 'alice, edited');
    await indexDataset(root);
    const second = await run(exportSpec(out));
    assert.deepEqual([second.job.done, second.job.skipped], [1, 9], 'only the changed caption was exported again');
    assert.equal(readFileSync(join(out, '10_alice', 'box_2.txt'), 'utf8'), 'ohwx, alice, edited');
  });

  it('writes no caption file for an image without a caption in a kohya export (sd-scripts stops at an empty one), and says so', async () => {
    const out = join(makeTempDir(), 'export');
    const spec = exportSpec(out, { caption: { ...DEFAULT_CAPTION_OPTIONS, trigger: '' } });
    const first = await run(spec);
    const caption = join(out, '10_alice', 'small.txt');
    assert.ok(existsSync(join(out, '10_alice', 'small.png')), 'the image is exported');
    assert.ok(!existsSync(caption), 'no empty caption file');
    const warnings = detailsOfKind(first.details, 'export').warnings;
    assert.ok(
      warnings.some((w) =>
        /^1 image in 10_alice has no caption; no caption file is written .* on the class tokens "woman"\.$/.test(w),
      ),
      JSON.stringify(warnings),
    );
    // Captioned later: the re-export writes it; emptied again: the re-export removes it.
    writeFileSync(join(root, 'small.txt'), 'field\n');
    await indexDataset(root);
    await run(spec);
    assert.equal(readFileSync(caption, 'utf8'), 'field');
    writeFileSync(join(root, 'small.txt'), '');
    await indexDataset(root);
    await run(spec);
    assert.ok(!existsSync(caption), 'the caption file of an emptied caption is removed');
    rmSync(join(root, 'small.txt'));
    await indexDataset(root);
  });

  it('exports Hugging Face imagefolder metadata with a train/test split', async () => {
    const out = join(makeTempDir(), 'hf');
    const report = await run(exportSpec(out, { format: 'hf', testFraction: 0.3 }));
    assert.equal(report.job.done, 10);
    const lines = ['train', 'test'].flatMap((split) =>
      existsSync(join(out, split, 'metadata.jsonl'))
        ? readFileSync(join(out, split, 'metadata.jsonl'), 'utf8')
            .trim()
            .split('\n')
            .map((l) => ({ split, ...(JSON.parse(l) as { file_name: string; text: string }) }))
        : [],
    );
    assert.equal(lines.length, 10);
    for (const line of lines) assert.ok(existsSync(join(out, line.split, line.file_name)), line.file_name);
    assert.ok(lines.every((l) => l.text.startsWith('ohwx')));
  });

  it('records a corrupt image in the middle of a batch and goes on', async () => {
    writeFileSync(
      join(root, '10_alice', 'box_3.jpg'),
      readFileSync(join(root, '10_alice', 'box_3.jpg')).subarray(0, 4000),
    );
    const out = join(makeTempDir(), 'corrupt');
    const report = await run(exportSpec(out, { format: 'plain' }));
    assert.equal(report.job.failed, 1);
    assert.equal(report.job.done, 9);
    const { db } = openDatasetIndex(root);
    const failed = jobItems(db, report.job.id, 'failed');
    db.close();
    assert.equal(failed[0]!.key, '10_alice/box_3.jpg');
    assert.match(failed[0]!.error!, /premature end|truncated|ends early|corrupt/i);
  });

  it('stops a cancelled job, and resumes it with no item done twice', async () => {
    const out = join(makeTempDir(), 'cancel');
    const controller = new AbortController();
    const paused = await run(
      exportSpec(out, { format: 'plain', crop: 'none', resolution: null }),
      controller.signal,
      (n) => {
        if (n >= 3) controller.abort();
      },
    );
    assert.equal(paused.job.state, 'paused');
    const { db } = openDatasetIndex(root);
    try {
      const id = paused.job.id;
      const itemsAt = (state: 'done' | 'failed' | 'pending'): string[] =>
        jobItems(db, id, state)
          .map((i) => i.key)
          .sort();
      const doneBefore = itemsAt('done');
      const failedBefore = itemsAt('failed');
      const pendingBefore = itemsAt('pending');
      assert.ok(
        doneBefore.length + failedBefore.length >= 3 && pendingBefore.length > 0,
        `${doneBefore.length} done, ${pendingBefore.length} pending`,
      );
      assert.equal(doneBefore.length + failedBefore.length + pendingBefore.length, 10);
      // What the items done before the cancel wrote: each output file's inode, mtime and bytes, and when the item finished.
      const finishedAt = (key: string): number =>
        db.prepare('SELECT finished_at FROM job_items WHERE job_id = ? AND key = ?').pluck().get(id, key) as number;
      const outputsOf = (key: string): string[] => {
        const path = (jobItems(db, id, 'done').find((i) => i.key === key)!.result as { path: string }).path;
        return [join(out, path), join(out, path.replace(/\.[^.]+$/, '.txt'))];
      };
      const fingerprint = (file: string): string => {
        const st = statSync(file);
        return `${st.ino}:${st.mtimeMs}:${createHash('sha256').update(readFileSync(file)).digest('hex')}`;
      };
      const before = new Map(
        doneBefore.flatMap((key): [string, string][] => [
          [`${key}@finished`, String(finishedAt(key))],
          ...outputsOf(key).map((f): [string, string] => [f, fingerprint(f)]),
        ]),
      );

      // Resume, counting every item the runner is handed.
      const ran: string[] = [];
      const runner = poolItemRunner(pool, { root, captionExtension: '.txt', maxPixels: 268_402_689 });
      const resumed = await runPlannedJob(
        db,
        id,
        (request, signal) => {
          ran.push(request.key);
          return runner(request, signal);
        },
        { concurrency: 2 },
      );
      assert.equal(resumed.job.state, 'done');
      assert.deepEqual(ran.sort(), pendingBefore, 'exactly the pending items ran, each once');
      const failedAfter = itemsAt('failed');
      assert.deepEqual(
        failedAfter.filter((k) => !failedBefore.includes(k) && !pendingBefore.includes(k)),
        [],
        'no item done before failed later',
      );
      assert.deepEqual(
        itemsAt('done'),
        [...doneBefore, ...pendingBefore.filter((k) => !failedAfter.includes(k))].sort(),
      );
      assert.deepEqual([resumed.job.done + resumed.job.failed, resumed.job.skipped, resumed.job.total], [10, 0, 10]);
      const after = new Map(
        [...before.keys()].map((k) => [
          k,
          k.endsWith('@finished') ? String(finishedAt(k.slice(0, -'@finished'.length))) : fingerprint(k),
        ]),
      );
      assert.deepEqual(
        after,
        before,
        'the outputs of the items done before the cancel were not written again, nor their items finished again',
      );
    } finally {
      db.close();
    }
  });

  it('runs from the CLI: export refuses a folder inside the dataset, jobs lists them, resume finishes one', async () => {
    const inside = await runCli(['export', root, '--out', join(root, 'out'), '--format', 'plain']);
    assert.equal(inside.code, 2);
    assert.match(inside.stderr, /inside the dataset/);
    const jobs = JSON.parse((await runCli(['jobs', root, '--json'])).stdout) as {
      jobs: { id: number; state: string; kind: string }[];
    };
    assert.ok(jobs.jobs.length >= 6);
    assert.ok(jobs.jobs.every((j) => j.state === 'done'));
    const missing = await runCli(['resume', root, '999']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /no job 999/);
  });
});
