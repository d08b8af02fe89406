import assert from 'node:assert/strict';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { indexDataset } from '../../src/core/index/indexer.ts';
import { writeEdgeCases } from '../fixtures/edgeCases.ts';
import type { EdgeCase } from '../fixtures/edgeCases.ts';
import { makeTempDir, removeTempDirs } from '../helpers/tempDir.ts';
import { dumpIndex, snapshotFiles } from '../helpers/datasetSnapshot.ts';
import { parseTags } from '../../src/shared/tags.ts';
import { formatSidecar } from '../../src/core/sidecar/sidecar.ts';

interface Row {
  id: number;
  path: string;
  format: string;
  width: number;
  height: number;
  channels: number;
  has_alpha: number;
  bit_depth: number;
  space: string;
  frames: number;
  caption: string | null;
  sha256: string;
  sidecar_path: string | null;
}

function rows(root: string): Map<string, Row> {
  const db = new BetterSqlite3(join(root, '.tagbench', 'index.db'), { readonly: true });
  try {
    return new Map((db.prepare('SELECT * FROM images').all() as Row[]).map((r) => [r.path, r]));
  } finally {
    db.close();
  }
}

function problems(root: string): { path: string; kind: string; message: string }[] {
  const db = new BetterSqlite3(join(root, '.tagbench', 'index.db'), { readonly: true });
  try {
    return db.prepare('SELECT path, kind, message FROM problems ORDER BY path').all() as {
      path: string;
      kind: string;
      message: string;
    }[];
  } finally {
    db.close();
  }
}

describe('indexing a folder of awkward files', function () {
  this.timeout(60_000);
  let root: string;
  let cases: EdgeCase[];

  before(async () => {
    root = join(makeTempDir(), 'edge');
    cases = await writeEdgeCases(root);
  });
  after(removeTempDirs);

  it('indexes every good image with its displayed facts, records every problem, ignores what it must', async () => {
    const before = snapshotFiles(root);
    const summary = await indexDataset(root);
    const indexed = rows(root);
    const found = problems(root);
    const asRoot = process.getuid?.() === 0;
    for (const c of cases) {
      // Root reads files with mode 000; the unreadable case is covered by a test that drops privileges.
      if (asRoot && c.problem === 'unreadable') continue;
      if (c.image) {
        const row = indexed.get(c.path);
        assert.ok(row, `${c.path} (${c.note}) is indexed`);
        assert.equal(row.format, c.image.format, `${c.path} format`);
        assert.equal(row.width, c.image.width, `${c.path} width`);
        assert.equal(row.height, c.image.height, `${c.path} height`);
        if (c.image.channels !== undefined) assert.equal(row.channels, c.image.channels, `${c.path} channels`);
        if (c.image.hasAlpha !== undefined) assert.equal(row.has_alpha === 1, c.image.hasAlpha, `${c.path} alpha`);
        if (c.image.bitDepth !== undefined) assert.equal(row.bit_depth, c.image.bitDepth, `${c.path} bit depth`);
        if (c.image.space !== undefined) assert.equal(row.space, c.image.space, `${c.path} colour space`);
        if (c.image.frames !== undefined) assert.equal(row.frames, c.image.frames, `${c.path} frames`);
      } else if (!c.problem) {
        assert.ok(!indexed.has(c.path), `${c.path} (${c.note}) is not indexed`);
      }
      if (c.problem) {
        const p = found.find((f) => f.path === c.path);
        assert.ok(p, `${c.path} (${c.note}) has a problem`);
        assert.equal(p.kind, c.problem, `${c.path} problem kind`);
        assert.match(p.message, /\.$/);
        if (!c.image) assert.ok(!indexed.has(c.path), `${c.path} is a problem, not a dataset image`);
      } else {
        assert.ok(!found.some((f) => f.path === c.path), `${c.path} has no problem`);
      }
      if (c.caption?.tags && !c.problem) {
        const stem = c.path.slice(0, -'.txt'.length);
        const image = [...indexed.values()].find(
          (r) => r.path.startsWith(stem + '.') && r.path.lastIndexOf('/') === c.path.lastIndexOf('/'),
        );
        assert.ok(image, `an image owns ${c.path}`);
        assert.deepEqual(parseTags(image.caption ?? ''), c.caption.tags, `${c.path} tags`);
      }
    }
    assert.equal(summary.images, indexed.size);
    assert.equal(summary.new, indexed.size);
    assert.equal(summary.problems, found.length);
    assert.deepEqual(snapshotFiles(root), before, 'nothing outside .tagbench/ changed');
    assert.ok(existsSync(join(root, '.tagbench', '.gitignore')));
  });

  it('does nothing on a rescan of unchanged files, and keeps the problems', async () => {
    const before = dumpIndex(join(root, '.tagbench', 'index.db'));
    const summary = await indexDataset(root);
    assert.deepEqual(
      [summary.new, summary.changed, summary.removed, summary.moved, summary.captionsChanged, summary.thumbnailsMade],
      [0, 0, 0, 0, 0, 0],
    );
    assert.deepEqual(dumpIndex(join(root, '.tagbench', 'index.db')), before);
  });

  it('rebuilds a deleted index, and a corrupt one, to the same state', async () => {
    const indexFile = join(root, '.tagbench', 'index.db');
    const before = dumpIndex(indexFile);
    const files = snapshotFiles(root);
    rmSync(indexFile);
    await indexDataset(root);
    assert.deepEqual(dumpIndex(indexFile), before);
    for (const suffix of ['-wal', '-shm']) rmSync(indexFile + suffix, { force: true });
    writeFileSync(indexFile, Buffer.alloc(8192, 0x5a));
    const summary = await indexDataset(root);
    assert.match(summary.messages.join(' '), /could not be read.*rebuilding it from the files/);
    assert.deepEqual(dumpIndex(indexFile), before);
    assert.deepEqual(snapshotFiles(root), files);
  });

  it('keeps the BOM and CRLF caption byte-identical', () => {
    const c = cases.find((x) => x.caption && x.caption.raw[0] === 0xef)!;
    assert.deepEqual(readFileSync(join(root, c.path)), c.caption!.raw);
  });
});

describe('indexing changes made outside Tagbench', function () {
  this.timeout(60_000);
  let root: string;
  const write = async (name: string, seed: number): Promise<void> => {
    const { default: sharp } = await import('sharp');
    const pixels = Buffer.alloc(64 * 48 * 3, 0);
    for (let i = 0; i < pixels.length; i++) pixels[i] = (i * (seed + 7) * 31) % 251;
    mkdirSync(join(root, name, '..'), { recursive: true });
    await sharp(pixels, { raw: { width: 64, height: 48, channels: 3 } })
      .png()
      .toFile(join(root, name));
  };

  beforeEach(async () => {
    root = makeTempDir();
    await write('10_alice/a.png', 1);
    await write('10_alice/b.png', 2);
    await write('5_bob/c.png', 3);
    writeFileSync(join(root, '10_alice/a.txt'), 'alice, smile');
    writeFileSync(join(root, '10_alice/b.txt'), 'alice, solo');
    await indexDataset(root);
  });
  afterEach(removeTempDirs);

  it('picks up a caption edited in another editor', async () => {
    writeFileSync(join(root, '10_alice/a.txt'), 'alice, smile, blue eyes, extra tag');
    utimesSync(join(root, '10_alice/a.txt'), new Date(), new Date(Date.now() + 5000));
    const summary = await indexDataset(root);
    assert.equal(summary.captionsChanged, 1);
    assert.equal(summary.changed, 0);
    assert.equal(rows(root).get('10_alice/a.png')!.caption, 'alice, smile, blue eyes, extra tag');
  });

  it('picks up a new caption and a deleted one', async () => {
    writeFileSync(join(root, '5_bob/c.txt'), 'bob');
    unlinkSync(join(root, '10_alice/b.txt'));
    const summary = await indexDataset(root);
    assert.equal(summary.captionsChanged, 2);
    const r = rows(root);
    assert.equal(r.get('5_bob/c.png')!.caption, 'bob');
    assert.equal(r.get('10_alice/b.png')!.caption, null);
  });

  it('recognises a moved image by its hash and keeps its row', async () => {
    const before = rows(root).get('10_alice/a.png')!;
    mkdirSync(join(root, '3_carol'));
    renameSync(join(root, '10_alice/a.png'), join(root, '3_carol/a2.png'));
    renameSync(join(root, '10_alice/a.txt'), join(root, '3_carol/a2.txt'));
    const summary = await indexDataset(root);
    assert.equal(summary.moved, 1);
    assert.equal(summary.new, 0);
    assert.equal(summary.removed, 0);
    const after = rows(root).get('3_carol/a2.png')!;
    assert.equal(after.id, before.id);
    assert.equal(after.sha256, before.sha256);
    assert.equal(after.caption, 'alice, smile');
    assert.equal(rows(root).has('10_alice/a.png'), false);
  });

  it('lets metadata follow an image moved without its sidecar, and says so', async () => {
    const sha = rows(root).get('10_alice/a.png')!.sha256;
    writeFileSync(
      join(root, '10_alice/a.tagbench.json'),
      formatSidecar({ tagbench: 1, image: { sha256: sha, file: 'a.png' }, crop: { state: 'manual' } }),
    );
    await indexDataset(root);
    assert.equal(rows(root).get('10_alice/a.png')!.sidecar_path, '10_alice/a.tagbench.json');
    renameSync(join(root, '10_alice/a.png'), join(root, '5_bob/moved.png'));
    await indexDataset(root);
    const moved = rows(root).get('5_bob/moved.png')!;
    assert.equal(moved.sidecar_path, '10_alice/a.tagbench.json');
    const p = problems(root).find((x) => x.path === '10_alice/a.tagbench.json')!;
    assert.equal(p.kind, 'sidecar-detached');
    assert.match(p.message, /5_bob\/moved\.tagbench\.json/);
  });

  it('re-reads an image whose content changed, and drops a deleted one', async () => {
    const before = rows(root).get('5_bob/c.png')!;
    await write('5_bob/c.png', 9);
    utimesSync(join(root, '5_bob/c.png'), new Date(), new Date(Date.now() + 5000));
    unlinkSync(join(root, '10_alice/b.png'));
    const summary = await indexDataset(root);
    assert.equal(summary.changed, 1);
    assert.equal(summary.removed, 1);
    const after = rows(root);
    assert.notEqual(after.get('5_bob/c.png')!.sha256, before.sha256);
    assert.equal(after.has('10_alice/b.png'), false);
    assert.ok(problems(root).some((p) => p.path === '10_alice/b.txt' && p.kind === 'caption-without-image'));
  });

  it('turns an image that became corrupt into a problem, and back', async () => {
    const good = readFileSync(join(root, '5_bob/c.png'));
    writeFileSync(join(root, '5_bob/c.png'), good.subarray(0, 60));
    await indexDataset(root);
    assert.equal(rows(root).has('5_bob/c.png'), false);
    assert.ok(problems(root).some((p) => p.path === '5_bob/c.png'));
    writeFileSync(join(root, '5_bob/c.png'), good);
    await indexDataset(root);
    assert.equal(rows(root).has('5_bob/c.png'), true);
    assert.ok(!problems(root).some((p) => p.path === '5_bob/c.png'));
  });

  it('regenerates a deleted thumbnail cache', async () => {
    rmSync(join(root, '.tagbench', 'cache'), { recursive: true });
    const summary = await indexDataset(root);
    assert.equal(summary.thumbnailsMade, 3);
    assert.equal(summary.changed + summary.new, 0);
    const sha = rows(root).get('5_bob/c.png')!.sha256;
    assert.ok(existsSync(join(root, '.tagbench', 'cache', 'thumbs', sha.slice(0, 2), `${sha}-256.webp`)));
  });

  it('skips thumbnails with thumbnails: false', async () => {
    const fresh = makeTempDir();
    renameSync(join(root, '10_alice'), join(fresh, '10_alice'));
    const summary = await indexDataset(fresh, { thumbnails: false });
    assert.equal(summary.images, 2);
    assert.equal(summary.thumbnailsMade, 0);
    assert.equal(existsSync(join(fresh, '.tagbench', 'cache')), false);
  });

  it('uses another caption extension when configured', async () => {
    writeFileSync(join(root, '5_bob/c.caption'), 'bob, from caption file');
    await indexDataset(root, { settings: { captionExtension: '.caption' } });
    const r = rows(root);
    assert.equal(r.get('5_bob/c.png')!.caption, 'bob, from caption file');
    assert.equal(r.get('10_alice/a.png')!.caption, null);
  });

  it('stops early when cancelled and finishes on the next run', async () => {
    for (let i = 0; i < 12; i++) await write(`extra/${i}.png`, 20 + i);
    const controller = new AbortController();
    const summary = await indexDataset(root, {
      concurrency: 1,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.phase === 'read' && p.done === 3) controller.abort();
      },
    });
    assert.equal(summary.cancelled, true);
    assert.ok(summary.new >= 3 && summary.new < 12, `indexed ${summary.new} before stopping`);
    const next = await indexDataset(root);
    assert.equal(next.new, 12 - summary.new);
    assert.equal(rows(root).size, 15);
  });

  it('reports a file it may not read, and goes on', async function () {
    await write('locked.png', 40);
    chmodSync(join(root, 'locked.png'), 0o000);
    if (process.getuid?.() === 0) {
      // root reads everything: index as an unprivileged user instead
      const { runCliAs } = await import('../helpers/runCli.ts');
      chmodSync(root, 0o777);
      for (const d of ['.tagbench', '.tagbench/cache', '10_alice', '5_bob']) chmodSync(join(root, d), 0o777);
      rmSync(join(root, '.tagbench'), { recursive: true });
      const result = await runCliAs(65534, ['index', root, '--json']);
      assert.equal(result.code, 0, result.stderr);
    } else {
      await indexDataset(root);
    }
    const p = problems(root).find((x) => x.path === 'locked.png');
    assert.ok(p, 'a problem for the unreadable file');
    assert.equal(p.kind, 'unreadable');
    assert.match(p.message, /permission denied/i);
    assert.equal(rows(root).size, 3);
  });
});
