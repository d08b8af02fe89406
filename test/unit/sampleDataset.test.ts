import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { generateSample } from '../sample/sampleDataset.ts';
import type { SampleResult } from '../sample/sampleDataset.ts';

const IMAGE = /\.(jpe?g|png|webp|gif|bmp|tiff?|avif)$/i;

describe('sample dataset', function () {
  this.timeout(60_000);
  const dirs: string[] = [];
  let first: SampleResult;
  let dir = '';

  const tempDir = async (): Promise<string> => {
    const made = await mkdtemp(join(tmpdir(), 'tagbench-sample-'));
    dirs.push(made);
    return made;
  };
  const bytes = (root: string, path: string): Promise<Buffer> => readFile(join(root, ...path.split('/')));

  before(async () => {
    dir = await tempDir();
    first = await generateSample(dir, { count: 24, seed: 7 });
  });

  after(async () => {
    for (const made of dirs) await rm(made, { recursive: true, force: true });
  });

  it('is the same for the same seed, and different for another', async () => {
    const again = await tempDir();
    const second = await generateSample(again, { count: 24, seed: 7 });
    assert.deepEqual(second, first);
    for (const path of first.files) assert.deepEqual(await bytes(again, path), await bytes(dir, path), path);
    const other = await generateSample(await tempDir(), { count: 24, seed: 8 });
    assert.notDeepEqual(other.files, first.files);
  });

  it('spreads images over concept folders, a nested folder and the root', () => {
    const images = first.files.filter((path) => IMAGE.test(path));
    assert.equal(images.length, 24);
    assert.equal(first.images, 24);
    for (const folder of ['10_alice/', '10_alice/outfits/', '5_bob/', '3_forest_style/', '1_regularization/']) {
      assert.ok(
        images.some((path) => path.startsWith(folder) && !path.slice(folder.length).includes('/')),
        folder,
      );
    }
    assert.ok(
      images.some((path) => !path.includes('/')),
      'an image at the root',
    );
  });

  it('mixes formats and extension spellings', async () => {
    const images = first.files.filter((path) => IMAGE.test(path));
    const extensions = new Set(images.map((path) => path.slice(path.lastIndexOf('.') + 1).toLowerCase()));
    for (const ext of ['jpg', 'png', 'webp', 'gif', 'bmp', 'avif']) assert.ok(extensions.has(ext), ext);
    assert.ok(extensions.has('tif') || extensions.has('tiff'));
    assert.ok(
      images.some((path) => /\.[A-Z]+$/.test(path)),
      'an upper-case extension',
    );
    const sizes = new Set<string>();
    let alpha = 0;
    for (const path of images.filter((p) => !/\.bmp$/i.test(p))) {
      const meta = await sharp(await bytes(dir, path)).metadata();
      sizes.add(`${meta.width}x${meta.height}`);
      if (meta.hasAlpha && meta.format === 'png') alpha++;
    }
    assert.ok(sizes.size >= 8, `${sizes.size} distinct sizes`);
    assert.ok(alpha >= 1, 'a PNG with alpha');
  });

  it('leaves some images without a caption and writes quirky captions', async () => {
    const captions = new Set(first.files.filter((path) => path.endsWith('.txt')));
    assert.equal(captions.size, first.captions);
    const uncaptioned = first.files.filter(
      (path) => IMAGE.test(path) && !captions.has(`${path.slice(0, path.lastIndexOf('.'))}.txt`),
    );
    assert.ok(uncaptioned.length >= 1 && uncaptioned.length <= 4, `${uncaptioned.length} without captions`);
    let bomCrlf = 0;
    for (const path of captions) {
      const raw = await bytes(dir, path);
      const hasBom = raw[0] === 0xef && raw[1] === 0xbb && raw[2] === 0xbf;
      const text = raw.toString('utf8').replace(/^\uFEFF/, '');
      if (hasBom && text.endsWith('\r\n')) bomCrlf++;
      if (path.startsWith('10_alice/')) assert.match(text, /^alice, /, path);
      if (path.startsWith('5_bob/')) assert.match(text, /^bob, /, path);
      if (path.startsWith('3_forest_style/')) assert.match(text, /^forest_style, /, path);
    }
    assert.ok(bomCrlf >= 1, 'a caption with a BOM and CRLF');
    const alice = first.files.filter((path) => path.startsWith('10_alice/') && path.endsWith('.txt'));
    const tagged = await Promise.all(alice.map(async (path) => (await bytes(dir, path)).toString('utf8')));
    assert.ok(tagged.some((text) => text.replace(/^\uFEFF/, '').startsWith('alice, alice \\(wonderland\\), 1girl')));
  });

  it('makes uniform images when given a size and format, and no captions when asked', async () => {
    const uniform = await tempDir();
    const result = await generateSample(uniform, {
      count: 8,
      seed: 3,
      width: 64,
      height: 48,
      format: 'png',
      captions: false,
    });
    assert.equal(result.images, 8);
    assert.equal(result.captions, 0);
    assert.equal(result.files.length, 8);
    for (const path of result.files) {
      assert.match(path, /^(10_alice|5_bob|3_forest_style|1_regularization)\/[a-z]+_\d+\.png$/);
      const meta = await sharp(await bytes(uniform, path)).metadata();
      assert.deepEqual([meta.format, meta.width, meta.height], ['png', 64, 48]);
    }
    await assert.rejects(generateSample(uniform, { count: 1, format: 'psd' }), /Unknown image format/);
  });
});
