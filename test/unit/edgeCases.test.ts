import assert from 'node:assert/strict';
import { chmod, lstat, mkdtemp, readFile, readdir, readlink, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { DEEP_LEVELS, writeEdgeCases } from '../fixtures/edgeCases.ts';
import type { EdgeCase } from '../fixtures/edgeCases.ts';

describe('edge-case fixtures', () => {
  let dir = '';
  let cases: EdgeCase[] = [];
  const at = (path: string): string => join(dir, ...path.split('/'));
  const entry = (path: string): EdgeCase => {
    const found = cases.find((c) => c.path === path);
    assert.ok(found, `no manifest entry for ${path}`);
    return found;
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tagbench-edge-'));
    cases = await writeEdgeCases(dir);
  });

  after(async () => {
    if (!dir) return;
    await chmod(at('locked.jpg'), 0o644).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  });

  it('lists every written file and link exactly once, each with an expectation', async () => {
    const written: string[] = [];
    const walk = async (rel: string): Promise<void> => {
      for (const item of await readdir(rel ? at(rel) : dir, { withFileTypes: true })) {
        const path = rel ? `${rel}/${item.name}` : item.name;
        if (item.isDirectory()) await walk(path);
        else written.push(path);
      }
    };
    await walk('');
    const listed = cases.map((c) => c.path);
    assert.equal(new Set(listed).size, listed.length);
    assert.deepEqual([...written].sort(), [...listed].sort());
    for (const c of cases) {
      const ignored = c.note.startsWith('ignored:');
      assert.ok(ignored !== Boolean(c.image || c.problem || c.caption), `${c.path} has no single expectation`);
    }
  });

  it('describes every readable image as sharp reads it', async () => {
    for (const c of cases) {
      if (!c.image || c.image.format === 'bmp' || c.problem === 'unreadable') continue;
      const meta = await sharp(at(c.path)).metadata();
      const format = meta.format === 'heif' && meta.compression === 'av1' ? 'avif' : meta.format;
      assert.equal(format, c.image.format, c.path);
      assert.equal(meta.autoOrient.width, c.image.width, c.path);
      assert.equal(meta.autoOrient.height, c.image.height, c.path);
      if (c.image.channels !== undefined) assert.equal(meta.channels, c.image.channels, c.path);
      if (c.image.hasAlpha !== undefined) assert.equal(meta.hasAlpha, c.image.hasAlpha, c.path);
      if (c.image.space !== undefined) assert.equal(meta.space, c.image.space, c.path);
      if (c.image.frames !== undefined) assert.equal(meta.pages, c.image.frames, c.path);
      if (c.image.bitDepth !== undefined) {
        assert.equal(meta.bitsPerSample ?? (meta.depth === 'ushort' ? 16 : 8), c.image.bitDepth, c.path);
      }
      await sharp(at(c.path)).raw().toBuffer();
    }
  });

  it('stores the EXIF JPEG as 300x200 with orientation 6', async () => {
    const meta = await sharp(at('rotated-exif.jpg')).metadata();
    assert.equal(meta.orientation, 6);
    assert.deepEqual([meta.width, meta.height], [300, 200]);
    assert.deepEqual(entry('rotated-exif.jpg').image, {
      format: 'jpeg',
      width: 200,
      height: 300,
      channels: 3,
      hasAlpha: false,
      bitDepth: 8,
      space: 'srgb',
    });
  });

  it('writes animated GIF and WebP with 3 frames, CMYK JPEG and AVIF', async () => {
    assert.equal((await sharp(at('animated.gif')).metadata()).pages, 3);
    assert.equal((await sharp(at('animated.webp')).metadata()).pages, 3);
    const cmyk = await sharp(at('cmyk.jpg')).metadata();
    assert.deepEqual([cmyk.space, cmyk.channels], ['cmyk', 4]);
    const avif = await sharp(at('photo.avif')).metadata();
    assert.deepEqual([avif.format, avif.compression], ['heif', 'av1']);
  });

  it('writes a BMP and a BMP with a bogus header', async () => {
    const bmp = await readFile(at('bitmap.bmp'));
    assert.equal(bmp.toString('latin1', 0, 2), 'BM');
    assert.deepEqual([bmp.readInt32LE(18), bmp.readInt32LE(22), bmp.readUInt16LE(28)], [90, 60, 24]);
    assert.equal(bmp.length, 54 + 272 * 60);
    const bogus = await readFile(at('bogus.bmp'));
    assert.equal(bogus.toString('latin1', 0, 2), 'BM');
    assert.deepEqual([bogus.readInt32LE(18), bogus.readInt32LE(22), bogus.readUInt16LE(26)], [0, 0, 0]);
  });

  it('makes a bomb that declares 30000x30000 and is refused at the default pixel limit', async () => {
    assert.ok((await stat(at('bomb.png'))).size < 200_000);
    const meta = await sharp(at('bomb.png'), { limitInputPixels: false }).metadata();
    assert.deepEqual([meta.format, meta.width, meta.height], ['png', 30000, 30000]);
    await assert.rejects(sharp(at('bomb.png')).resize(8).raw().toBuffer(), /pixel limit/i);
  });

  it('makes broken images that sharp refuses', async () => {
    await assert.rejects(sharp(at('truncated.jpg')).raw().toBuffer(), /premature end/i);
    await assert.rejects(sharp(at('corrupt.png')).raw().toBuffer());
    await assert.rejects(sharp(at('noise.webp')).metadata(), /unsupported image format/i);
    await assert.rejects(sharp(at('notes.png')).metadata(), /unsupported image format/i);
    assert.equal((await stat(at('empty.jpg'))).size, 0);
    assert.equal((await readFile(at('disguised.jpg'))).toString('latin1', 1, 4), 'PNG');
  });

  it('writes the captions byte for byte', async () => {
    for (const c of cases) {
      if (c.caption) assert.deepEqual(await readFile(at(c.path)), c.caption.raw, c.path);
    }
    const bom = entry('bom-crlf.txt').caption?.raw ?? Buffer.alloc(0);
    assert.deepEqual([...bom.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
    assert.ok(bom.toString('utf8').endsWith('\\(fate\\)\r\n'));
    assert.throws(() => new TextDecoder('utf-8', { fatal: true }).decode(entry('latin1.txt').caption?.raw));
    assert.deepEqual([...(entry('utf16.txt').caption?.raw ?? Buffer.alloc(0)).subarray(0, 2)], [0xff, 0xfe]);
    assert.equal(entry('empty-caption.txt').caption?.raw.length, 0);
    assert.equal(entry('shared.txt').problem, 'caption-shared');
  });

  it('makes links, a locked file, a deep path and world-writable folders', async () => {
    assert.equal(await readlink(at('loops/again')), '..');
    assert.equal((await stat(at('loops/again'))).ino, (await stat(dir)).ino);
    assert.equal(await readlink(at('gone.png')), 'does-not-exist.png');
    await assert.rejects(stat(at('gone.png')), { code: 'ENOENT' });
    assert.equal((await lstat(at('locked.jpg'))).mode & 0o777, 0);
    const deep = cases.find((c) => c.path.endsWith('/bottom.png'));
    assert.equal(deep?.path.split('/').length, DEEP_LEVELS + 1);
    for (const folder of ['', '.hidden', 'ignored', 'loops', deep?.path.slice(0, -'/bottom.png'.length) ?? '']) {
      assert.equal((await stat(folder ? at(folder) : dir)).mode & 0o777, 0o777, folder || '(root)');
    }
    assert.equal(await readFile(at('.tagbenchignore'), 'utf8'), 'ignored/\n*.skip.png\n');
  });
});
