import assert from 'node:assert/strict';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { DatasetService } from '../../src/core/service/datasetService.ts';
import { indexDataset } from '../../src/core/index/indexer.ts';
import { generateSample } from '../sample/sampleDataset.ts';
import { makeTempDir, removeTempDirs } from '../helpers/tempDir.ts';

describe('the dataset service', function () {
  this.timeout(60_000);
  let root: string;
  let service: DatasetService;

  before(async () => {
    root = join(makeTempDir(), 'ds');
    await generateSample(root, { count: 30, seed: 11 });
    await indexDataset(root, { thumbnails: false });
    service = new DatasetService(root, { captionExtension: '.txt', thumbnailSize: 256, batchConfirmThreshold: 5 });
  });
  after(() => {
    service.close();
    removeTempDirs();
  });

  it('answers a malformed query with its problem instead of throwing', () => {
    assert.deepEqual(service.search('(smile', 0, 10), {
      error: { message: 'Missing ")" for "(" at column 1', position: 0, length: 1 },
    });
  });

  it('pages results with offsets', () => {
    const all = service.search('', 0, 100);
    assert.ok(!('error' in all));
    const page = service.search('', 10, 5);
    assert.ok(!('error' in page));
    assert.equal(page.total, 30);
    assert.deepEqual(
      page.items.map((i) => i.id),
      all.items.slice(10, 15).map((i) => i.id),
    );
  });

  it("walks a query's results with neighbour()", () => {
    const all = service.search('folder:10_alice', 0, 100);
    assert.ok(!('error' in all));
    const [first, second] = all.items;
    assert.deepEqual(service.neighbour('folder:10_alice', first!.id, 1), { id: second!.id, path: second!.path });
    assert.equal(service.neighbour('folder:10_alice', first!.id, -1), null);
  });

  it('resolves a select-all selection minus exceptions, in result order', () => {
    const all = service.search('', 0, 100);
    assert.ok(!('error' in all));
    const except = [all.items[0]!.id, all.items[5]!.id];
    const resolved = service.resolveSelection({ kind: 'query', query: '', except });
    assert.equal(resolved.length, 28);
    assert.ok(!resolved.some((r) => except.includes(r.id)));
  });

  it('previews a batch, asks for confirmation above the threshold, applies exactly the preview', async () => {
    const preview = service.previewBatch(
      { kind: 'query', query: 'folder:5_bob', except: [] },
      { kind: 'addTags', tags: ['bobby'], position: 'end' },
    );
    assert.ok(preview.changed > 0);
    assert.equal(preview.needsConfirmation, preview.changed > 5);
    assert.ok(preview.changes.every((c) => c.after?.includes('bobby')));
    const outcome = await service.applyBatch(preview.planId);
    assert.equal(outcome.changed, preview.changed);
    await assert.rejects(service.applyBatch(preview.planId), /out of date/);
    assert.equal(service.canUndo(), true);
    const undone = (await service.undoBatch())!;
    assert.equal(undone.changed, preview.changed);
  });

  it('says what a batch changed out of the images it was asked to touch, and redoes an undone batch until a new one comes', async () => {
    const total = (query: string): number => {
      const page = service.search(query, 0, 0);
      assert.ok(!('error' in page));
      return page.total;
    };
    const images = total('folder:5_bob');
    const stats = service.tagFrequencies('folder:5_bob', 1000);
    assert.ok(!('error' in stats));
    const tag = stats.tags.find((t) => t.count > 1 && t.count < images && !/[\s_():*]/.test(t.tag))!.tag;
    const withTag = total(`folder:5_bob ${tag}`);
    const preview = service.previewBatch(
      { kind: 'query', query: 'folder:5_bob', except: [] },
      { kind: 'removeTags', tags: [tag] },
    );
    assert.equal(preview.summary, `Remove "${tag}" from ${images} images`);
    const outcome = await service.applyBatch(preview.planId);
    assert.equal(outcome.summary, `Removed "${tag}" from ${withTag} of ${images} images`);
    assert.equal(total(`folder:5_bob ${tag}`), 0);
    assert.equal(service.canRedo(), false);

    const undone = (await service.undoBatch())!;
    assert.equal(undone.summary, `Undid: Remove "${tag}" from ${images} images (${withTag} files restored)`);
    assert.equal(service.canRedo(), true);
    assert.equal(total(`folder:5_bob ${tag}`), withTag, 'the index follows the undo at once');
    const redone = (await service.redoBatch())!;
    assert.equal(redone.summary, `Redid: Remove "${tag}" from ${images} images (${withTag} files changed again)`);
    assert.equal(total(`folder:5_bob ${tag}`), 0, 'the index follows the redo at once');
    assert.equal(service.canRedo(), false);
    assert.equal(await service.redoBatch(), null);

    await service.undoBatch();
    assert.equal(service.canRedo(), true);
    const one = service.resolveSelection({ kind: 'query', query: 'folder:5_bob', except: [] })[0]!;
    const other = service.previewBatch(
      { kind: 'ids', ids: [one.id] },
      { kind: 'addTags', tags: ['new batch'], position: 'end' },
    );
    await service.applyBatch(other.planId);
    assert.equal(service.canRedo(), false, 'a new batch after an undo clears redo');
    assert.equal(await service.redoBatch(), null);
    await service.undoBatch();
  });

  it('creates projects from a selection or a query', () => {
    const made = service.createProject('Bob set', { kind: 'query', query: 'folder:5_bob', except: [] }, null, 'bob');
    assert.ok(made.images > 0);
    assert.ok(existsSync(made.file));
    const saved = service.createProject('Alice query', null, 'folder:10_alice', 'alice');
    assert.ok(saved.images > 0);
    assert.deepEqual(
      service.listProjects().projects.map((p) => p.name),
      ['Alice query', 'Bob set'],
    );
    assert.throws(() => service.createProject('Bad', null, 'widht>3', ''), /Unknown field/);
  });

  it('makes a missing thumbnail on demand', async () => {
    const page = service.search('', 0, 1);
    assert.ok(!('error' in page));
    const file = await service.ensureThumbnail(page.items[0]!.id);
    assert.ok(file && existsSync(file));
    assert.equal(await service.ensureThumbnail(999_999), null);
  });
});
