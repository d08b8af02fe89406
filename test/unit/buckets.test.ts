import assert from 'node:assert/strict';
import { bucketFor, bucketHistogram, bucketsFor, makeBuckets } from '../../src/core/processing/buckets.ts';
import { resizeGeometry } from '../../src/core/processing/resizeGeometry.ts';

const list = (text: string): { width: number; height: number }[] =>
  text.split(' ').map((size) => {
    const [width, height] = size.split('x').map(Number);
    return { width: width!, height: height! };
  });

// What sd-scripts' make_bucket_resolutions((r, r), min_size, max_size, 64) returns, in its order.
const SD_SCRIPTS = {
  512: '256x832 256x896 256x960 256x1024 320x704 320x768 384x640 448x576 512x512 576x448 640x384 704x320 768x320 832x256 896x256 960x256 1024x256',
  768: '256x1856 256x1920 256x1984 256x2048 320x1600 320x1664 320x1728 320x1792 384x1344 384x1408 384x1472 384x1536 448x1216 448x1280 512x1088 512x1152 576x960 576x1024 640x896 704x832 768x768 832x704 896x640 960x576 1024x576 1088x512 1152x512 1216x448 1280x448 1344x384 1408x384 1472x384 1536x384 1600x320 1664x320 1728x320 1792x320 1856x256 1920x256 1984x256 2048x256',
  1024: '256x2048 320x2048 384x2048 448x2048 512x1856 512x1920 512x1984 512x2048 576x1664 576x1728 576x1792 640x1536 640x1600 704x1408 704x1472 768x1280 768x1344 832x1216 896x1152 960x1088 1024x1024 1088x960 1152x896 1216x832 1280x768 1344x768 1408x704 1472x704 1536x640 1600x640 1664x576 1728x576 1792x576 1856x512 1920x512 1984x512 2048x256 2048x320 2048x384 2048x448 2048x512',
  '1024, max 1024':
    '256x1024 320x1024 384x1024 448x1024 512x1024 576x1024 640x1024 704x1024 768x1024 832x1024 896x1024 960x1024 1024x256 1024x320 1024x384 1024x448 1024x512 1024x576 1024x640 1024x704 1024x768 1024x832 1024x896 1024x960 1024x1024',
};

describe('aspect-ratio buckets', () => {
  it('match sd-scripts for 512, 768 and 1024 (min 256, max 2048, step 64)', () => {
    assert.deepEqual(makeBuckets(512), list(SD_SCRIPTS[512]));
    assert.deepEqual(makeBuckets(768), list(SD_SCRIPTS[768]));
    assert.deepEqual(makeBuckets(1024), list(SD_SCRIPTS[1024]));
    assert.deepEqual(makeBuckets(1024, { maxSide: 1024 }), list(SD_SCRIPTS['1024, max 1024']));
  });

  it('include the familiar SDXL sizes, all multiples of the step within resolution²', () => {
    const sizes = new Set(makeBuckets(1024).map((b) => `${b.width}x${b.height}`));
    for (const size of [
      '1024x1024',
      '1152x896',
      '896x1152',
      '1216x832',
      '832x1216',
      '1344x768',
      '768x1344',
      '1536x640',
      '640x1536',
    ]) {
      assert.ok(sizes.has(size), size);
    }
    for (const step of [32, 64]) {
      for (const b of makeBuckets(1024, { step, minSide: 512 })) {
        assert.equal(b.width % step, 0);
        assert.equal(b.height % step, 0);
        assert.ok(b.width * b.height <= 1024 * 1024);
        assert.ok(b.width >= 512 && b.height >= 512);
      }
    }
    assert.equal(makeBuckets(1024, { step: 32, minSide: 512 }).length, 65); // as sd-scripts with bucket_reso_steps 32
  });

  it('refuse options that make no buckets', () => {
    assert.throws(() => makeBuckets(0), /resolution must be a whole number/);
    assert.throws(() => makeBuckets(1024.5), /resolution/);
    assert.throws(() => makeBuckets(1024, { step: 0 }), /step/);
    assert.throws(() => makeBuckets(1024, { minSide: 512, maxSide: 256 }), /maxSide must be a whole number from 512/);
    assert.throws(() => makeBuckets(32, { step: 64 }), /at least the bucket step/);
    assert.throws(() => makeBuckets(1e9), /resolution/);
  });

  it('put an image in the bucket sd-scripts picks, and scale it the same way', () => {
    const buckets = bucketsFor(1024);
    // [image, bucket, size after scaling]: from sd-scripts' select_bucket.
    const cases: [string, string, string][] = [
      ['2000x1500', '1152x896', '1195x896'],
      ['1500x2000', '896x1152', '896x1195'],
      ['1920x1080', '1344x768', '1365x768'],
      ['1080x1920', '768x1344', '768x1365'],
      ['1024x1024', '1024x1024', '1024x1024'],
      ['3000x1000', '1728x576', '1728x576'],
      ['640x480', '1152x896', '1195x896'],
      ['1000x3000', '576x1728', '576x1728'],
      ['1216x832', '1216x832', '1216x832'],
      ['1217x832', '1216x832', '1217x832'],
      ['800x801', '1024x1024', '1024x1025'],
      ['5000x500', '2048x256', '2560x256'],
    ];
    for (const [image, bucket, scaled] of cases) {
      const [w, h] = image.split('x').map(Number) as [number, number];
      const b = bucketFor(w, h, buckets);
      assert.equal(`${b.width}x${b.height}`, bucket, image);
      const g = resizeGeometry(w, h, { ...b, mode: 'crop', allowUpscale: true });
      assert.equal(`${g.scaled.width}x${g.scaled.height}`, scaled, image);
      assert.deepEqual([g.width, g.height], [b.width, b.height]);
    }
    assert.throws(() => bucketFor(0, 10, buckets), /positive/);
    assert.throws(() => bucketFor(10, 10, []), /no buckets/);
  });

  it('count images per bucket, zeros included, in bucket order', () => {
    const buckets = makeBuckets(512);
    const histogram = bucketHistogram(
      [
        { width: 1000, height: 1000 },
        { width: 512, height: 512 },
        { width: 600, height: 900 },
        { width: 4000, height: 1000 },
      ],
      buckets,
    );
    assert.equal(histogram.length, buckets.length);
    const counts = Object.fromEntries(
      histogram.filter((b) => b.count > 0).map((b) => [`${b.width}x${b.height}`, b.count]),
    );
    assert.deepEqual(counts, { '512x512': 2, '384x640': 1, '1024x256': 1 });
    assert.equal(
      histogram.reduce((sum, b) => sum + b.count, 0),
      4,
    );
  });

  it('are computed once per resolution and options', () => {
    assert.equal(bucketsFor(1024), bucketsFor(1024));
    assert.notEqual(bucketsFor(1024), bucketsFor(1024, { step: 32 }));
    assert.ok(Object.isFrozen(bucketsFor(768)));
  });
});
