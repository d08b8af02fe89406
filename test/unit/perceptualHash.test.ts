import assert from 'node:assert/strict';
import sharp from 'sharp';
import { analyzeImage } from '../../src/core/imaging/analyzeImage.ts';
import { dHash, hammingDistance, lumaOf, pHash, reduce } from '../../src/core/imaging/perceptualHash.ts';

/** A 400x300 picture with shapes, as PNG. */
async function picture(seed: number): Promise<Buffer> {
  const shapes = Array.from({ length: 6 }, (_, i) => {
    const x = (seed * 37 + i * 61) % 350;
    const y = (seed * 53 + i * 29) % 250;
    const shade = (seed * 97 + i * 43) % 255;
    return `<circle cx="${x}" cy="${y}" r="${20 + ((seed + i) % 5) * 12}" fill="rgb(${shade},${255 - shade},${(shade * 3) % 255})"/>`;
  }).join('');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="400" height="300"><rect width="400" height="300" fill="#${((seed * 1234567) % 0xffffff).toString(16).padStart(6, '0')}"/>${shapes}</svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

describe('perceptual hashes', () => {
  it('reduce() averages areas exactly', () => {
    const plane = { width: 4, height: 2, data: Float32Array.from([0, 10, 20, 30, 40, 50, 60, 70]) };
    assert.deepEqual([...reduce(plane, 2, 1)], [25, 45]);
    assert.deepEqual([...reduce(plane, 1, 1)], [35]);
  });

  it('lumaOf composites alpha over white', () => {
    const plane = lumaOf(Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 255]), 2, 1, 4);
    assert.deepEqual([...plane.data], [255, 0]);
  });

  it('gives 16 hex digits and is stable for the same pixels', () => {
    const plane = { width: 64, height: 64, data: Float32Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256) };
    assert.match(pHash(plane), /^[0-9a-f]{16}$/);
    assert.match(dHash(plane), /^[0-9a-f]{16}$/);
    assert.equal(pHash(plane), pHash({ ...plane, data: Float32Array.from(plane.data) }));
  });

  it('keeps a resized, recompressed copy close and a different picture far', async () => {
    const original = await picture(3);
    const copy = await sharp(original).resize(173).jpeg({ quality: 60 }).toBuffer();
    const other = await picture(11);
    const a = (await analyzeImage(original, { ext: 'png' })).facts;
    const b = (await analyzeImage(copy, { ext: 'jpg' })).facts;
    const c = (await analyzeImage(other, { ext: 'png' })).facts;
    assert.ok(hammingDistance(a.phash, b.phash) <= 6, `pHash copy distance ${hammingDistance(a.phash, b.phash)}`);
    assert.ok(hammingDistance(a.dhash, b.dhash) <= 8, `dHash copy distance ${hammingDistance(a.dhash, b.dhash)}`);
    assert.ok(hammingDistance(a.phash, c.phash) >= 16, `pHash other distance ${hammingDistance(a.phash, c.phash)}`);
    assert.ok(hammingDistance(a.dhash, c.dhash) >= 12, `dHash other distance ${hammingDistance(a.dhash, c.dhash)}`);
  });

  it('counts differing bits', () => {
    assert.equal(hammingDistance('0000000000000000', 'ffffffffffffffff'), 64);
    assert.equal(hammingDistance('00000000000000f0', '0000000000000010'), 3);
  });
});
