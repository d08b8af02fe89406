import assert from 'node:assert/strict';
import sharp from 'sharp';
import type { Sharp } from 'sharp';
import { analyzeImage } from '../../src/core/imaging/analyzeImage.ts';
import { ImageError } from '../../src/core/imaging/imageError.ts';
import { looksTruncated } from '../../src/core/imaging/truncation.ts';
import { sniffFormat } from '../../src/core/imaging/formatSniff.ts';

const noise = (w: number, h: number, c: 3 | 4 = 3): Sharp => {
  const data = Buffer.alloc(w * h * c);
  for (let i = 0; i < data.length; i++) data[i] = (i * 2654435761) >>> 24;
  return sharp(data, { raw: { width: w, height: h, channels: c } });
};

describe('analysing one image', () => {
  for (const format of ['jpeg', 'png', 'webp', 'gif'] as const) {
    it(`names a ${format} cut short as truncated, whatever the cut`, async () => {
      const whole = await noise(120, 90)[format]().toBuffer();
      assert.equal(looksTruncated(format, whole), false);
      for (const fraction of [0.3, 0.6, 0.9]) {
        const cut = whole.subarray(0, Math.floor(whole.length * fraction));
        assert.equal(looksTruncated(format, cut), true, `${format} cut at ${fraction}`);
        await assert.rejects(analyzeImage(cut, { ext: format === 'jpeg' ? 'jpg' : format }), (err: Error) => {
          assert.ok(err instanceof ImageError, String(err));
          assert.equal(err.kind, 'truncated-image', `${format} at ${fraction}: ${err.message}`);
          return true;
        });
      }
    });
  }

  it('gives the same verdicts when many bad images fail at once', async () => {
    const whole = await noise(300, 200).jpeg().toBuffer();
    const cut = whole.subarray(0, whole.length >> 1);
    const results = await Promise.allSettled(Array.from({ length: 16 }, () => analyzeImage(cut, { ext: 'jpg' })));
    for (const r of results) {
      assert.equal(r.status, 'rejected');
      assert.equal((r.reason as ImageError).kind, 'truncated-image');
    }
  });

  it('reports a JPEG extension on PNG data but still analyses it', async () => {
    const png = await noise(40, 30).png().toBuffer();
    const result = await analyzeImage(png, { ext: 'jpg' });
    assert.equal(result.facts.format, 'png');
    assert.match(result.extensionMismatch ?? '', /named \.jpg but holds PNG data/);
  });

  it('makes a WebP thumbnail no larger than asked, EXIF-oriented, and never enlarged', async () => {
    const rotated = await noise(400, 100).jpeg().withMetadata({ orientation: 6 }).toBuffer();
    const { thumbnail, facts } = await analyzeImage(rotated, { ext: 'jpg', thumbnailSize: 64 });
    assert.deepEqual([facts.width, facts.height], [100, 400]);
    const meta = await sharp(thumbnail!).metadata();
    assert.equal(meta.format, 'webp');
    assert.deepEqual([meta.width, meta.height], [16, 64]);
    const small = await analyzeImage(await noise(20, 10).png().toBuffer(), { ext: 'png', thumbnailSize: 256 });
    assert.deepEqual([(await sharp(small.thumbnail!).metadata()).width], [20]);
  });

  it('makes thumbnails larger than the analysis decode from the full image', async () => {
    const { thumbnail } = await analyzeImage(await noise(1000, 500).png().toBuffer(), {
      ext: 'png',
      thumbnailSize: 512,
    });
    const meta = await sharp(thumbnail!).metadata();
    assert.deepEqual([meta.width, meta.height], [512, 256]);
  });

  it('keeps the same hashes whatever the thumbnail size', async () => {
    const png = await noise(600, 400).png().toBuffer();
    const a = await analyzeImage(png, { ext: 'png' });
    const b = await analyzeImage(png, { ext: 'png', thumbnailSize: 512 });
    const c = await analyzeImage(png, { ext: 'png', thumbnailSize: 96 });
    assert.deepEqual([a.facts.phash, a.facts.dhash], [b.facts.phash, b.facts.dhash]);
    assert.deepEqual([a.facts.phash, a.facts.dhash], [c.facts.phash, c.facts.dhash]);
  });

  it('refuses a declared size over the pixel limit before decoding', async () => {
    const png = await noise(100, 100).png().toBuffer();
    await assert.rejects(
      analyzeImage(png, { ext: 'png', maxPixels: 9999 }),
      (err: Error) => err instanceof ImageError && err.kind === 'too-many-pixels' && /100x100/.test(err.message),
    );
  });

  it('recognises formats by signature', () => {
    assert.equal(sniffFormat(Buffer.from('GIF89a....')), 'gif');
    assert.equal(sniffFormat(Buffer.from('BM......')), 'bmp');
    assert.equal(sniffFormat(Buffer.from('\0\0\0\x1cftypavif\0\0\0\0')), 'avif');
    assert.equal(sniffFormat(Buffer.from('hello world')), undefined);
  });
});
