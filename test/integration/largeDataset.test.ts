import assert from 'node:assert/strict';
import { readdirSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { indexDataset } from '../../src/core/index/indexer.ts';
import { openDatasetIndex } from '../../src/core/index/datasetIndex.ts';
import { searchImages } from '../../src/core/index/search.ts';
import { generateSample } from '../sample/sampleDataset.ts';
import { makeTempDir, removeTempDirs } from '../helpers/tempDir.ts';

describe('a folder of 10,000 images, indexed incrementally', function () {
  this.timeout(300_000);
  let root: string;
  let files: string[];

  before(async () => {
    root = join(makeTempDir(), 'large');
    files = (await generateSample(root, { count: 10_000, width: 64, height: 48, format: 'jpg', seed: 3 })).files;
  });
  after(removeTempDirs);

  it('indexes all of them', async () => {
    const summary = await indexDataset(root);
    assert.equal(summary.images, 10_000);
    assert.equal(summary.new, 10_000);
    assert.equal(summary.errors, 0);
  });

  it('rescans without reading anything when nothing changed', async () => {
    const summary = await indexDataset(root);
    assert.deepEqual(
      [summary.new, summary.changed, summary.removed, summary.captionsChanged, summary.thumbnailsMade],
      [0, 0, 0, 0, 0],
    );
    assert.ok(summary.durationMs < 10_000, `rescan took ${summary.durationMs} ms`);
  });

  it('reads only what changed: new, deleted, moved images and edited captions', async () => {
    const images = files.filter((f) => f.endsWith('.jpg'));
    const captions = files.filter((f) => f.endsWith('.txt'));
    for (const f of images.slice(0, 5)) unlinkSync(join(root, f));
    for (const f of captions.slice(-7)) writeFileSync(join(root, f), 'edited, by hand');
    const movedFrom = images[100]!;
    renameSync(join(root, movedFrom), join(root, 'moved-here.jpg'));
    await generateSample(join(root, 'added'), { count: 12, width: 64, height: 48, format: 'jpg', seed: 99 });

    const summary = await indexDataset(root);
    const added = readdirSync(join(root, 'added'), { recursive: true }).filter((f) =>
      String(f).endsWith('.jpg'),
    ).length;
    assert.equal(summary.new, added);
    assert.equal(summary.removed, 5);
    assert.equal(summary.moved, 1);
    assert.equal(summary.changed, 0);
    // Exactly the edited captions beside images still in place are read again, and only the new images are decoded.
    const stem = (f: string): string => f.replace(/\.[^.]+$/, '');
    const gone = new Set([...images.slice(0, 5), movedFrom].map(stem));
    const editedInPlace = captions.slice(-7).filter((c) => !gone.has(stem(c)));
    assert.equal(editedInPlace.length, 7);
    assert.equal(summary.captionsChanged, editedInPlace.length);
    assert.equal(summary.thumbnailsMade, added);
    assert.equal(summary.images, 10_000 - 5 + added);

    const { db } = openDatasetIndex(root);
    try {
      assert.equal(searchImages(db, '"by hand"', { limit: 0 }).total, 7);
      // The captions left without their image (the deleted ones' and the moved one's) are the only new problems.
      const orphans = captions.filter((c) => gone.has(stem(c))).sort();
      assert.ok(orphans.length >= 1);
      assert.deepEqual(
        db.prepare('SELECT path, kind FROM problems ORDER BY path').all(),
        orphans.map((path) => ({ path, kind: 'caption-without-image' })),
      );
      assert.equal(searchImages(db, '', { limit: 0 }).total, summary.images);
    } finally {
      db.close();
    }
  });
});
