/** Exports that must not escape their folder: links to the dataset, the filesystem root, links inside the export, caption inputs. */
import assert from 'node:assert/strict';
import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { indexDataset } from '../../src/core/index/indexer.ts';
import { openDatasetIndex } from '../../src/core/index/datasetIndex.ts';
import { planJob, runPlannedJob } from '../../src/core/jobs/jobService.ts';
import type { ExportJobSpec } from '../../src/core/jobs/jobService.ts';
import { jobItems } from '../../src/core/jobs/jobStore.ts';
import { DEFAULT_CAPTION_OPTIONS } from '../../src/core/export/captionFormat.ts';
import { createJobPool, poolItemRunner } from '../../src/workers/jobPool.ts';
import { makeTempDir, removeTempDirs } from '../helpers/tempDir.ts';
import { snapshotFiles } from '../helpers/datasetSnapshot.ts';
import { runCli, runCliAs } from '../helpers/runCli.ts';

describe('exports that cannot escape', function () {
  this.timeout(120_000);
  let base: string;
  let root: string;
  const pool = createJobPool(2);
  const spec = (
    out: string,
    extra: Partial<ExportJobSpec['params']> = {},
    query = '',
    force = false,
  ): ExportJobSpec => ({
    kind: 'export',
    source: { query },
    force,
    params: {
      format: 'kohya',
      out,
      name: 'alice',
      repeats: 10,
      resolution: null,
      crop: 'none',
      caption: { ...DEFAULT_CAPTION_OPTIONS, trigger: 'ohwx' },
      classTokens: '',
      testFraction: 0,
      ...extra,
    },
  });
  const plan = (s: ExportJobSpec): number => {
    const { db } = openDatasetIndex(root);
    try {
      return planJob(db, root, s);
    } finally {
      db.close();
    }
  };
  const run = async (s: ExportJobSpec) => {
    const { db } = openDatasetIndex(root);
    try {
      const id = planJob(db, root, s);
      const report = await runPlannedJob(
        db,
        id,
        poolItemRunner(pool, { root, captionExtension: '.txt', maxPixels: 268_402_689 }),
        { concurrency: 2 },
      );
      return { report, failed: jobItems(db, id, 'failed') };
    } finally {
      db.close();
    }
  };

  before(async () => {
    base = makeTempDir();
    root = join(base, 'ds');
    mkdirSync(join(root, '10_alice'), { recursive: true });
    for (const [i, colour] of ['#c86432', '#3264c8', '#32c864'].entries()) {
      await sharp({ create: { width: 64, height: 48, channels: 3, background: colour } })
        .jpeg()
        .toFile(join(root, '10_alice', `a${i}.jpg`));
      writeFileSync(join(root, '10_alice', `a${i}.txt`), `alice, picture_${i}`);
    }
    await indexDataset(root);
  });
  after(async () => {
    await pool.destroy();
    removeTempDirs();
  });

  it('refuses --out <link to the dataset>/new, which does not exist yet, and writes nothing into the dataset', async () => {
    symlinkSync(root, join(base, 'link'));
    const before = snapshotFiles(root);
    const result = await runCli(['export', root, '--out', join(base, 'link', 'new'), '--format', 'plain']);
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /inside the dataset/);
    assert.equal(existsSync(join(root, 'new')), false);
    assert.deepEqual(snapshotFiles(root), before);
  });

  it('refuses --out / with --force and writes nothing into /', async () => {
    const rootListing = readdirSync('/').sort();
    // Run as an unprivileged user, so that a regression fails to write instead of writing into /.
    let result;
    if (process.getuid?.() === 0) {
      chmodSync(base, 0o755);
      const open = (dir: string): void => {
        chmodSync(dir, 0o777);
        for (const e of readdirSync(dir, { withFileTypes: true }))
          if (e.isDirectory()) open(join(dir, e.name));
          else chmodSync(join(dir, e.name), 0o666);
      };
      open(root);
      result = await runCliAs(65534, ['export', root, '--out', '/', '--force', '--format', 'plain']);
    } else {
      result = await runCli(['export', root, '--out', '/', '--force', '--format', 'plain']);
    }
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /root of the filesystem/);
    assert.deepEqual(readdirSync('/').sort(), rootListing);
    assert.throws(() => plan(spec('/', {}, '', true)), /root of the filesystem/);
  });

  it('never writes or deletes through a link inside the export folder', async () => {
    const out = join(makeTempDir(), 'export');
    const first = await run(spec(out));
    assert.equal(first.report.job.done, 3);
    // The concept folder inside the export becomes a link to a folder outside it.
    const outside = makeTempDir();
    cpSync(join(out, '10_alice'), outside, { recursive: true });
    rmSync(join(out, '10_alice'), { recursive: true });
    symlinkSync(outside, join(out, '10_alice'));
    const untouched = snapshotFiles(outside);
    writeFileSync(join(root, '10_alice', 'a0.txt'), 'alice, edited');
    await indexDataset(root);
    const second = await run(spec(out));
    assert.deepEqual(snapshotFiles(outside), untouched, 'nothing was written or deleted through the link');
    assert.equal(second.failed.length, 3);
    assert.match(second.failed[0]!.error!, /10_alice is a link, and an export never writes or deletes through links/);
    // The images are not part of this export, so their old outputs would go: they are behind the link, and stay.
    const warnings = (second.report.details as { warnings: string[] }).warnings;
    assert.deepEqual(warnings, [
      '6 old output files behind the link 10_alice were left in place (an export never deletes through links).',
    ]);
  });

  it('refuses a trigger word with a line break, and control characters in the other caption inputs', async () => {
    const out = join(makeTempDir(), 'export');
    const result = await runCli(['export', root, '--out', out, '--trigger', 'ohwx\nwoman']);
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /--trigger.*line break/);
    assert.equal(existsSync(out), false);
    for (const [flag, value] of [
      ['--class-tokens', 'woman\r'],
      ['--name', 'alice\nbob'],
      ['--blacklist', 'watermark,sig\tnature'],
    ] as const) {
      const refused = await runCli(['export', root, '--out', out, flag, value]);
      assert.equal(refused.code, 2, `${flag}: ${refused.stderr}`);
      assert.match(refused.stderr, new RegExp(`${flag}.*(line break|control character)`));
    }
    assert.throws(
      () => plan(spec(out, { caption: { ...DEFAULT_CAPTION_OPTIONS, trigger: 'ohwx\nwoman' } })),
      /line break/,
    );
    assert.throws(() => plan(spec(out, { classTokens: 'woman\u0007' })), /control character/);
  });
});
