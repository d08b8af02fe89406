/** Export and process jobs run from inside VS Code (through the data worker and its job pool), and the Jobs view. */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { hostContext, hostLog } from '../hostContext.ts';
import { activeTagbench } from './extensionUnderTest.ts';
import type { TagbenchApi } from '../../../src/extension.ts';
import type { DatasetSession } from '../../../src/vscode/datasetSession.ts';
import type { ExportJobDetails } from '../../../src/core/jobs/jobDetails.ts';

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
    const seen: number[] = [];
    const listener = session.onJobProgress((p) => { if (p.jobId === jobId) seen.push(p.done); });
    const started = performance.now();
    const report = await data.request('runJob', { jobId, workers: 2, retryFailed: false });
    listener.dispose();
    hostLog(`export of ${report.job.total} images: ${Math.round(performance.now() - started)} ms`);
    assert.equal(report.job.state, 'done');
    assert.equal(report.job.failed, 0);
    assert.ok(seen.length > 0, 'progress arrived');
    const images = readdirSync(join(out, '4_alice')).filter((f) => !f.endsWith('.txt'));
    assert.equal(images.length, report.job.total);
    assert.match(readFileSync(join(out, 'dataset.toml'), 'utf8'), /num_repeats = 4/);
    assert.equal((report.details as ExportJobDetails).stepsPerEpoch, report.job.total * 4);
    const nodes = await api.jobs.getChildren();
    const node = nodes.find((n) => n.kind === 'job' && n.job.id === jobId);
    assert.ok(node, 'the job is in the Jobs view');
    assert.match(String(api.jobs.getTreeItem(node).description), new RegExp(`^done · ${report.job.total}/${report.job.total}`));
  });

  it('processes images into .tagbench/derived without touching the originals', async () => {
    const data = await session.data();
    const dataset = hostContext().dataset;
    const jobId = await data.request('planJob', { spec: { kind: 'process', query: 'folder:5_bob', params: { crop: 'auto', resize: { resolution: 512, mode: 'crop', allowUpscale: false }, upscale: null, format: 'auto', quality: 95, flatten: null } } });
    const report = await data.request('runJob', { jobId, workers: 2, retryFailed: false });
    assert.equal(report.job.state, 'done');
    assert.ok(report.job.done > 0);
    assert.ok(existsSync(join(dataset, '.tagbench', 'derived', '5_bob')));
  });

  it('Rebuild Index keeps the job history, and the data worker goes on answering from the same index', async () => {
    const data = await session.data();
    const before = (await data.request('listJobs', {})).map((j) => j.id);
    assert.ok(before.length >= 2, 'the jobs above are listed');
    const summary = await session.index({ rebuild: true, notify: false });
    assert.ok(summary, 'the rebuild finished');
    assert.equal(summary.new, hostContext().datasetImages, 'every file was read again');
    assert.deepEqual((await data.request('listJobs', {})).map((j) => j.id), before, 'the job history survived');
    const page = await data.request('search', { query: '', offset: 0, limit: 1 });
    assert.ok(!('error' in page));
    assert.equal(page.total, hostContext().datasetImages, 'the data worker sees the rebuilt index');
  });
});
