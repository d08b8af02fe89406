/**
 * Writers killed at the worst moment, made deterministic: a batch edit or an undo killed after its
 * files and before its index update (the test holds the index's write lock, so the CLI waits there),
 * and an export killed after its first output file. What the next run must do about it.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import sharp from 'sharp';
import { indexDataset } from '../../src/core/index/indexer.ts';
import { openDatasetIndex } from '../../src/core/index/datasetIndex.ts';
import { searchImages } from '../../src/core/index/search.ts';
import { hostTag } from '../../src/core/processIdentity.ts';
import { CLI, runCli } from '../helpers/runCli.ts';
import { makeTempDir, removeTempDirs } from '../helpers/tempDir.ts';
import { deadPid, until } from '../helpers/processes.ts';

const IMAGES = 10;

describe('writers killed at the worst moment', function () {
  this.timeout(60_000);
  let root: string;
  const caption = (i: number): string => readFileSync(join(root, `img${i}.txt`), 'utf8');
  const indexed = (query: string): number => {
    const { db } = openDatasetIndex(root);
    try {
      return searchImages(db, query, { limit: 0 }).total;
    } finally {
      db.close();
    }
  };

  /** Runs the CLI with the index's write lock held by this test; kills it with SIGKILL once `written()` holds, then lets go of the lock. */
  async function killBeforeIndex(args: string[], written: () => boolean): Promise<void> {
    const lock = new BetterSqlite3(join(root, '.tagbench', 'index.db'));
    lock.exec('BEGIN IMMEDIATE');
    const child = spawn(process.execPath, [CLI, ...args], { stdio: 'ignore' });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      await until('the files written', written, 20_000, 20);
    } finally {
      child.kill('SIGKILL');
      await exited;
      lock.exec('ROLLBACK');
      lock.close();
    }
  }

  beforeEach(async () => {
    root = makeTempDir();
    for (let i = 0; i < IMAGES; i++) {
      await sharp({ create: { width: 16 + i, height: 16, channels: 3, background: { r: i * 20, g: 40, b: 90 } } })
        .png()
        .toFile(join(root, `img${i}.png`));
      writeFileSync(join(root, `img${i}.txt`), `solo, girl ${i}\n`);
    }
    await indexDataset(root, { thumbnails: false });
  });
  afterEach(removeTempDirs);

  const allRenamed = (): boolean =>
    Array.from({ length: IMAGES }, (_, i) => i).every((i) => caption(i).startsWith('alone, '));
  const noneRenamed = (): boolean =>
    Array.from({ length: IMAGES }, (_, i) => i).every((i) => caption(i).startsWith('solo, '));

  it('a batch killed before its index update: running it again leaves the index matching the files', async () => {
    await killBeforeIndex(['tags', root, 'rename', 'solo', 'alone'], allRenamed);
    assert.equal(indexed('alone'), 0, 'the kill left the index behind the files');
    const again = await runCli(['tags', root, 'rename', 'solo', 'alone', '--json']);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(indexed('alone'), IMAGES, 'right after the re-run, before any index run');
    assert.equal(indexed('solo'), 0);
  });

  it('a batch killed before its index update: undo puts the files back and the index matches them', async () => {
    await killBeforeIndex(['tags', root, 'rename', 'solo', 'alone'], allRenamed);
    const undo = await runCli(['undo', root, '--json']);
    assert.equal(undo.code, 0, undo.stderr);
    assert.ok(noneRenamed());
    assert.deepEqual([indexed('solo'), indexed('alone')], [IMAGES, 0]);
  });

  it('an undo killed before its index update: undo again finishes, and the index matches the files', async () => {
    const rename = await runCli(['tags', root, 'rename', 'solo', 'alone']);
    assert.equal(rename.code, 0, rename.stderr);
    await killBeforeIndex(['undo', root], noneRenamed);
    const again = await runCli(['undo', root, '--json']);
    assert.ok(noneRenamed());
    assert.doesNotMatch(again.stderr, /--debug/);
    assert.deepEqual([indexed('solo'), indexed('alone')], [IMAGES, 0], 'right after the second undo');
  });

  it('an export killed after its first file: the same export run again finishes it without --force, and removes the temporary files left', async () => {
    const out = `${root}-export`;
    const child = spawn(process.execPath, [CLI, 'export', root, '--out', out, '--format', 'kohya'], {
      stdio: 'ignore',
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    await until(
      'the first exported file',
      () => existsSync(out) && readdirSync(out, { recursive: true }).some((n) => String(n).endsWith('.png')),
      20_000,
      20,
    );
    child.kill('SIGKILL');
    await exited;
    // A temporary file of a writer that is gone, as a kill mid-copy leaves it.
    const stray = join(out, `.img0.png.${hostTag()}-${await deadPid()}-0badcafe.tmp`);
    writeFileSync(stray, 'partial');
    const again = await runCli(['export', root, '--out', out, '--format', 'kohya', '--json']);
    assert.equal(again.code, 0, again.stderr);
    assert.equal((JSON.parse(again.stdout) as { images: number }).images, IMAGES);
    assert.ok(!existsSync(stray), 'the stray temporary file is gone');
    const files = (readdirSync(out, { recursive: true }) as string[]).filter((n) => n.endsWith('.png')).length;
    assert.equal(files, IMAGES);
  });
});
