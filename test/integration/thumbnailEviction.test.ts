/** Thumbnails whose content is no longer in the index are removed by the next index run; the others stay. */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import BetterSqlite3 from 'better-sqlite3';
import { indexDataset } from '../../src/core/index/indexer.ts';
import { datasetLayout } from '../../src/core/dataset/datasetLayout.ts';
import { storeThumbnail, thumbnailFile } from '../../src/core/imaging/thumbnailCache.ts';
import { makeTempDir, removeTempDirs } from '../helpers/tempDir.ts';

function thumbs(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => e.name)
    .sort();
}

describe('thumbnail eviction', function () {
  this.timeout(60_000);
  after(removeTempDirs);

  it('removes the thumbnails of removed and changed images after an index run, and keeps the rest', async () => {
    const root = join(makeTempDir(), 'ds');
    mkdirSync(root);
    const colours = ['#aa0000', '#00aa00', '#0000aa', '#aaaa00'];
    for (const [i, colour] of colours.entries()) {
      await sharp({ create: { width: 80, height: 60, channels: 3, background: colour } })
        .png()
        .toFile(join(root, `img${i}.png`));
    }
    await indexDataset(root);
    const dir = datasetLayout(root).thumbsDir;
    const before = thumbs(dir);
    assert.equal(before.length, 4);
    // A thumbnail of another size, made on demand for a live image, is kept.
    const db = new BetterSqlite3(datasetLayout(root).indexFile, { readonly: true });
    const liveSha = db.prepare("SELECT sha256 FROM images WHERE path = 'img3.png'").pluck().get() as string;
    db.close();
    storeThumbnail(thumbnailFile(dir, liveSha, 128), Buffer.from('webp'));

    rmSync(join(root, 'img0.png'));
    await sharp({ create: { width: 80, height: 60, channels: 3, background: '#ffffff' } })
      .png()
      .toFile(join(root, 'img1.png'));
    const summary = await indexDataset(root);
    assert.deepEqual([summary.removed, summary.changed], [1, 1]);
    const after = thumbs(dir);
    assert.equal(after.filter((n) => n.endsWith('-256.webp')).length, 3, 'img1 (new content), img2, img3');
    assert.equal(summary.thumbnailsRemoved, 2, 'the old content of img0 and img1');
    const removedShas = before.map((n) => n.slice(0, 64)).filter((sha) => !after.some((n) => n.startsWith(sha)));
    assert.equal(removedShas.length, 2);
    assert.ok(after.includes(`${liveSha}-128.webp`), 'another size of a live image stays');

    // A run that changed nothing does not list the cache; the next one that removes content does.
    const stray = thumbnailFile(dir, 'cd'.padEnd(64, '1'), 256);
    storeThumbnail(stray, Buffer.from('webp'));
    assert.equal((await indexDataset(root)).thumbnailsRemoved, 0);
    assert.ok(existsSync(stray));
    rmSync(join(root, 'img2.png'));
    assert.equal((await indexDataset(root)).thumbnailsRemoved, 2, 'img2 and the stray one');
    assert.ok(!existsSync(stray));
  });
});
