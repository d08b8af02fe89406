/** The crop tool's geometry: drawing, moving, resizing, aspect presets, staying inside the image. */
import assert from 'node:assert/strict';
import {
  describeAspect,
  fitAspect,
  hasAspect,
  largestRect,
  moveRect,
  rectFromPoints,
  resizeBy,
  resizeRect,
} from '../../../webview/editors/cropGeometry.ts';
import { cropPresets } from '../../../src/vscode/editors/cropPresets.ts';

const image = { width: 640, height: 480 };

describe('crop geometry', function () {
  it('draws between two points in any direction, inside the image', function () {
    assert.deepEqual(rectFromPoints({ x: 100, y: 80 }, { x: 420, y: 320 }, null, image), {
      left: 100,
      top: 80,
      width: 320,
      height: 240,
    });
    assert.deepEqual(rectFromPoints({ x: 420, y: 320 }, { x: 100, y: 80 }, null, image), {
      left: 100,
      top: 80,
      width: 320,
      height: 240,
    });
    assert.deepEqual(rectFromPoints({ x: 600, y: 400 }, { x: 900, y: -50 }, null, image), {
      left: 600,
      top: 0,
      width: 40,
      height: 400,
    });
    assert.deepEqual(rectFromPoints({ x: 10, y: 10 }, { x: 10, y: 10 }, null, image), {
      left: 10,
      top: 10,
      width: 1,
      height: 1,
    });
  });

  it('keeps the aspect ratio while drawing, even at the image edge', function () {
    const r = rectFromPoints({ x: 0, y: 0 }, { x: 320, y: 50 }, 16 / 9, image);
    assert.deepEqual(r, { left: 0, top: 0, width: 320, height: 180 });
    const edge = rectFromPoints({ x: 500, y: 100 }, { x: 700, y: 110 }, 1, image);
    assert.deepEqual(edge, { left: 500, top: 100, width: 140, height: 140 });
    const up = rectFromPoints({ x: 320, y: 240 }, { x: 0, y: 0 }, 2 / 3, image);
    assert.ok(hasAspect(up, 2 / 3) && up.top === 0 && up.left + up.width === 320, JSON.stringify(up));
  });

  it('moves without leaving the image', function () {
    const r = { left: 100, top: 80, width: 320, height: 240 };
    assert.deepEqual(moveRect(r, 10, -5, image), { left: 110, top: 75, width: 320, height: 240 });
    assert.deepEqual(moveRect(r, 1000, 1000, image), { left: 320, top: 240, width: 320, height: 240 });
    assert.deepEqual(moveRect(r, -1000, -1000, image), { left: 0, top: 0, width: 320, height: 240 });
  });

  it('resizes by corners and edges, keeping the opposite side still', function () {
    const r = { left: 100, top: 80, width: 320, height: 240 };
    assert.deepEqual(resizeRect(r, 'se', { x: 500, y: 400 }, null, image), {
      left: 100,
      top: 80,
      width: 400,
      height: 320,
    });
    assert.deepEqual(resizeRect(r, 'nw', { x: 50, y: 40 }, null, image), {
      left: 50,
      top: 40,
      width: 370,
      height: 280,
    });
    assert.deepEqual(resizeRect(r, 'e', { x: 600, y: 0 }, null, image), {
      left: 100,
      top: 80,
      width: 500,
      height: 240,
    });
    assert.deepEqual(resizeRect(r, 'n', { x: 0, y: 20 }, null, image), { left: 100, top: 20, width: 320, height: 300 });
    assert.deepEqual(
      resizeRect(r, 'w', { x: 700, y: 0 }, null, image),
      { left: 420, top: 80, width: 220, height: 240 },
      'past the other edge flips',
    );
    const square = resizeRect(r, 'e', { x: 400, y: 0 }, 1, image);
    assert.deepEqual(
      square,
      { left: 100, top: 50, width: 300, height: 300 },
      'an edge with an aspect grows the other side around its middle',
    );
  });

  it('resizes by keys from the top-left corner, with the aspect kept', function () {
    const r = { left: 100, top: 80, width: 320, height: 180 };
    assert.deepEqual(resizeBy(r, 10, 0, null, image), { left: 100, top: 80, width: 330, height: 180 });
    assert.deepEqual(resizeBy(r, 0, -10, null, image), { left: 100, top: 80, width: 320, height: 170 });
    assert.deepEqual(resizeBy(r, 16, 0, 16 / 9, image), { left: 100, top: 80, width: 336, height: 189 });
    assert.deepEqual(resizeBy(r, 1000, 0, null, image), { left: 100, top: 80, width: 540, height: 180 });
    const capped = resizeBy(r, 1000, 0, 16 / 9, image);
    assert.ok(
      capped.left + capped.width <= 640 && capped.top + capped.height <= 480 && hasAspect(capped, 16 / 9),
      JSON.stringify(capped),
    );
    assert.deepEqual(resizeBy({ left: 0, top: 0, width: 1, height: 1 }, -5, 0, null, image), {
      left: 0,
      top: 0,
      width: 1,
      height: 1,
    });
  });

  it('starts from the largest centred rectangle of a preset, and refits a drawn one', function () {
    assert.deepEqual(largestRect(null, image), { left: 0, top: 0, width: 640, height: 480 });
    assert.deepEqual(largestRect(1, image), { left: 80, top: 0, width: 480, height: 480 });
    assert.deepEqual(largestRect(16 / 9, image), { left: 0, top: 60, width: 640, height: 360 });
    const fitted = fitAspect({ left: 100, top: 100, width: 200, height: 200 }, 4 / 3, image);
    assert.ok(hasAspect(fitted, 4 / 3), JSON.stringify(fitted));
    assert.ok(
      Math.abs(fitted.left + fitted.width / 2 - 200) <= 1 && Math.abs(fitted.top + fitted.height / 2 - 200) <= 1,
      'same centre',
    );
    const big = fitAspect({ left: 0, top: 0, width: 640, height: 480 }, 9 / 16, image);
    assert.ok(big.height <= 480 && hasAspect(big, 9 / 16), JSON.stringify(big));
  });

  it('names aspects', function () {
    assert.equal(describeAspect(640, 480), '4:3');
    assert.equal(describeAspect(832, 1216), '13:19');
    assert.equal(describeAspect(1001, 500), '2.00:1');
    assert.equal(describeAspect(333, 1000), '1:3.00');
  });

  it('offers free, the common ratios and the 1024 buckets once per aspect', function () {
    const presets = cropPresets();
    assert.deepEqual(
      presets.slice(0, 8).map((p) => p.label),
      ['Free', '1:1', '4:3', '3:4', '3:2', '2:3', '16:9', '9:16'],
    );
    assert.equal(presets[0]!.ratio, null);
    const buckets = presets.filter((p) => p.bucket);
    assert.ok(buckets.length > 30, `${buckets.length} buckets`);
    assert.ok(buckets.some((p) => p.label === '832 × 1216 bucket (13:19)'));
    assert.ok(!buckets.some((p) => p.ratio!.width === p.ratio!.height), 'the square bucket is the 1:1 preset');
    const aspects = presets.filter((p) => p.ratio).map((p) => p.ratio!.width / p.ratio!.height);
    assert.equal(new Set(aspects.map((a) => a.toFixed(6))).size, aspects.length, 'no aspect twice');
    const bucketAspects = buckets.map((p) => p.ratio!.width / p.ratio!.height);
    assert.deepEqual(
      bucketAspects,
      [...bucketAspects].sort((a, b) => a - b),
      'tallest to widest',
    );
  });
});
