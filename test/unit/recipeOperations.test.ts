import assert from 'node:assert/strict';
import { parseColour, RecipeError, validateRecipe } from '../../src/core/processing/operations.ts';
import { planRecipe } from '../../src/core/processing/recipePlan.ts';
import { resizeGeometry } from '../../src/core/processing/resizeGeometry.ts';

const MAX = 268_402_689;

describe('recipe operations', () => {
  it('are normalised: orient first, a colour step, explicit quality, canonical order', () => {
    assert.deepEqual(validateRecipe({ operations: [{ op: 'encode', format: 'jpeg' }] }), {
      operations: [
        { op: 'orient' },
        { op: 'colour', toSrgb: true, flatten: null, stripMetadata: true },
        { op: 'encode', format: 'jpeg', quality: 95 },
      ],
    });
    const full = {
      operations: [
        { op: 'orient' },
        { op: 'crop', rect: { left: 1, top: 2, width: 3, height: 4 } },
        { op: 'resize', width: 64, height: 32, mode: 'pad', allowUpscale: false, padColour: '#FFF' },
        { op: 'colour', toSrgb: false, flatten: '#000000', stripMetadata: false },
        { op: 'encode', format: 'png' },
      ],
    };
    const normalised = validateRecipe(full);
    assert.equal((normalised.operations[2] as { padColour: string }).padColour, '#fff');
    assert.deepEqual(
      validateRecipe(JSON.parse(JSON.stringify(normalised))),
      normalised,
      'normalising is idempotent and survives JSON',
    );
  });

  it('reject hostile or malformed recipes with a sentence naming the problem', () => {
    const bad: [unknown, RegExp][] = [
      [null, /must be an object/],
      [{ operations: 'crop' }, /"operations" must be a list/],
      [{ operations: [], extra: 1 }, /"extra" is not a recipe field/],
      [{ operations: [] }, /no "encode" operation/],
      [{ operations: [{ op: 'sharpen' }, { op: 'encode', format: 'png' }] }, /Operation 1 has an unknown op "sharpen"/],
      [
        { operations: [{ op: 'encode', format: 'png', level: 9 }] },
        /Operation 1 \(encode\) has an unknown field "level"/,
      ],
      [{ operations: [{ op: 'encode', format: 'gif' }] }, /format "gif"; use "png", "jpeg" or "webp"/],
      [{ operations: [{ op: 'encode', format: 'png', quality: 90 }] }, /PNG \(lossless\) does not use/],
      [
        { operations: [{ op: 'encode', format: 'jpeg', quality: 0 }] },
        /quality must be a whole number from 1 to 100, not 0/,
      ],
      [
        {
          operations: [
            { op: 'crop', rect: { left: -1, top: 0, width: 5, height: 5 } },
            { op: 'encode', format: 'png' },
          ],
        },
        /left must be at least 0, not -1/,
      ],
      [
        {
          operations: [
            { op: 'crop', rect: { left: 0, top: 0, width: -5, height: 5 } },
            { op: 'encode', format: 'png' },
          ],
        },
        /width must be at least 1, not -5/,
      ],
      [
        {
          operations: [
            { op: 'crop', rect: { left: 0, top: 0, width: 1.5, height: 5 } },
            { op: 'encode', format: 'png' },
          ],
        },
        /width must be a whole number/,
      ],
      [
        {
          operations: [
            { op: 'crop', rect: { left: 0, top: 0, width: 5 } },
            { op: 'encode', format: 'png' },
          ],
        },
        /height must be a whole number, not undefined/,
      ],
      [{ operations: [{ op: 'crop' }, { op: 'encode', format: 'png' }] }, /needs a "rect" field/],
      [
        {
          operations: [
            { op: 'resize', width: 100000, height: 64, mode: 'crop', allowUpscale: true },
            { op: 'encode', format: 'png' },
          ],
        },
        /width must be from 1 to 16383 pixels, not 100000/,
      ],
      [
        {
          operations: [
            { op: 'resize', width: -64, height: 64, mode: 'crop', allowUpscale: true },
            { op: 'encode', format: 'png' },
          ],
        },
        /width must be from 1 to 16383 pixels, not -64/,
      ],
      [
        {
          operations: [
            { op: 'resize', width: 64, height: 64, mode: 'stretch', allowUpscale: true },
            { op: 'encode', format: 'png' },
          ],
        },
        /mode "stretch"/,
      ],
      [
        {
          operations: [
            { op: 'resize', width: 64, height: 64, mode: 'crop', allowUpscale: 'yes' },
            { op: 'encode', format: 'png' },
          ],
        },
        /allowUpscale to be true or false/,
      ],
      [
        {
          operations: [
            { op: 'resize', width: 64, height: 64, mode: 'fit', allowUpscale: true, padColour: '#000' },
            { op: 'encode', format: 'png' },
          ],
        },
        /only the "pad" mode uses/,
      ],
      [
        {
          operations: [
            { op: 'resize', width: 64, height: 64, mode: 'pad', allowUpscale: true, padColour: 'black' },
            { op: 'encode', format: 'png' },
          ],
        },
        /padColour must be a colour like "#ffffff", not "black"/,
      ],
      [
        {
          operations: [
            { op: 'colour', toSrgb: true, flatten: 'white', stripMetadata: true },
            { op: 'encode', format: 'png' },
          ],
        },
        /flatten must be a colour/,
      ],
      [
        {
          operations: [
            { op: 'encode', format: 'png' },
            { op: 'crop', rect: { left: 0, top: 0, width: 1, height: 1 } },
          ],
        },
        /"crop" operation comes after "encode"/,
      ],
      [{ operations: [{ op: 'orient' }, { op: 'orient' }, { op: 'encode', format: 'png' }] }, /more than one "orient"/],
      [{ operations: Array.from({ length: 17 }, () => ({ op: 'orient' })) }, /at most 16 operations/],
    ];
    for (const [recipe, message] of bad) {
      assert.throws(
        () => validateRecipe(recipe),
        (err: Error) => {
          assert.ok(err instanceof RecipeError, String(err));
          assert.match(err.message, message);
          assert.match(err.message, /\.$/, 'one sentence');
          return true;
        },
        JSON.stringify(recipe),
      );
    }
  });

  it('parse colours in #rgb, #rrggbb and #rrggbbaa form only', () => {
    assert.deepEqual(parseColour('#fff'), { r: 255, g: 255, b: 255, alpha: 1 });
    assert.deepEqual(parseColour('#10203080'), { r: 16, g: 32, b: 48, alpha: 128 / 255 });
    assert.equal(parseColour('red'), undefined);
    assert.equal(parseColour('#12345'), undefined);
  });

  it('plan each resize mode, with and without upscaling', () => {
    const big = (mode: 'crop' | 'fit' | 'pad', allowUpscale = false) =>
      resizeGeometry(2000, 1500, { width: 1216, height: 832, mode, allowUpscale });
    assert.deepEqual(big('crop'), {
      scaled: { width: 1216, height: 912 },
      cut: { left: 0, top: 40, width: 1216, height: 832 },
      width: 1216,
      height: 832,
    });
    assert.deepEqual(big('fit'), { scaled: { width: 1109, height: 832 }, width: 1109, height: 832 });
    assert.deepEqual(big('pad'), {
      scaled: { width: 1109, height: 832 },
      pad: { top: 0, bottom: 0, left: 53, right: 54 },
      width: 1216,
      height: 832,
    });

    const small = (mode: 'crop' | 'fit' | 'pad', allowUpscale: boolean) =>
      resizeGeometry(600, 500, { width: 1152, height: 896, mode, allowUpscale });
    // Crop without upscaling: the bucket's aspect at the image's own size, centred.
    assert.deepEqual(small('crop', false), {
      scaled: { width: 600, height: 500 },
      cut: { left: 0, top: 17, width: 600, height: 466 },
      width: 600,
      height: 466,
    });
    assert.deepEqual(small('crop', true), {
      scaled: { width: 1152, height: 960 },
      cut: { left: 0, top: 32, width: 1152, height: 896 },
      width: 1152,
      height: 896,
    });
    assert.deepEqual(small('fit', false), { scaled: { width: 600, height: 500 }, width: 600, height: 500 });
    assert.deepEqual(small('fit', true), { scaled: { width: 1075, height: 896 }, width: 1075, height: 896 });
    assert.deepEqual(small('pad', false), {
      scaled: { width: 600, height: 500 },
      pad: { top: 198, bottom: 198, left: 276, right: 276 },
      width: 1152,
      height: 896,
    });
    assert.deepEqual(small('pad', true), {
      scaled: { width: 1075, height: 896 },
      pad: { top: 0, bottom: 0, left: 38, right: 39 },
      width: 1152,
      height: 896,
    });
    // An image of exactly the bucket's aspect is only scaled.
    assert.deepEqual(resizeGeometry(2432, 1664, { width: 1216, height: 832, mode: 'crop', allowUpscale: false }).cut, {
      left: 0,
      top: 0,
      width: 1216,
      height: 832,
    });
  });

  it('plan a whole recipe against the image size and the pixel limit', () => {
    const ops = validateRecipe({
      operations: [
        { op: 'crop', rect: { left: 100, top: 0, width: 1800, height: 1500 } },
        { op: 'resize', width: 1152, height: 896, mode: 'crop', allowUpscale: false },
        { op: 'encode', format: 'png' },
      ],
    }).operations;
    assert.deepEqual(planRecipe(2000, 1500, ops, MAX), {
      extract: { left: 100, top: 0, width: 1800, height: 1500 },
      scale: { width: 1152, height: 960 },
      cut: { left: 0, top: 32, width: 1152, height: 896 },
      width: 1152,
      height: 896,
    });
    // Without scaling, the crop and the centre cut become one region of the original.
    assert.deepEqual(
      planRecipe(
        1000,
        800,
        ops.map((op) => (op.op === 'crop' ? { ...op, rect: { left: 10, top: 20, width: 600, height: 500 } } : op)),
        MAX,
      ),
      {
        extract: { left: 10, top: 37, width: 600, height: 466 },
        width: 600,
        height: 466,
      },
    );
    assert.throws(() => planRecipe(1000, 1000, ops, MAX), /reaches outside the 1000x1000 image/);
    const huge = validateRecipe({
      operations: [
        { op: 'resize', width: 16383, height: 16383, mode: 'crop', allowUpscale: true },
        { op: 'encode', format: 'png' },
      ],
    }).operations;
    assert.throws(() => planRecipe(100, 1000, huge, MAX), /would make the scaled image 16383x163830, over the limit/);
    assert.throws(() => planRecipe(1000, 1000, huge, 1_000_000), /over the limit of 1000000 pixels/);
  });
});
