import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { indexDataset } from '../../src/core/index/indexer.ts';
import { openDatasetIndex } from '../../src/core/index/datasetIndex.ts';
import { searchImages } from '../../src/core/index/search.ts';
import { closeEditLocks, withEditLock } from '../../src/core/edits/editLock.ts';
import { undoLastBatch } from '../../src/core/edits/batchUndo.ts';
import { stopMessage } from '../../src/core/edits/batchFiles.ts';
import { applyBatch, planBatch } from '../../src/core/edits/batchEdit.ts';
import { snapshotFiles } from '../helpers/datasetSnapshot.ts';
import { mountSmallDisk } from '../helpers/smallDisk.ts';
import type { SmallDisk } from '../helpers/smallDisk.ts';
import { runCli } from '../helpers/runCli.ts';

interface BatchJson {
  batch: string | null;
  changed: number;
  conflicts: number;
  outcome: string;
  error?: string;
  stopped?: { reason: string; written: number; planned: number; indexUpdated: boolean };
}

const IMAGES = 120;

describe('a batch edit on a full disk (a real small filesystem)', function () {
  this.timeout(300_000);
  let disk: SmallDisk;
  let root: string;
  let png: Buffer;
  const caption = (i: number): string => `girl ${i}, sky, smile, ${'a long description'.repeat(3)}\n`;
  const renamed = (i: number): string => caption(i).replace('sky', 'blue sky');
  const captionFile = (i: number): string => join(root, `img${String(i).padStart(3, '0')}.txt`);
  const captions = (): string[] => Array.from({ length: IMAGES }, (_, i) => readFileSync(captionFile(i), 'utf8'));
  const indexed = (query: string): number => {
    const { db } = openDatasetIndex(root);
    try {
      return searchImages(db, query, { limit: 0 }).total;
    } finally {
      db.close();
    }
  };

  before(async function () {
    try {
      disk = mountSmallDisk(4096);
    } catch (err) {
      assert.fail((err as Error).message);
    }
    png = await sharp({ create: { width: 4, height: 4, channels: 3, background: { r: 10, g: 20, b: 30 } } })
      .png()
      .toBuffer();
  });
  after(() => disk?.dispose());

  beforeEach(async () => {
    disk.unfill();
    for (const name of readdirSync(disk.dir)) rmSync(join(disk.dir, name), { recursive: true, force: true });
    root = join(disk.dir, 'dataset');
    rmSync(root, { recursive: true, force: true });
    mkdirSync(root);
    for (let i = 0; i < IMAGES; i++) {
      writeFileSync(join(root, `img${String(i).padStart(3, '0')}.png`), Buffer.concat([png, Buffer.from(String(i))]));
      writeFileSync(captionFile(i), caption(i));
    }
    await indexDataset(root, { thumbnails: false });
    closeEditLocks();
  });

  for (const free of [0, 16 * 1024, 128 * 1024]) {
    it(`with ${free / 1024} KB free: one clear message, no caption half-written, and undo or a re-run completes it`, async () => {
      disk.fill(free);
      const run = await runCli(['tags', root, 'rename', 'sky', 'blue sky', '--json']);
      const report = JSON.parse(run.stdout || 'null') as BatchJson | null;
      const now = captions();
      const changed = now.filter((text, i) => text === renamed(i)).length;
      assert.equal(
        now.filter((text, i) => text !== renamed(i) && text !== caption(i)).length,
        0,
        'every caption is as it was or as the batch makes it',
      );
      if (run.code === 0) {
        assert.equal(changed, IMAGES, 'a batch that says it succeeded changed everything');
      } else {
        assert.equal(run.code, 1);
        assert.doesNotMatch(run.stderr, /\n {4}at /, 'no stack trace');
        const message = report?.error ?? run.stderr;
        if (report === null) {
          assert.equal(changed, 0, 'a batch that could not start changed nothing');
          assert.match(run.stderr, /^tagbench: [^\n]*disk is full[^\n]*\n$/, 'one sentence');
        } else {
          assert.equal(report.changed, changed, 'the report counts what is on disk');
          assert.match(
            message,
            new RegExp(
              `^(The disk filled up after ${changed} of ${IMAGES} files were changed\\. "tagbench undo .*" puts them back, or free some space and run the same batch again to finish it\\.|All ${IMAGES} files were written\\.)`,
            ),
          );
          if (report.stopped?.indexUpdated === false)
            assert.match(message, /The index could not be updated \(.*\); "tagbench index .*" brings it up to date\.$/);
        }
      }

      disk.unfill();
      if (changed > 0) {
        const undo = await runCli(['undo', root, '--json']);
        assert.equal(undo.code, 0, undo.stderr);
        assert.deepEqual(
          captions(),
          Array.from({ length: IMAGES }, (_, i) => caption(i)),
          'undo puts every caption back',
        );
        assert.equal(indexed('"blue sky"'), 0, 'and the index follows');
        assert.equal(indexed('sky'), IMAGES);
      }
      disk.fill(free);
      const again = await runCli(['tags', root, 'rename', 'sky', 'blue sky', '--json']);
      disk.unfill();
      // An index a full disk kept from opening may need rebuilding first (what its message says to do).
      await runCli(['index', root, '--no-thumbs']);
      const rerun = await runCli(['tags', root, 'rename', 'sky', 'blue sky', '--json']);
      assert.equal(rerun.code, 0, rerun.stderr);
      assert.deepEqual(
        captions(),
        Array.from({ length: IMAGES }, (_, i) => renamed(i)),
        `a re-run with space finishes the batch (${again.code})`,
      );
      const reindex = await runCli(['index', root, '--no-thumbs', '--json']);
      assert.equal(reindex.code, 0, reindex.stderr);
      assert.equal(indexed('"blue sky"'), IMAGES, 'the index is up to date after the next index run');
    });
  }

  it('touches nothing when even the journal cannot be written', () => {
    const { db } = openDatasetIndex(root);
    try {
      const targets = searchImages(db, '', { limit: IMAGES }).items.map((i) => ({ id: i.id, path: i.path }));
      const plan = planBatch(
        root,
        targets,
        { kind: 'replaceTag', find: 'sky', replace: 'blue sky', regex: false },
        '.txt',
      );
      const before = snapshotFiles(root);
      disk.fill(0);
      assert.throws(
        () => applyBatch(root, db, plan),
        /^BatchNotStartedError: The disk is full: the journal could not be written, so nothing was changed\. Free some space and try again\.$/,
      );
      assert.deepEqual(snapshotFiles(root), before);
    } finally {
      disk.unfill();
      db.close();
    }
  });

  it('stops cleanly when the disk fills up between captions; undo puts back what was written, a re-run finishes', async () => {
    // Captions that need one more 4 KB page each once edited, and room for the journal and a few of them.
    const COUNT = 30;
    const long = (i: number): string => `girl ${i}, sky, ${'x'.repeat(4000)}\n`;
    for (let i = 0; i < IMAGES; i++) rmSync(captionFile(i), { force: true });
    for (let i = 0; i < COUNT; i++) writeFileSync(captionFile(i), long(i));
    await indexDataset(root, { thumbnails: false });
    const { db } = openDatasetIndex(root);
    try {
      withEditLock(root, { purpose: 'test' }, () => 0);
      const targets = searchImages(db, '', { limit: IMAGES })
        .items.map((i) => ({ id: i.id, path: i.path }))
        .filter((t) => Number(t.path.slice(3, 6)) < COUNT);
      const action = { kind: 'replaceTag', find: 'sky', replace: `blue sky ${'y'.repeat(300)}`, regex: false } as const;
      const plan = planBatch(root, targets, action, '.txt');
      const journal = plan.captions.reduce((n, c) => n + (c.before?.length ?? 0) + c.after.length + 300, 1000);
      disk.fill(Math.ceil(journal / 4096) * 4096 + 8 * 4096);
      const result = applyBatch(root, db, plan);
      disk.unfill();
      assert.equal(result.stopped?.reason, 'disk-full');
      const written = result.stopped!.written;
      assert.ok(written > 0 && written < COUNT, `stopped after ${written} of ${COUNT}`);
      const edited = Array.from({ length: COUNT }, (_, i) => readFileSync(captionFile(i), 'utf8')).filter(
        (t, i) => t !== long(i),
      );
      assert.equal(edited.length, written, 'the count is what is on disk');
      assert.ok(
        edited.every((t) => t.includes('blue sky')),
        'no caption half-written',
      );
      assert.match(
        stopMessage(result.stopped!, 'batch', { undo: 'tagbench undo DIR', index: 'tagbench index DIR' }),
        new RegExp(
          `^The disk filled up after ${written} of ${COUNT} files were changed\\. tagbench undo DIR puts them back, or free some space and run the same batch again to finish it\\.`,
        ),
      );

      const undone = undoLastBatch(root, db)!;
      assert.deepEqual([undone.changed, undone.conflicts.length], [written, 0]);
      assert.deepEqual(
        Array.from({ length: COUNT }, (_, i) => readFileSync(captionFile(i), 'utf8')),
        Array.from({ length: COUNT }, (_, i) => long(i)),
      );
      assert.equal(searchImages(db, 'sky', { limit: 0 }).total, COUNT, 'the index follows the undo');

      disk.fill(Math.ceil(journal / 4096) * 4096 + 8 * 4096);
      const first = applyBatch(root, db, planBatch(root, targets, action, '.txt'));
      disk.unfill();
      const rerun = applyBatch(root, db, planBatch(root, targets, action, '.txt'));
      assert.equal(rerun.stopped, undefined);
      assert.equal(first.changed + rerun.changed, COUNT);
      assert.ok(
        Array.from({ length: COUNT }, (_, i) => readFileSync(captionFile(i), 'utf8')).every((t) =>
          t.includes('blue sky'),
        ),
        'the re-run finishes the batch',
      );
      assert.equal(
        searchImages(db, 'sky', { limit: 0 }).total,
        0,
        'the re-run also brings up to date the rows a failed index update missed',
      );
      await indexDataset(root, { thumbnails: false });
      assert.equal(searchImages(db, 'sky', { limit: 0 }).total, 0, 'and an index run agrees');
    } finally {
      disk.unfill();
      db.close();
    }
  });
});
