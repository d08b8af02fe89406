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
    assert.deepEqual(service.search('(smile', 0, 10), { error: { message: 'Missing ")" for "(" at column 1', position: 0, length: 1 } });
  });

  it('pages results with offsets', () => {
    const all = service.search('', 0, 100);
    assert.ok(!('error' in all));
    const page = service.search('', 10, 5);
    assert.ok(!('error' in page));
    assert.equal(page.total, 30);
    assert.deepEqual(page.items.map((i) => i.id), all.items.slice(10, 15).map((i) => i.id));
  });

  it('walks a query\'s results with neighbour()', () => {
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

  it('previews a batch, asks for confirmation above the threshold, applies exactly the preview', () => {
    const preview = service.previewBatch({ kind: 'query', query: 'folder:5_bob', except: [] }, { kind: 'addTags', tags: ['bobby'], position: 'end' });
    assert.ok(preview.changed > 0);
    assert.equal(preview.needsConfirmation, preview.changed > 5);
    assert.ok(preview.changes.every((c) => c.after?.includes('bobby')));
    const outcome = service.applyBatch(preview.planId);
    assert.equal(outcome.changed, preview.changed);
    assert.throws(() => service.applyBatch(preview.planId), /out of date/);
    assert.equal(service.canUndo(), true);
    const undone = service.undoBatch()!;
    assert.equal(undone.changed, preview.changed);
  });

  it('creates projects from a selection or a query', () => {
    const made = service.createProject('Bob set', { kind: 'query', query: 'folder:5_bob', except: [] }, null, 'bob');
    assert.ok(made.images > 0);
    assert.ok(existsSync(made.file));
    const saved = service.createProject('Alice query', null, 'folder:10_alice', 'alice');
    assert.ok(saved.images > 0);
    assert.deepEqual(service.listProjects().projects.map((p) => p.name), ['Alice query', 'Bob set']);
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
