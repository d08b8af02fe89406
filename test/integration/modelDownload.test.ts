import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import {
  DownloadError,
  downloadFile,
  downloadModel,
  findCatalogModel,
  hubBaseUrl,
  loadModelCatalog,
  modelFileUrl,
  modelInstallState,
} from '../../src/core/models/modelDownload.ts';
import type { CatalogModel, DownloadProgress } from '../../src/core/models/modelDownload.ts';
import { makeTempDir, removeTempDirs } from '../helpers/tempDir.ts';
import { runCli } from '../helpers/runCli.ts';

const BODY = randomBytes(300_000);
const SHA = createHash('sha256').update(BODY).digest('hex');

describe('model downloads', function () {
  this.timeout(30_000);
  let server: Server;
  let base: string;
  let requests: { url: string; headers: IncomingHttpHeaders }[];
  let cutOnce: boolean;
  let hold: (() => void) | undefined;

  before(async () => {
    server = createServer((req, res) => {
      requests.push({ url: req.url ?? '', headers: req.headers });
      const url = req.url ?? '';
      if (url.startsWith('/redirect/')) {
        res.writeHead(302, { location: url.replace('/redirect/', '/') }).end();
        return;
      }
      if (url.includes('/missing')) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('Entry not found');
        return;
      }
      if (url.includes('/gated')) {
        res.writeHead(401).end();
        return;
      }
      const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
      const honour = range !== null && !url.includes('/norange');
      const start = honour ? Number(range![1]) : 0;
      const headers = {
        'content-length': String(BODY.length - start),
        'accept-ranges': 'bytes',
        ...(honour ? { 'content-range': `bytes ${start}-${BODY.length - 1}/${BODY.length}` } : {}),
      };
      res.writeHead(honour ? 206 : 200, headers);
      if (url.includes('/cut') && cutOnce) {
        cutOnce = false;
        res.write(BODY.subarray(start, start + 100_000), () => setTimeout(() => res.socket?.destroy(), 50));
        return;
      }
      if (url.includes('/slow')) {
        res.write(BODY.subarray(start, start + 50_000));
        hold = () => res.socket?.destroy();
        return;
      }
      res.end(BODY.subarray(start));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  beforeEach(() => {
    requests = [];
    cutOnce = true;
  });
  after(async () => {
    removeTempDirs();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const model = (file = 'model.onnx', sha256: string | null = SHA): CatalogModel => ({
    name: 'test-tagger',
    kind: 'tagger',
    repo: 'Owner/test-tagger',
    revision: 'main',
    destination: 'taggers/test-tagger',
    files: [{ path: file, size: BODY.length, sha256 }],
  });

  it("downloads a model's files into their folder, with progress, then skips them", async () => {
    const dir = makeTempDir();
    const progress: DownloadProgress[] = [];
    const result = await downloadModel(model(), dir, {
      baseUrl: base,
      token: 'secret',
      onProgress: (p) => progress.push(p),
    });
    const file = join(dir, 'taggers', 'test-tagger', 'model.onnx');
    assert.equal(result.folder, join(dir, 'taggers', 'test-tagger'));
    assert.ok(readFileSync(file).equals(BODY));
    assert.equal(existsSync(`${file}.part`), false);
    assert.equal(requests[0]!.url, '/Owner/test-tagger/resolve/main/model.onnx');
    assert.equal(requests[0]!.headers.authorization, 'Bearer secret');
    assert.equal(requests[0]!.headers.range, undefined);
    assert.deepEqual(progress.at(-1), { file, bytes: BODY.length, total: BODY.length, rate: progress.at(-1)!.rate });
    assert.ok(progress.at(-1)!.rate > 0);
    assert.equal(modelInstallState(model(), dir).state, 'installed');

    const again = await downloadModel(model(), dir, { baseUrl: base });
    assert.equal(again.files[0]!.skipped, true);
    assert.equal(requests.length, 1, 'nothing requested for a verified file');
  });

  it('resumes an interrupted download with a Range request', async () => {
    const dest = join(makeTempDir(), 'model.onnx');
    const url = `${base}/cut/model.onnx`;
    await assert.rejects(
      downloadFile(url, dest, { size: BODY.length, sha256: SHA }, { retries: 0 }),
      (err: Error) =>
        err instanceof DownloadError && /interrupted after \d+ bytes .*run it again to resume/.test(err.message),
    );
    const partial = statSync(`${dest}.part`).size;
    assert.ok(partial > 0 && partial < BODY.length, `${partial} bytes kept`);
    const result = await downloadFile(url, dest, { size: BODY.length, sha256: SHA }, { retries: 0 });
    assert.equal(result.resumed, true);
    assert.equal(requests[1]!.headers.range, `bytes=${partial}-`);
    assert.ok(readFileSync(dest).equals(BODY));
  });

  it('retries a dropped connection by itself, resuming', async () => {
    const dest = join(makeTempDir(), 'model.onnx');
    const result = await downloadFile(
      `${base}/cut/model.onnx`,
      dest,
      { size: BODY.length, sha256: SHA },
      { retries: 2, retryDelayMs: 10 },
    );
    assert.equal(result.resumed, true);
    assert.equal(requests.length, 2);
    assert.ok(readFileSync(dest).equals(BODY));
  });

  it('starts again from zero when the server ignores Range', async () => {
    const dest = join(makeTempDir(), 'model.onnx');
    writeFileSync(`${dest}.part`, BODY.subarray(0, 1234));
    const result = await downloadFile(
      `${base}/norange/model.onnx`,
      dest,
      { size: BODY.length, sha256: SHA },
      { retries: 0 },
    );
    assert.equal(requests[0]!.headers.range, 'bytes=1234-');
    assert.equal(result.resumed, false);
    assert.ok(readFileSync(dest).equals(BODY));
  });

  it('follows redirects', async () => {
    const dest = join(makeTempDir(), 'model.onnx');
    await downloadFile(`${base}/redirect/cdn/model.onnx`, dest, { size: BODY.length, sha256: SHA });
    assert.deepEqual(
      requests.map((r) => r.url),
      ['/redirect/cdn/model.onnx', '/cdn/model.onnx'],
    );
    assert.ok(readFileSync(dest).equals(BODY));
  });

  it('refuses a file whose SHA-256 does not match, deleting the .part', async () => {
    const dir = makeTempDir();
    const wrong = '0'.repeat(64);
    await assert.rejects(
      downloadModel(model('model.onnx', wrong), dir, { baseUrl: base }),
      /does not match its SHA-256 \(expected 0{64}, got [0-9a-f]{64}\); the download was deleted\./,
    );
    const file = join(dir, 'taggers', 'test-tagger', 'model.onnx');
    assert.equal(existsSync(file), false);
    assert.equal(existsSync(`${file}.part`), false);
  });

  it('fails on a 404 or a gated repository with a clear message, without retrying', async () => {
    const dir = makeTempDir();
    await assert.rejects(
      downloadFile(`${base}/missing/model.onnx`, join(dir, 'm.onnx'), undefined, { retryDelayMs: 10 }),
      /missing\/model\.onnx was not found \(HTTP 404 Not Found\); check the repository, revision and file name\./,
    );
    await assert.rejects(downloadFile(`${base}/gated/model.onnx`, join(dir, 'g.onnx')), /set HF_TOKEN/);
    assert.equal(requests.length, 2);
    assert.equal(existsSync(join(dir, 'm.onnx.part')), false);
  });

  it('keeps the partial file when cancelled, and resumes from it', async () => {
    const dest = join(makeTempDir(), 'model.onnx');
    const controller = new AbortController();
    const pending = downloadFile(
      `${base}/slow/model.onnx`,
      dest,
      { size: BODY.length, sha256: SHA },
      {
        signal: controller.signal,
        onProgress: (p) => {
          if (p.bytes >= 50_000) controller.abort();
        },
      },
    );
    await assert.rejects(pending, (err: Error) => err.name === 'AbortError');
    hold?.();
    assert.equal(statSync(`${dest}.part`).size, 50_000);
    assert.equal(existsSync(dest), false);
    const result = await downloadFile(`${base}/model.onnx`, dest, { size: BODY.length, sha256: SHA });
    assert.equal(result.resumed, true);
    assert.equal(requests.at(-1)!.headers.range, 'bytes=50000-');
    assert.ok(readFileSync(dest).equals(BODY));
  });

  it('has a valid catalog of the WD v3 taggers and builds hub URLs', () => {
    const catalog = loadModelCatalog();
    for (const name of ['wd-vit-tagger-v3', 'wd-swinv2-tagger-v3', 'wd-eva02-large-tagger-v3']) {
      const entry = findCatalogModel(name, catalog);
      assert.ok(entry, name);
      assert.equal(entry.destination, `taggers/${name}`);
      assert.deepEqual(
        entry.files.map((f) => f.path),
        ['model.onnx', 'selected_tags.csv'],
      );
    }
    assert.equal(
      modelFileUrl(catalog[0]!, 'model.onnx', 'https://huggingface.co'),
      'https://huggingface.co/SmilingWolf/wd-vit-tagger-v3/resolve/main/model.onnx',
    );
    assert.equal(hubBaseUrl({ HF_ENDPOINT: 'https://mirror.example/' }), 'https://mirror.example');
    assert.equal(hubBaseUrl({}), 'https://huggingface.co');
    assert.throws(
      () => loadModelCatalog({ models: [{ ...catalog[0], destination: '../../etc' }] }),
      /must stay inside the models folder/,
    );
    assert.equal(modelInstallState(catalog[0]!, makeTempDir()).state, 'missing');
  });

  it('downloads from the CLI through HF_ENDPOINT, and lists what is installed', async () => {
    const dir = makeTempDir();
    const env = { HF_ENDPOINT: base, HF_TOKEN: 'cli-token' };
    const listed = JSON.parse((await runCli(['models', dir, '--json'])).stdout) as { name: string; state: string }[];
    assert.equal(listed.find((m) => m.name === 'wd-vit-tagger-v3')?.state, 'missing');
    const result = await runCli(['download', 'wd-vit-tagger-v3', '--to', dir, '--json'], { env });
    assert.equal(result.code, 0, result.stderr);
    const out = JSON.parse(result.stdout) as {
      folder: string;
      files: { path: string; bytes: number; skipped: boolean }[];
    };
    assert.equal(out.folder, join(dir, 'taggers', 'wd-vit-tagger-v3'));
    assert.deepEqual(
      out.files.map((f) => [f.path, f.bytes, f.skipped]),
      [
        [join(out.folder, 'model.onnx'), BODY.length, false],
        [join(out.folder, 'selected_tags.csv'), BODY.length, false],
      ],
    );
    assert.deepEqual(
      requests.map((r) => [r.url, r.headers.authorization]),
      [
        ['/SmilingWolf/wd-vit-tagger-v3/resolve/main/model.onnx', 'Bearer cli-token'],
        ['/SmilingWolf/wd-vit-tagger-v3/resolve/main/selected_tags.csv', 'Bearer cli-token'],
      ],
    );
    const after = JSON.parse((await runCli(['models', dir, '--json'])).stdout) as { name: string; state: string }[];
    assert.equal(after.find((m) => m.name === 'wd-vit-tagger-v3')?.state, 'installed');
    const unknown = await runCli(['download', 'nope', '--to', dir]);
    assert.equal(unknown.code, 2);
    assert.match(
      unknown.stderr,
      /^tagbench: There is no model "nope" in the catalog; known models: wd-vit-tagger-v3, /,
    );
  });
});
