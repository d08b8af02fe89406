/** The packaged .vsix holds only what runs, for this platform only, and its native modules load from it. */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { vscodeSession } from './session.ts';

const MAX_BYTES = 35 * 1024 * 1024;

describe('the packaged .vsix', () => {
  let unpacked: string;
  let files: string[];

  before(() => {
    const { vsix } = vscodeSession();
    unpacked = mkdtempSync(join(tmpdir(), 'tagbench-vsix-'));
    execFileSync('unzip', ['-q', vsix, '-d', unpacked]);
    files = execFileSync('unzip', ['-Z1', vsix], { encoding: 'utf8' })
      .split('\n')
      .filter((line) => line && !line.endsWith('/'));
  });

  after(() => rmSync(unpacked, { recursive: true, force: true }));

  it(`is under ${MAX_BYTES / 1024 / 1024} MB`, () => {
    const bytes = statSync(vscodeSession().vsix).size;
    console.log(`      ${(bytes / 1024 / 1024).toFixed(1)} MB, ${files.length} files`);
    assert.ok(bytes < MAX_BYTES, `${bytes} bytes`);
  });

  it('holds the manifest, the production bundles, media and config, without source maps or sources', () => {
    for (const file of [
      'extension/package.json',
      'extension/readme.md',
      'extension/dist/extension.cjs',
      'extension/dist/indexWorker.cjs',
      'extension/dist/cli.cjs',
      'extension/config/sidecar.schema.json',
      'extension/media/icon.png',
    ]) {
      assert.ok(files.includes(file), `${file} is missing`);
    }
    const unwanted = files.filter(
      (file) =>
        /\.(map|ts|cc|cpp|c|h|hpp|gyp|gypi)$/.test(file) ||
        /(^|\/)(src|test|tests|deps|docs)\//.test(file.replace(/^extension\//, '')),
    );
    assert.deepEqual(unwanted, []);
  });

  it('holds the native modules for linux-x64 only', () => {
    const modules = [
      ...new Set(
        files
          .filter((f) => f.startsWith('extension/node_modules/'))
          .map((f) =>
            f
              .split('/')
              .slice(2, f.includes('/@') ? 4 : 3)
              .join('/'),
          ),
      ),
    ].sort();
    assert.deepEqual(modules, [
      '@img/colour',
      '@img/sharp-libvips-linux-x64',
      '@img/sharp-linux-x64',
      'better-sqlite3',
      'detect-libc',
      'onnxruntime-common',
      'onnxruntime-node',
      'semver',
      'sharp',
    ]);
    const binaries = files.filter((f) => /\.(node|so(\.\d+)*|dylib|dll|exe)$/.test(f));
    assert.deepEqual(
      binaries.filter((f) => !f.includes('linux-x64') && !f.includes('/linux/x64/')),
      [],
      'binaries of other platforms',
    );
    for (const expected of [
      /better-sqlite3\/prebuilds\/linux-x64\.node$/,
      /@img\/sharp-linux-x64\/lib\/sharp-linux-x64-[\d.]+\.node$/,
      /@img\/sharp-libvips-linux-x64\/lib\/libvips-cpp\.so[\d.]*$/,
      /onnxruntime-node\/bin\/napi-v6\/linux\/x64\/onnxruntime_binding\.node$/,
      /onnxruntime-node\/bin\/napi-v6\/linux\/x64\/libonnxruntime\.so\.1$/,
    ]) {
      assert.equal(
        binaries.filter((f) => expected.test(f)).length,
        1,
        `one binary matching ${expected} in ${binaries.join(', ')}`,
      );
    }
    assert.equal(binaries.length, 5, binaries.join(', '));
  });

  it('loads better-sqlite3, sharp and onnxruntime from the unpacked copy with Node 24', () => {
    const script = `
      const Database = require('better-sqlite3');
      const db = new Database(':memory:');
      db.exec("CREATE VIRTUAL TABLE t USING fts5(x); INSERT INTO t VALUES ('blue eyes')");
      const hit = db.prepare("SELECT count(*) AS n FROM t WHERE t MATCH 'blue'").get().n;
      const ort = require('onnxruntime-node');
      if (typeof ort.InferenceSession.create !== 'function') throw new Error('onnxruntime did not load');
      const sharp = require('sharp');
      sharp({ create: { width: 64, height: 48, channels: 3, background: '#336699' } }).webp().toBuffer()
        .then((buf) => sharp(buf).metadata())
        .then((meta) => console.log(JSON.stringify({ hit, format: meta.format, width: meta.width, vips: sharp.versions.vips })));
    `;
    const result = spawnSync(process.execPath, ['-e', script], { cwd: join(unpacked, 'extension'), encoding: 'utf8' });
    assert.equal(result.status, 0, result.stderr);
    const loaded = JSON.parse(result.stdout) as { hit: number; format: string; width: number; vips: string };
    assert.deepEqual(
      { hit: loaded.hit, format: loaded.format, width: loaded.width },
      { hit: 1, format: 'webp', width: 64 },
    );
  });
});
