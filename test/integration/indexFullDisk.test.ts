/**
 * The index on a full disk (a real tmpfs of a few MiB): `tagbench index` and opening an existing
 * index at 0, 16 KiB and 128 KiB free never destroy the index or the job history, say "The disk is
 * full" once, and the next run after space was freed completes.
 */
import assert from 'node:assert/strict';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import BetterSqlite3 from 'better-sqlite3';
import { indexDataset } from '../../src/core/index/indexer.ts';
import { openDatasetIndex } from '../../src/core/index/datasetIndex.ts';
import { createJob, listJobs } from '../../src/core/jobs/jobStore.ts';
import { datasetLayout } from '../../src/core/dataset/datasetLayout.ts';
import { mountSmallDisk } from '../helpers/smallDisk.ts';
import type { SmallDisk } from '../helpers/smallDisk.ts';
import { runCli } from '../helpers/runCli.ts';

async function writeImage(file: string, seed: number): Promise<void> {
  const pixels = Buffer.alloc(48 * 32 * 3);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 31 + seed * 97) % 251;
  await sharp(pixels, { raw: { width: 48, height: 32, channels: 3 } })
    .png()
    .toFile(file);
}

function imageCount(indexFile: string): number {
  const db = new BetterSqlite3(indexFile, { readonly: true });
  try {
    return db.prepare('SELECT count(*) FROM images').pluck().get() as number;
  } finally {
    db.close();
  }
}

describe('a full disk and the index', function () {
  this.timeout(60_000);
  let disk: SmallDisk;

  before(function () {
    disk = mountSmallDisk(4096);
  });
  after(() => disk?.dispose());

  for (const free of [0, 16 * 1024, 128 * 1024]) {
    it(`at ${free / 1024} KiB free: tagbench index and opening the index keep the index and the jobs, and the next run completes`, async () => {
      const root = join(disk.dir, `ds-${free}`);
      mkdirSync(root);
      for (let i = 0; i < 6; i++) await writeImage(join(root, `img${i}.png`), i);
      writeFileSync(join(root, 'img0.txt'), 'first, caption\n');
      await indexDataset(root);
      const layout = datasetLayout(root);
      {
        const { db } = openDatasetIndex(root);
        createJob(db, 'process', 'A paused job', { root }, ['img0.png']);
        db.close();
      }
      for (let i = 6; i < 9; i++) await writeImage(join(root, `img${i}.png`), i);
      writeFileSync(join(root, 'img1.txt'), 'a new caption\n');

      disk.fill(free);
      try {
        const index = await runCli(['index', root, '--json']);
        assert.ok(statSync(layout.indexFile).size > 0, `the index is not emptied (${index.stderr.trim()})`);
        if (index.code !== 0) {
          assert.equal(index.code, 1, index.stderr);
          const lines = index.stderr.trim().split('\n');
          assert.equal(lines.length, 1, index.stderr);
          assert.match(lines[0]!, /^tagbench: The disk is full: /);
        }
        try {
          const { db } = openDatasetIndex(root);
          db.close();
        } catch (err) {
          assert.equal((err as Error).name, 'DiskFullError', (err as Error).message);
          assert.match((err as Error).message, /^The disk is full: /);
        }
        assert.ok(statSync(layout.indexFile).size > 0, 'the index is not emptied');
      } finally {
        disk.unfill();
      }
      assert.ok(imageCount(layout.indexFile) >= 6, 'the index still holds its images');
      assert.equal((await indexDataset(root)).images, 9, 'the next run completes');
      const { db } = openDatasetIndex(root);
      try {
        assert.deepEqual(
          listJobs(db).map((j) => j.title),
          ['A paused job'],
          'the job history is intact',
        );
        assert.equal(db.prepare("SELECT caption FROM images WHERE path = 'img1.png'").pluck().get(), 'a new caption\n');
      } finally {
        db.close();
      }
    });
  }
});
