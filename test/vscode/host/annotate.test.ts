/** Annotation from inside VS Code: a local tagger run as a job by the data worker's job pool (the bundled job worker loads onnxruntime), and its results searchable. */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { hostContext } from '../hostContext.ts';
import { activeTagbench } from './extensionUnderTest.ts';
import { captionBytes, imagesOnDisk } from './datasetFiles.ts';
import { writeTaggerFolder } from '../../fixtures/models/taggerModels.ts';
import type { TagbenchApi } from '../../../src/extension.ts';
import type { DatasetSession } from '../../../src/vscode/datasetSession.ts';

describe('annotation', function () {
  this.timeout(120_000);
  let api: TagbenchApi;
  let session: DatasetSession;
  let models: string;

  before(async () => {
    api = (await activeTagbench()).exports;
    session = api.registry.sessionFor(vscode.workspace.workspaceFolders![0]!);
    await session.index({ notify: false });
    models = mkdtempSync(join(tmpdir(), 'tagbench-models-'));
    writeTaggerFolder(join(models, 'taggers', 'stub-tagger'));
  });

  it('registers Annotate Images, Set API Key and Clear API Key', async () => {
    const commands = await vscode.commands.getCommands(true);
    for (const id of ['tagbench.annotateImages', 'tagbench.setApiKey', 'tagbench.clearApiKey'])
      assert.ok(commands.includes(id), id);
  });

  it('finds the tagger in a models folder and runs it over a query in the job workers, holding tags for review', async () => {
    const data = await session.data();
    const found = await data.request('listAnnotators', { folders: [models] });
    assert.deepEqual(
      found.map((f) => [f.type, f.name]),
      [['tagger', 'stub-tagger']],
    );
    const query = 'folder:5_bob';
    const dataset = hostContext().dataset;
    const expected = imagesOnDisk(dataset, '5_bob');
    assert.ok(expected.length > 1);
    const captionsBefore = expected.map((p) => captionBytes(dataset, p));
    const jobId = await data.request('planJob', {
      spec: {
        kind: 'annotate',
        query,
        params: {
          annotator: { type: 'tagger', path: found[0]!.path, general: 0.35, character: 0.85, batchSize: 4 },
          merge: { strategy: 'review', underscores: 'spaces', exclude: [] },
          captionExtension: '.txt',
        },
      },
    });
    const report = await data.request('runJob', { jobId, workers: 1, retryFailed: false });
    assert.equal(report.job.failed, 0, JSON.stringify(await data.request('jobFailures', { jobId })));
    assert.deepEqual([report.job.state, report.job.total, report.job.done], ['done', expected.length, expected.length]);
    const page = await data.request('search', { query: `${query} model:stub-tagger`, offset: 0, limit: 100 });
    assert.ok(!('error' in page), 'the query is valid');
    assert.deepEqual(page.items.map((i) => i.path).sort(), expected, 'every image of the folder is found by model:');
    // From the files: each image's sidecar holds the tagger's annotation, and review mode left every caption as it was.
    for (const path of expected) {
      const sidecar = JSON.parse(readFileSync(join(dataset, path.replace(/\.[^.]+$/, '.tagbench.json')), 'utf8')) as {
        annotations: { model: string }[];
      };
      assert.deepEqual(
        sidecar.annotations.map((a) => a.model),
        ['tagger:stub-tagger'],
        path,
      );
    }
    assert.deepEqual(
      expected.map((p) => captionBytes(dataset, p)),
      captionsBefore,
    );
  });
});
