/**
 * Re-exports check unchanged images cheaply (no worker, no read of the original) and stay correct: a
 * changed caption rewrites only the caption; a changed original, crop, option or output is made again.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { indexDataset } from '../../src/core/index/indexer.ts';
import { openDatasetIndex } from '../../src/core/index/datasetIndex.ts';
import { planJob, runPlannedJob } from '../../src/core/jobs/jobService.ts';
import type { ExportJobSpec, ItemRunner } from '../../src/core/jobs/jobService.ts';
import { jobItems } from '../../src/core/jobs/jobStore.ts';
import { DEFAULT_CAPTION_OPTIONS } from '../../src/core/export/captionFormat.ts';
import { createJobPool, poolItemRunner } from '../../src/workers/jobPool.ts';
import { makeTempDir, removeTempDirs } from '../helpers/tempDir.ts';

describe('re-exports', function () {
  this.timeout(120_000);
  let root: string;
  let out: string;
  const pool = createJobPool(2);
  const closed = createJobPool(1);
  const env = (): { root: string; captionExtension: string; maxPixels: number } => ({
    root,
    captionExtension: '.txt',
    maxPixels: 268_402_689,
  });
  const spec = (extra: Partial<ExportJobSpec['params']> = {}): ExportJobSpec => ({
    kind: 'export',
    source: { query: '' },
    force: false,
    params: {
      format: 'kohya',
      out,
      name: 'alice',
      repeats: 10,
      concepts: 'keep',
      resolution: null,
      crop: 'auto',
      caption: { ...DEFAULT_CAPTION_OPTIONS, trigger: 'ohwx' },
      classTokens: '',
      testFraction: 0,
      ...extra,
    },
  });
  /** Plans and runs an export; `upFront`: with the caption extension, so unchanged images are finished in a first pass. */
  const run = async (s: ExportJobSpec, runner: ItemRunner = poolItemRunner(pool, env()), upFront = true) => {
    await indexDataset(root, { thumbnails: false });
    const { db } = openDatasetIndex(root);
    try {
      const id = planJob(db, root, s);
      const report = await runPlannedJob(db, id, runner, {
        concurrency: 2,
        ...(upFront ? { captionExtension: '.txt' } : {}),
      });
      return {
        report,
        done: jobItems(db, id, 'done')
          .map((i) => i.key)
          .sort(),
        failed: jobItems(db, id, 'failed').map((i) => `${i.key}: ${i.error}`),
      };
    } finally {
      db.close();
    }
  };
  const mtime = (file: string): number => statSync(join(out, file)).mtimeMs;

  before(async () => {
    root = join(makeTempDir(), 'ds');
    out = join(makeTempDir(), 'export');
    mkdirSync(join(root, '10_alice'), { recursive: true });
    for (const [i, colour] of ['#c86432', '#3264c8', '#32c864', '#c8c832'].entries()) {
      await sharp({ create: { width: 96, height: 64, channels: 3, background: colour } })
        .png()
        .toFile(join(root, '10_alice', `a${i}.png`));
      writeFileSync(join(root, '10_alice', `a${i}.txt`), `alice, picture_${i}`);
    }
    utimesSync(join(root, '10_alice', 'a3.png'), 1_700_000_000, 1_700_000_000);
    await closed.destroy();
  });
  after(async () => {
    await pool.destroy();
    removeTempDirs();
  });

  it('checks unchanged images without a worker and without reading their originals', async () => {
    const first = await run(spec());
    assert.equal(first.report.job.done, 4, JSON.stringify(first.failed));
    // A pool whose workers are gone: any item sent to one would fail. Both the up-front pass and the item runner check.
    for (const upFront of [true, false]) {
      const again = await run(spec(), poolItemRunner(closed, env()), upFront);
      assert.deepEqual(
        [again.report.job.done, again.report.job.skipped, again.report.job.failed],
        [0, 4, 0],
        `up front: ${upFront}`,
      );
    }
    // Same size and time as recorded: the original is not read (as the indexer, trusting size and time).
    const file = join(root, '10_alice', 'a3.png');
    writeFileSync(file, Buffer.alloc(statSync(file).size, 7));
    utimesSync(file, 1_700_000_000, 1_700_000_000);
    const trusted = await run(spec(), poolItemRunner(closed, env()));
    assert.deepEqual([trusted.report.job.skipped, trusted.report.job.failed], [4, 0]);
    await sharp({ create: { width: 96, height: 64, channels: 3, background: '#c8c832' } })
      .png()
      .toFile(file);
  });

  it('rewrites only the caption when only the caption changed', async () => {
    const image = mtime('10_alice/a0.png');
    writeFileSync(join(root, '10_alice', 'a0.txt'), 'alice, edited');
    const result = await run(spec(), poolItemRunner(closed, env()), false);
    assert.deepEqual(result.done, ['10_alice/a0.png']);
    assert.equal(readFileSync(join(out, '10_alice', 'a0.txt'), 'utf8'), 'ohwx, alice, edited');
    assert.equal(mtime('10_alice/a0.png'), image, 'the image was not written again');
  });

  it('makes an image again when its original, its crop, the options or its output changed', async () => {
    await sharp({ create: { width: 96, height: 64, channels: 3, background: '#000000' } })
      .png()
      .toFile(join(root, '10_alice', 'a1.png'));
    const a2 = readFileSync(join(root, '10_alice', 'a2.png'));
    writeFileSync(
      join(root, '10_alice', 'a2.tagbench.json'),
      JSON.stringify({
        tagbench: 1,
        image: { sha256: createHash('sha256').update(a2).digest('hex'), file: 'a2.png' },
        tags: [],
        crop: { state: 'manual', rect: { left: 0, top: 0, width: 48, height: 32 } },
      }),
    );
    writeFileSync(join(out, '10_alice', 'a3.png'), 'not the export');
    const result = await run(spec());
    assert.deepEqual(
      result.done,
      ['10_alice/a1.png', '10_alice/a2.png', '10_alice/a3.png'],
      JSON.stringify(result.failed),
    );
    assert.deepEqual(
      (await sharp(join(out, '10_alice', 'a1.png')).stats()).channels.map((c) => c.max),
      [0, 0, 0],
    );
    const cropped = await sharp(join(out, '10_alice', 'a2.png')).metadata();
    assert.deepEqual([cropped.width, cropped.height], [48, 32]);
    assert.equal((await sharp(join(out, '10_alice', 'a3.png')).metadata()).width, 96);
    const resized = await run(spec({ resolution: 512 }));
    assert.equal(resized.report.job.done, 4, 'a new resolution makes every image again');
    const captionOnly = await run(
      spec({ resolution: 512, caption: { ...DEFAULT_CAPTION_OPTIONS, trigger: 'sks' } }),
      poolItemRunner(closed, env()),
    );
    assert.equal(captionOnly.report.job.done, 4, 'a new trigger word rewrites every caption, without a worker');
    assert.match(readFileSync(join(out, '10_alice', 'a1.txt'), 'utf8'), /^sks, /);
  });
});
