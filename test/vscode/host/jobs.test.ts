/** Export and process jobs run from inside VS Code (through the data worker and its job pool), and the Jobs view. */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { hostContext, hostLog } from '../hostContext.ts';
import { activeTagbench, tagbenchExtension } from './extensionUnderTest.ts';
import { hashImages, imagesOnDisk } from './datasetFiles.ts';
import type { TagbenchApi } from '../../../src/extension.ts';
import type { DatasetSession } from '../../../src/vscode/datasetSession.ts';
import type { JobNode } from '../../../src/vscode/jobs/jobsView.ts';
import type { JobReport } from '../../../src/core/jobs/jobService.ts';
import type { ExportJobDetails } from '../../../src/core/jobs/jobDetails.ts';

/** The `when` clauses of the Jobs view's item menu entries for a command (from the installed package.json). */
function menuWhen(command: string): string[] {
  const manifest = tagbenchExtension().packageJSON as {
    contributes: { menus: Record<string, { command: string; when?: string }[]> };
  };
  return manifest.contributes.menus['view/item/context']!.filter((m) => m.command === command).map((m) => m.when ?? '');
}

/** Whether a `view == tagbench.jobs && viewItem ...` clause holds for an item with this context value. */
function matchesViewItem(when: string, contextValue: string): boolean {
  if (!when.includes('view == tagbench.jobs')) return false;
  const regex = /viewItem =~ \/(.+?)\/(?:\s|$)/.exec(when);
  if (regex) return new RegExp(regex[1]!).test(contextValue);
  const equal = /viewItem == ([\w-]+)/.exec(when);
  return equal !== null && equal[1] === contextValue;
}

/** Waits until no index run is going on or scheduled by the file watcher (its debounce is well under a second). */
async function indexIdle(session: DatasetSession): Promise<void> {
  for (let quiet = 0; quiet < 2;) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    quiet = session.indexing ? 0 : quiet + 1;
  }
}

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
    const jobId = await data.request('planJob', {
      spec: {
        kind: 'export',
        source: { query: 'folder:10_alice' },
        force: false,
        params: {
          format: 'kohya',
          out,
          name: 'alice',
          repeats: 4,
          resolution: 512,
          crop: 'auto',
          classTokens: 'woman',
          testFraction: 0,
          caption: {
            trigger: 'ohwx',
            separator: ', ',
            underscoresToSpaces: true,
            escapeParentheses: true,
            blacklist: [],
          },
        },
      },
    });
    // What the export must give, from the files: every image under 10_alice (its outfits subfolder too).
    const expected = imagesOnDisk(hostContext().dataset, '10_alice');
    assert.ok(expected.length > 1);
    const seen: number[] = [];
    const listener = session.onJobProgress((p) => {
      if (p.jobId === jobId) seen.push(p.done);
    });
    const started = performance.now();
    const report = await data.request('runJob', { jobId, workers: 2, retryFailed: false });
    listener.dispose();
    hostLog(`export of ${expected.length} images: ${Math.round(performance.now() - started)} ms`);
    assert.deepEqual(
      [report.job.state, report.job.total, report.job.done, report.job.failed],
      ['done', expected.length, expected.length, 0],
    );
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
    assert.equal((report.details as ExportJobDetails).stepsPerEpoch, expected.length * 4);
    const nodes = await api.jobs.getChildren();
    const node = nodes.find((n) => n.kind === 'job' && n.job.id === jobId);
    assert.ok(node, 'the job is in the Jobs view');
    const item = api.jobs.getTreeItem(node);
    assert.equal(item.label, `Export ${expected.length} images`);
    assert.equal(item.description, 'done');
    assert.ok(item.iconPath instanceof vscode.ThemeIcon && item.iconPath.id === 'check');
    assert.equal(item.contextValue, 'job-done');
    assert.ok(item.tooltip instanceof vscode.MarkdownString);
    assert.ok(
      item.tooltip.value.includes(`${expected.length} of ${expected.length} items finished`),
      item.tooltip.value,
    );
  });

  it('shows a job with failures with its own icon, offers Retry Failed Items for it, and retrying makes it clean', async () => {
    const data = await session.data();
    const dataset = hostContext().dataset;
    const page = await data.request('search', { query: 'folder:1_regularization', offset: 0, limit: 100 });
    assert.ok(!('error' in page) && page.items.length > 1);
    const victim = join(dataset, page.items[0]!.path);
    const bytes = readFileSync(victim);
    const params = { crop: 'none', resize: null, upscale: null, format: 'png', quality: 95, flatten: null } as const;
    const jobId = await data.request('planJob', {
      spec: { kind: 'process', query: 'folder:1_regularization', params },
    });
    // The image breaks between planning and running: its item fails, the others succeed.
    writeFileSync(victim, 'no longer an image');
    let report: JobReport;
    try {
      report = await data.request('runJob', { jobId, workers: 2, retryFailed: false });
    } finally {
      writeFileSync(victim, bytes);
    }
    assert.equal(report.job.state, 'done');
    assert.equal(report.job.failed, 1);
    const jobNode = async (): Promise<JobNode> =>
      (await api.jobs.getChildren()).find((n) => n.kind === 'job' && n.job.id === jobId)!;
    const failing = api.jobs.getTreeItem(await jobNode());
    assert.ok(
      failing.iconPath instanceof vscode.ThemeIcon && failing.iconPath.id === 'warning',
      'a warning icon, not the clean check',
    );
    assert.equal(failing.contextValue, 'job-done-failures');
    assert.equal(failing.description, `1 of ${page.items.length} failed`);
    assert.deepEqual(
      (await api.jobs.getChildren(await jobNode())).map((n) => n.kind === 'failure' && n.key),
      [page.items[0]!.path],
    );
    const offered = (command: string, contextValue: string): boolean =>
      menuWhen(command).some((when) => matchesViewItem(when, contextValue));
    assert.ok(offered('tagbench.retryFailedItems', 'job-done-failures'));
    assert.equal(
      offered('tagbench.retryFailedItems', 'job-done'),
      false,
      'a clean job does not offer Retry Failed Items',
    );
    assert.equal(offered('tagbench.showJobFailures', 'job-done'), false);

    const retried = await vscode.commands.executeCommand<JobReport | undefined>(
      'tagbench.retryFailedItems',
      await jobNode(),
    );
    assert.equal(retried?.job.failed, 0);
    const clean = api.jobs.getTreeItem(await jobNode());
    assert.equal(clean.contextValue, 'job-done');
    assert.ok(clean.iconPath instanceof vscode.ThemeIcon && clean.iconPath.id === 'check');
    // Breaking and restoring the image started index runs (the file watcher, and the retry itself): let
    // them end, so that the next tests' batch edits do not meet an index run.
    await indexIdle(session);
  });

  it('processes images into .tagbench/derived without touching the originals', async () => {
    const data = await session.data();
    const dataset = hostContext().dataset;
    const bob = imagesOnDisk(dataset, '5_bob');
    assert.ok(bob.length > 1);
    const originals = hashImages(dataset);
    const jobId = await data.request('planJob', {
      spec: {
        kind: 'process',
        query: 'folder:5_bob',
        params: {
          crop: 'auto',
          resize: { resolution: 512, mode: 'crop', allowUpscale: false },
          upscale: null,
          format: 'auto',
          quality: 95,
          flatten: null,
        },
      },
    });
    const report = await data.request('runJob', { jobId, workers: 2, retryFailed: false });
    assert.deepEqual(
      [report.job.state, report.job.done + report.job.skipped, report.job.failed],
      ['done', bob.length, 0],
    );
    // Every original image of the dataset has the same bytes, and no image file appeared beside them.
    assert.deepEqual(hashImages(dataset), originals);
    // One derived file per 5_bob image, by stem.
    const derived = readdirSync(join(dataset, '.tagbench', 'derived', '5_bob'))
      .map((f) => f.replace(/\.[^.]+$/, ''))
      .sort();
    assert.deepEqual(derived, bob.map((p) => p.slice('5_bob/'.length).replace(/\.[^.]+$/, '')).sort());
  });

  it('Rebuild Index keeps the job history, and the data worker goes on answering from the same index', async () => {
    const data = await session.data();
    const before = (await data.request('listJobs', {})).map((j) => j.id);
    assert.ok(before.length >= 2, 'the jobs above are listed');
    const summary = await session.index({ rebuild: true, notify: false });
    assert.ok(summary, 'the rebuild finished');
    assert.equal(summary.new, hostContext().datasetImages, 'every file was read again');
    assert.deepEqual(
      (await data.request('listJobs', {})).map((j) => j.id),
      before,
      'the job history survived',
    );
    const page = await data.request('search', { query: '', offset: 0, limit: 1 });
    assert.ok(!('error' in page));
    assert.equal(page.total, hostContext().datasetImages, 'the data worker sees the rebuilt index');
  });
});
