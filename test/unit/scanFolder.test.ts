import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scanFolder } from '../../src/core/dataset/scanFolder.ts';
import { pairFiles } from '../../src/core/dataset/filePairing.ts';
import { DatasetError } from '../../src/core/dataset/datasetRoot.ts';
import { makeTempDir, removeTempDirs } from '../helpers/tempDir.ts';

function touch(root: string, path: string, content = 'x'): void {
  mkdirSync(join(root, path, '..'), { recursive: true });
  writeFileSync(join(root, path), content);
}

const options = { captionExtension: '.txt', exclude: [], maxFiles: 1000 };

describe('scanning a dataset folder', () => {
  after(removeTempDirs);

  it('finds images of every extension in any case, captions and sidecars, at any depth', () => {
    const root = makeTempDir();
    for (const p of [
      'a.jpg',
      'b.JPEG',
      'c.png',
      'd.webp',
      'e.gif',
      'f.BMP',
      'g.tif',
      'h.tiff',
      'i.avif',
      '10_alice/deep/er/j.png',
    ])
      touch(root, p);
    touch(root, 'a.txt');
    touch(root, 'a.tagbench.json', '{}');
    touch(root, 'a.json', '{}');
    touch(root, 'readme.md');
    const scan = scanFolder(root, options);
    assert.deepEqual(scan.images.map((f) => f.path).sort(), [
      '10_alice/deep/er/j.png',
      'a.jpg',
      'b.JPEG',
      'c.png',
      'd.webp',
      'e.gif',
      'f.BMP',
      'g.tif',
      'h.tiff',
      'i.avif',
    ]);
    assert.deepEqual([...scan.captions.keys()], ['a.txt']);
    assert.deepEqual([...scan.sidecars.keys()], ['a.tagbench.json']);
    assert.equal(scan.fileCount, 14);
    assert.equal(scan.images.find((f) => f.path === 'a.jpg')!.size, 1);
  });

  it('skips hidden files and folders, .tagbench/, .tagbenchignore patterns and excluded globs', () => {
    const root = makeTempDir();
    for (const p of [
      'keep.png',
      '.hidden/a.png',
      '.tagbench/cache/b.png',
      '._c.png',
      'ignored/d.png',
      'x.skip.png',
      'raw/e.png',
      'sub/ignored/f.png',
    ])
      touch(root, p);
    writeFileSync(join(root, '.tagbenchignore'), '# comment\nignored/\n*.skip.png\n');
    const scan = scanFolder(root, { ...options, exclude: ['raw/'] });
    assert.deepEqual(
      scan.images.map((f) => f.path),
      ['keep.png'],
    );
  });

  it('never returns the temporary files of atomic writes, and lists them for the clean-up', () => {
    const root = makeTempDir();
    touch(root, 'a.png');
    touch(root, 'a.txt');
    for (const p of [
      '.a.png.0011aabb-4242-cafe0123.tmp',
      'sub/.a.txt.0011aabb-4242-cafe0123.tmp',
      '.a.txt.0123456789ab.tmp',
      '.notes.tmp',
    ])
      touch(root, p);
    const scan = scanFolder(root, options);
    assert.deepEqual(
      scan.images.map((f) => f.path),
      ['a.png'],
    );
    assert.deepEqual([...scan.captions.keys()], ['a.txt']);
    assert.deepEqual(scan.tempFiles.sort(), [
      '.a.png.0011aabb-4242-cafe0123.tmp',
      '.a.txt.0123456789ab.tmp',
      'sub/.a.txt.0011aabb-4242-cafe0123.tmp',
    ]);
    assert.equal(scan.fileCount, 2);
  });

  it('reports symlink loops and broken links, and does not hang', () => {
    const root = makeTempDir();
    touch(root, 'loops/a.png');
    symlinkSync('..', join(root, 'loops', 'again'));
    symlinkSync('does-not-exist.png', join(root, 'gone.png'));
    symlinkSync('self.png', join(root, 'self.png'));
    const scan = scanFolder(root, options);
    assert.deepEqual(
      scan.images.map((f) => f.path),
      ['loops/a.png'],
    );
    const kinds = Object.fromEntries(scan.problems.map((p) => [p.path, p.kind]));
    assert.deepEqual(kinds, {
      'loops/again': 'symlink-loop',
      'gone.png': 'broken-symlink',
      'self.png': 'symlink-loop',
    });
  });

  it('follows a symlinked folder once', () => {
    const root = makeTempDir();
    const outside = makeTempDir();
    touch(outside, 'o.png');
    symlinkSync(outside, join(root, 'linked'));
    symlinkSync(outside, join(root, 'linked-again'));
    const scan = scanFolder(root, options);
    assert.equal(scan.images.length, 1);
  });

  it('refuses a folder with more files than the limit unless forced', () => {
    const root = makeTempDir();
    for (let i = 0; i < 5; i++) touch(root, `${i}.png`);
    assert.throws(
      () => scanFolder(root, { ...options, maxFiles: 4 }),
      (err: Error) => err instanceof DatasetError && /more than 4 files/.test(err.message),
    );
    assert.equal(scanFolder(root, { ...options, maxFiles: 4, force: true }).images.length, 5);
  });

  it('pairs captions by stem and finds orphaned and shared captions', () => {
    const root = makeTempDir();
    for (const p of [
      'a.b.png',
      'a.b.txt',
      'shared.png',
      'shared.jpg',
      'shared.txt',
      'orphan.txt',
      'lone.tagbench.json',
      'a.b.tagbench.json',
    ])
      touch(root, p);
    const scan = scanFolder(root, options);
    const pairing = pairFiles(scan.images, scan.captions, scan.sidecars, '.txt');
    assert.deepEqual(
      pairing.orphanCaptions.map((f) => f.path),
      ['orphan.txt'],
    );
    assert.deepEqual(
      pairing.orphanSidecars.map((f) => f.path),
      ['lone.tagbench.json'],
    );
    assert.equal(pairing.problems.length, 1);
    assert.equal(pairing.problems[0]!.kind, 'caption-shared');
    assert.equal(pairing.problems[0]!.path, 'shared.txt');
    assert.match(pairing.problems[0]!.message, /shared\.jpg, shared\.png/);
  });
});
