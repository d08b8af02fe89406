/** The dataset service's tag features: completion merged with a tagcomplete CSV, rules files as batches, sidecars kept in step. */
import assert from 'node:assert/strict';
import { readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { DatasetService } from '../../src/core/service/datasetService.ts';
import { indexDataset } from '../../src/core/index/indexer.ts';
import { tagSuggestions } from '../../src/core/index/imageQueries.ts';
import { formatSidecar, parseSidecar } from '../../src/core/sidecar/sidecar.ts';
import { makeTempDir, removeTempDirs } from '../helpers/tempDir.ts';

const CSV = [
  'name,type,postCount,aliases',
  'blue_eyes,0,900000,"blue_eye,aoi_me"',
  'blush,0,800000,',
  'hatsune_miku,4,120000,"miku,hatsune"',
  'blue_hair,0,500000,',
].join('\n');

describe('the dataset service with tags', function () {
  this.timeout(60_000);
  let root: string;
  let service: DatasetService;
  const settings = { captionExtension: '.txt', thumbnailSize: 256, batchConfirmThreshold: 5 };

  beforeEach(async () => {
    root = makeTempDir();
    const captions = ['alice, blue_eyes, smile', 'alice, blue eyes, blur', 'bob, Blue_Eyes, smile', 'bob, blur'];
    for (const [i, text] of captions.entries()) {
      await sharp({ create: { width: 16 + i, height: 16, channels: 3, background: { r: i * 60, g: 10, b: 10 } } })
        .png()
        .toFile(join(root, `${i}.png`));
      writeFileSync(join(root, `${i}.txt`), text);
    }
    writeFileSync(
      join(root, '0.tagbench.json'),
      formatSidecar({
        tagbench: 1,
        image: { sha256: '0'.repeat(64) },
        tags: [
          { name: 'alice', source: 'user' },
          { name: 'blue_eyes', source: 'model:wd', confidence: 0.9, status: 'accepted' },
          { name: 'smile', source: 'user' },
        ],
      }),
    );
    writeFileSync(join(root, 'tags.csv'), CSV);
    await indexDataset(root, { thumbnails: false });
    service = new DatasetService(root, settings);
  });
  afterEach(() => {
    service.close();
    removeTempDirs();
  });

  it('completes from the dataset alone, as before, without a tag database', () => {
    assert.deepEqual(service.tagSuggestions('bl', 10), tagSuggestions(service.db, 'bl', 10));
    assert.deepEqual(service.tagSuggestions('', 3), tagSuggestions(service.db, '', 3));
    assert.equal(service.tagDatabaseStatus(), null);
  });

  it("merges the dataset's tags with a tag database (relative to the dataset): counts, post counts, categories, aliases to their target", () => {
    service.configure({ ...settings, tagDatabase: 'tags.csv' });
    assert.deepEqual(service.tagDatabaseStatus(), { file: join(root, 'tags.csv'), tags: 4, aliases: 4 });
    const bl = service.tagSuggestions('bl', 10);
    assert.equal(bl[0]!.count, 3, "the dataset's most used tag comes first, spellings added up");
    assert.equal(bl[0]!.postCount, 900000);
    assert.equal(bl[0]!.category, 'general');
    assert.ok(
      bl.some((s) => s.tag === 'blush' && s.count === 0 && s.postCount === 800000),
      'database tags the dataset lacks are offered',
    );
    assert.ok(bl.some((s) => s.tag === 'blur' && s.count === 2 && s.postCount === 0));
    const miku = service.tagSuggestions('miku', 5);
    assert.deepEqual(miku[0], {
      tag: 'hatsune_miku',
      count: 0,
      postCount: 120000,
      category: 'character',
      alias: 'miku',
    });
    assert.ok(service.tagSuggestions('', 3).every((s) => typeof s.tag === 'string' && typeof s.count === 'number'));
  });

  it('reloads the database when its file changes, and reports one that cannot be used', () => {
    service.configure({ ...settings, tagDatabase: join(root, 'tags.csv') });
    assert.equal(service.tagSuggestions('zett', 5).length, 0);
    writeFileSync(join(root, 'tags.csv'), `${CSV}\nzettai_ryouiki,0,100,\n`);
    utimesSync(join(root, 'tags.csv'), new Date(), new Date(Date.now() + 5000));
    assert.equal(service.tagSuggestions('zett', 5)[0]?.tag, 'zettai_ryouiki');

    service.configure({ ...settings, tagDatabase: 'missing.csv' });
    const status = service.tagDatabaseStatus();
    assert.ok(status && 'error' in status && /does not exist/.test(status.error));
    assert.ok(service.tagSuggestions('bl', 5).length > 0, 'completion still works from the dataset');
    writeFileSync(join(root, 'bad.csv'), 'blue_eyes,general,10\n');
    service.configure({ ...settings, tagDatabase: 'bad.csv' });
    const bad = service.tagDatabaseStatus();
    assert.ok(bad && 'error' in bad && /line 1/.test(bad.error), JSON.stringify(bad));
  });

  it('applies a rules file as one batch, keeps the sidecar in step, and undo restores both', async () => {
    writeFileSync(
      join(root, 'rules.json'),
      JSON.stringify({ aliases: { blur: 'blurry' }, blacklist: ['smile'], normalize: true }),
    );
    const preview = service.previewBatch(
      { kind: 'query', query: '', except: [] },
      { kind: 'applyRulesFile', file: 'rules.json' },
    );
    assert.equal(preview.changed, 4);
    assert.match(preview.summary, /rules/i);
    const outcome = await service.applyBatch(preview.planId);
    assert.equal(outcome.changed, 4);
    assert.equal(outcome.conflicts.length, 0);
    assert.equal(readFileSync(join(root, '0.txt'), 'utf8'), 'alice, blue eyes');
    assert.equal(readFileSync(join(root, '1.txt'), 'utf8'), 'alice, blue eyes, blurry');
    const tags = parseSidecar(readFileSync(join(root, '0.tagbench.json'))).tags!;
    assert.deepEqual(
      tags.map((t) => t.name),
      ['alice', 'blue_eyes'],
      'the removed tag left the sidecar; the kept one keeps its provenance',
    );
    assert.equal(tags[1]!.source, 'model:wd');

    const undone = await service.undoBatch();
    assert.equal(undone?.changed, 4);
    assert.equal(readFileSync(join(root, '0.txt'), 'utf8'), 'alice, blue_eyes, smile');
    assert.deepEqual(
      parseSidecar(readFileSync(join(root, '0.tagbench.json'))).tags!.map((t) => t.name),
      ['alice', 'blue_eyes', 'smile'],
    );
  });

  it('refuses a rules file that is not valid, naming the line', () => {
    writeFileSync(join(root, 'rules.json'), '{\n  "aliases": {\n    "a": 3\n  }\n}\n');
    assert.throws(
      () =>
        service.previewBatch({ kind: 'query', query: '', except: [] }, { kind: 'applyRulesFile', file: 'rules.json' }),
      /line 3/,
    );
  });
});
