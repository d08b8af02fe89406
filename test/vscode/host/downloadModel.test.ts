/** Download Model inside VS Code, against a local server standing in for the hub: the tagger lands where Annotate Images finds it; cancel, resume and errors. */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { activeTagbench } from './extensionUnderTest.ts';
import { writeTaggerFolder } from '../../fixtures/models/taggerModels.ts';
import { findCatalogModel } from '../../../src/core/models/modelDownload.ts';
import type { CatalogModel } from '../../../src/core/models/modelDownload.ts';
import { runModelDownload } from '../../../src/vscode/models/modelDownloadRun.ts';
import type { ModelDownloadOutcome } from '../../../src/vscode/models/modelDownloadRun.ts';
import type { TagbenchApi } from '../../../src/extension.ts';

const MODEL = 'wd-vit-tagger-v3';

describe('Download Model', function () {
  this.timeout(60_000);
  let api: TagbenchApi;
  let server: Server;
  let baseUrl: string;
  let files: Map<string, Buffer>;
  const requests: { url: string; headers: IncomingHttpHeaders }[] = [];
  /** When set, bodies stop after this many bytes and the connection hangs. */
  let stallAfter: number | null = null;
  const noProgress = { report: (): void => {} };

  before(async () => {
    api = (await activeTagbench()).exports;
    const source = writeTaggerFolder(join(mkdtempSync(join(tmpdir(), 'tagbench-hub-')), 'tagger'));
    const model = findCatalogModel(MODEL)!;
    files = new Map(
      model.files.map((f) => [
        `/${model.repo}/resolve/${model.revision}/${f.path}`,
        readFileSync(join(source, f.path)),
      ]),
    );
    server = createServer((req, res) => {
      requests.push({ url: req.url ?? '', headers: req.headers });
      const body = files.get(req.url ?? '');
      if (!body) {
        res.writeHead(404).end('not found');
        return;
      }
      const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
      const start = range ? Number(range[1]) : 0;
      res.writeHead(range ? 206 : 200, {
        'content-length': String(body.length - start),
        ...(range ? { 'content-range': `bytes ${start}-${body.length - 1}/${body.length}` } : {}),
      });
      if (stallAfter !== null) res.write(body.subarray(start, start + stallAfter));
      else res.end(body.subarray(start));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  it('registers Download Model', async () => {
    assert.ok((await vscode.commands.getCommands(true)).includes('tagbench.downloadModel'));
  });

  it('downloads a tagger from the catalog into the models folder, where Annotate Images finds it', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'tagbench-models-'));
    const outcome = await vscode.commands.executeCommand<ModelDownloadOutcome>('tagbench.downloadModel', {
      model: MODEL,
      folder,
      baseUrl,
    });
    assert.equal(outcome.status, 'done', JSON.stringify(outcome));
    for (const [url, body] of files)
      assert.deepEqual(readFileSync(join(folder, 'taggers', MODEL, url.split('/').pop()!)), body);
    const session = api.registry.sessionFor(vscode.workspace.workspaceFolders![0]!);
    const found = await (await session.data()).request('listAnnotators', { folders: [folder] });
    assert.deepEqual(
      found.map((f) => [f.type, f.name]),
      [['tagger', MODEL]],
    );
  });

  it('keeps the partial file when cancelled, and resumes it with a range request', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'tagbench-models-'));
    const model = findCatalogModel(MODEL)!;
    const source = new vscode.CancellationTokenSource();
    stallAfter = 1000;
    // The first report comes once bytes are on disk: cancel then, while the server holds back the rest.
    const progress = { report: (): void => source.cancel() };
    setTimeout(() => source.cancel(), 5000);
    const cancelled = await runModelDownload({ model, modelsDir: folder, baseUrl }, progress, source.token);
    stallAfter = null;
    assert.equal(cancelled.status, 'cancelled');
    const part = join(folder, 'taggers', MODEL, 'model.onnx.part');
    assert.ok(existsSync(part), 'the partial file is kept');
    const kept = statSync(part).size;
    assert.ok(kept > 0);

    const resumed = await runModelDownload(
      { model, modelsDir: folder, baseUrl },
      noProgress,
      new vscode.CancellationTokenSource().token,
    );
    assert.equal(resumed.status, 'done');
    assert.ok(resumed.status === 'done' && resumed.files[0]!.resumed);
    assert.equal(requests.at(-2)?.headers.range, `bytes=${kept}-`);
    assert.deepEqual(
      readFileSync(join(folder, 'taggers', MODEL, 'model.onnx')),
      files.get(`/${model.repo}/resolve/${model.revision}/model.onnx`),
    );
    assert.equal(existsSync(part), false);
  });

  it('fails clearly on a missing file and on a hash mismatch', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'tagbench-models-'));
    const model = findCatalogModel(MODEL)!;
    const token = new vscode.CancellationTokenSource().token;
    const missing: CatalogModel = { ...model, name: 'missing', repo: 'nobody/nothing' };
    const notFound = await runModelDownload({ model: missing, modelsDir: folder, baseUrl }, noProgress, token);
    assert.ok(
      notFound.status === 'failed' && /not found \(HTTP 404/.test(notFound.message) && !notFound.retryable,
      JSON.stringify(notFound),
    );

    const pinned: CatalogModel = {
      ...model,
      files: [{ path: 'selected_tags.csv', size: null, sha256: '0'.repeat(64) }],
    };
    const mismatch = await runModelDownload({ model: pinned, modelsDir: folder, baseUrl }, noProgress, token);
    assert.ok(mismatch.status === 'failed' && /SHA-256/.test(mismatch.message), JSON.stringify(mismatch));
    assert.equal(existsSync(join(folder, 'taggers', MODEL, 'selected_tags.csv')), false);
  });
});
