/** Export and process jobs run from inside VS Code (through the data worker and its job pool), and the Jobs view. */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { hostContext, hostLog } from '../hostContext.ts';
import { activeTagbench } from './extensionUnderTest.ts';
import { hashImages, imagesOnDisk } from './datasetFiles.ts';
import type { TagbenchApi } from '../../../src/extension.ts';
import type { DatasetSession } from '../../../src/vscode/datasetSession.ts';

describe('jobs', function () {
  this.timeout(120_000);
  let api: TagbenchApi;
  let session: DatasetSession;

  before(async () => {
    api = (await activeTagbench()).exports;
    const folder = vscode.workspace.workspaceFolders![0]!;
    session = api.registry.sessionFor(folder);
    await session.index({ notify: false });
  });

  it('exports a kohya training set in worker threads, with progress, and lists the job in the Jobs view', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'tagbench-export-')), 'kohya');
    const data = await session.data();
    const jobId = await data.request('planJob', { spec: {
      kind: 'export', source: { query: 'folder:10_alice' }, force: false,
      params: { format: 'kohya', out, name: 'alice', repeats: 4, resolution: 512, crop: 'auto', classTokens: 'woman', testFraction: 0,
        caption: { trigger: 'ohwx', separator: ', ', underscoresToSpaces: true, escapeParentheses: true, blacklist: [] } },
    } });
    // What the export must give, from the files: every image under 10_alice (its outfits subfolder too).
    const expected = imagesOnDisk(hostContext().dataset, '10_alice');
    assert.ok(expected.length > 1);
    const seen: number[] = [];
    const listener = session.onJobProgress((p) => { if (p.jobId === jobId) seen.push(p.done); });
    const started = performance.now();
    const report = await data.request('runJob', { jobId, workers: 2, retryFailed: false });
    listener.dispose();
    hostLog(`export of ${expected.length} images: ${Math.round(performance.now() - started)} ms`);
    assert.deepEqual([report.job.state, report.job.total, report.job.done, report.job.failed], ['done', expected.length, expected.length, 0]);
    assert.ok(seen.length > 0, 'progress arrived');
    const exported = readdirSync(join(out, '4_alice'));
    const images = exported.filter((f) => !f.endsWith('.txt'));
    assert.equal(images.length, expected.length);
    for (const image of images) {
      const caption = readFileSync(join(out, '4_alice', image.replace(/\.[^.]+$/, '.txt')), 'utf8');
      assert.match(caption, /^ohwx(, |\n?$)/, `${image}: the trigger word first`);
    }
    assert.equal(exported.length, 2 * expected.length, 'one caption per image, nothing else');
    assert.match(readFileSync(join(out, 'dataset.toml'), 'utf8'), /num_repeats = 4/);
    assert.equal(report.details.stepsPerEpoch, expected.length * 4);
    const nodes = await api.jobs.getChildren();
    const node = nodes.find((n) => n.kind === 'job' && n.job.id === jobId);
    assert.ok(node, 'the job is in the Jobs view');
    assert.match(String(api.jobs.getTreeItem(node).description), new RegExp(`^done · ${expected.length}/${expected.length}`));
  });

  it('processes images into .tagbench/derived without touching the originals', async () => {
    const data = await session.data();
    const dataset = hostContext().dataset;
    const bob = imagesOnDisk(dataset, '5_bob');
    assert.ok(bob.length > 1);
    const originals = hashImages(dataset);
    const jobId = await data.request('planJob', { spec: { kind: 'process', query: 'folder:5_bob', params: { crop: 'auto', resize: { resolution: 512, mode: 'crop', allowUpscale: false }, upscale: null, format: 'auto', quality: 95, flatten: null } } });
    const report = await data.request('runJob', { jobId, workers: 2, retryFailed: false });
    assert.deepEqual([report.job.state, report.job.done + report.job.skipped, report.job.failed], ['done', bob.length, 0]);
    // Every original image of the dataset has the same bytes, and no image file appeared beside them.
    assert.deepEqual(hashImages(dataset), originals);
    // One derived file per 5_bob image, by stem.
    const derived = readdirSync(join(dataset, '.tagbench', 'derived', '5_bob')).map((f) => f.replace(/\.[^.]+$/, '')).sort();
    assert.deepEqual(derived, bob.map((p) => p.slice('5_bob/'.length).replace(/\.[^.]+$/, '')).sort());
  });
});
