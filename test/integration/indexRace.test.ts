import assert from 'node:assert/strict';
import { utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { indexDataset } from '../../src/core/index/indexer.ts';
import { openIndexDatabase } from '../../src/core/index/database.ts';
import { searchImages } from '../../src/core/index/search.ts';
import { applyBatch, planBatch } from '../../src/core/edits/batchEdit.ts';
import { makeTempDir, removeTempDirs } from '../helpers/tempDir.ts';

const IMAGES = 12;

describe('an index run and a batch edit at the same time', function () {
  this.timeout(60_000);
  let root: string;
  const indexFile = (): string => join(root, '.tagbench', 'index.db');

  beforeEach(async () => {
    root = makeTempDir();
    for (let i = 0; i < IMAGES; i++) {
      await sharp({ create: { width: 16 + i, height: 16, channels: 3, background: { r: i * 20, g: 40, b: 90 } } })
        .png()
        .toFile(join(root, `img${i}.png`));
      writeFileSync(join(root, `img${i}.txt`), `cat, sky ${i}\n`);
    }
    await indexDataset(root, { thumbnails: false });
  });
  afterEach(removeTempDirs);

  it('keeps the captions the batch wrote when the run read them just before', async () => {
    // Touch the images so the run reads them (and their captions) again.
    const later = new Date(Date.now() + 5_000);
    for (let i = 0; i < IMAGES; i++) utimesSync(join(root, `img${i}.png`), later, later);
    let applied = false;
    const batch = (): void => {
      const { db } = openIndexDatabase(indexFile());
      try {
        const targets = searchImages(db, '', { limit: 1000 }).items.map((item) => ({ id: item.id, path: item.path }));
        const result = applyBatch(
          root,
          db,
          planBatch(root, targets, { kind: 'addTags', tags: ['ohwx'], position: 'start' }, '.txt'),
        );
        assert.equal(result.changed, IMAGES);
      } finally {
        db.close();
      }
      applied = true;
    };
    await indexDataset(root, {
      thumbnails: false,
      // Every caption has been read by now, and the last outcome is not yet written.
      onProgress: (p) => {
        if (p.phase === 'read' && p.done === p.total && !applied) batch();
      },
    });
    assert.ok(applied, 'the batch ran while the index run was reading');
    const { db } = openIndexDatabase(indexFile());
    try {
      assert.equal(
        searchImages(db, 'ohwx', { limit: 0 }).total,
        IMAGES,
        'every image has the tag the batch added, in the index',
      );
      const stale = searchImages(db, '', { limit: 1000 }).items.filter((item) => !item.caption?.startsWith('ohwx, '));
      assert.deepEqual(
        stale.map((item) => `${item.path}: ${item.caption}`),
        [],
      );
    } finally {
      db.close();
    }
    // A later run finds nothing to fix.
    const again = await indexDataset(root, { thumbnails: false });
    assert.equal(again.captionsChanged, 0);
  });
});
