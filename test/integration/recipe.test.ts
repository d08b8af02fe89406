import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { ImageError } from '../../src/core/imaging/imageError.ts';
import { RecipeError } from '../../src/core/processing/operations.ts';
import type { Operation, Recipe } from '../../src/core/processing/operations.ts';
import { applyRecipe, planResize, recipeRecord } from '../../src/core/processing/recipe.ts';
import { parseSidecar } from '../../src/core/sidecar/sidecar.ts';
import { encodeBmp } from '../fixtures/bmpWriter.ts';
import { photo } from '../fixtures/syntheticPhotos.ts';

/** Pixels that say where they are: R = x, G = y (mod 256), B = 64 * (x div 256) + 16 * (y div 256). */
function coordinates(width: number, height: number, channels: 3 | 4 = 3): Buffer {
  const data = Buffer.alloc(width * height * channels);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = (y * width + x) * channels;
      data[p] = x & 255;
      data[p + 1] = y & 255;
      data[p + 2] = 64 * (x >> 8) + 16 * (y >> 8);
      if (channels === 4) data[p + 3] = 255;
    }
  }
  return data;
}

const raw = async (bytes: Buffer): Promise<{ data: Buffer; width: number; height: number; channels: number }> => {
  const { data, info } = await sharp(bytes).raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: info.channels };
};

const recipe = (...operations: unknown[]): Recipe => ({ operations: operations as Operation[] });
const PNG = { op: 'encode', format: 'png' };

describe('applying recipes', () => {
  const coords = coordinates(640, 480);
  let coordsPng: Buffer;
  let photoJpeg: Buffer;
  before(async () => {
    coordsPng = await sharp(coords, { raw: { width: 640, height: 480, channels: 3 } })
      .png()
      .toBuffer();
    const p = photo(900, 600, 5);
    photoJpeg = await sharp(p.data, { raw: { width: 900, height: 600, channels: 3 } })
      .jpeg({ quality: 80 })
      .toBuffer();
  });

  it('crops exactly the rect it is given', async () => {
    const out = await applyRecipe(
      coordsPng,
      recipe({ op: 'crop', rect: { left: 300, top: 257, width: 17, height: 9 } }, PNG),
    );
    assert.deepEqual([out.width, out.height, out.format], [17, 9, 'png']);
    const pixels = await raw(out.data);
    assert.deepEqual([...pixels.data.subarray(0, 3)], [300 & 255, 257 & 255, 64 + 16]);
    const last = (8 * 17 + 16) * 3;
    assert.deepEqual([...pixels.data.subarray(last, last + 3)], [316 & 255, 265 & 255, 64 + 16]);
  });

  it('crops to the bucket as sd-scripts does, after an auto-crop rect', async () => {
    const op = planResize(800, 600, { resolution: 512, mode: 'crop', allowUpscale: false });
    assert.deepEqual(op, { op: 'resize', width: 576, height: 448, mode: 'crop', allowUpscale: false });
    const out = await applyRecipe(
      photoJpeg,
      recipe({ op: 'crop', rect: { left: 50, top: 0, width: 800, height: 600 } }, op, {
        op: 'encode',
        format: 'jpeg',
        quality: 90,
      }),
    );
    assert.deepEqual([out.width, out.height, out.format], [576, 448, 'jpeg']);
    const meta = await sharp(out.data).metadata();
    assert.deepEqual([meta.format, meta.width, meta.height, meta.chromaSubsampling], ['jpeg', 576, 448, '4:4:4']);
  });

  it('does every resize mode, with and without upscaling', async () => {
    const cases: [string, number, number, boolean, [number, number]][] = [
      ['crop', 512, 384, false, [512, 384]],
      ['crop', 960, 640, false, [640, 426]],
      ['crop', 960, 640, true, [960, 640]],
      ['fit', 512, 512, false, [512, 384]],
      ['fit', 1000, 1000, false, [640, 480]],
      ['fit', 1000, 1000, true, [1000, 750]],
      ['pad', 512, 512, false, [512, 512]],
      ['pad', 1000, 1000, false, [1000, 1000]],
      ['pad', 1000, 1000, true, [1000, 1000]],
    ];
    for (const [mode, width, height, allowUpscale, size] of cases) {
      const padColour = mode === 'pad' ? { padColour: '#ff0000' } : {};
      const out = await applyRecipe(
        coordsPng,
        recipe({ op: 'resize', width, height, mode, allowUpscale, ...padColour }, PNG),
      );
      assert.deepEqual([out.width, out.height], size, `${mode} ${width}x${height} upscale ${allowUpscale}`);
      if (mode === 'pad') {
        const pixels = await raw(out.data);
        assert.deepEqual([...pixels.data.subarray(0, 3)], [255, 0, 0], 'the corner is padding');
      }
    }
    // Crop without upscaling keeps the pixels as they are: the centre 640x426 of the original.
    const kept = await raw(
      (
        await applyRecipe(
          coordsPng,
          recipe({ op: 'resize', width: 960, height: 640, mode: 'crop', allowUpscale: false }, PNG),
        )
      ).data,
    );
    assert.deepEqual([...kept.data.subarray(0, 3)], [0, 27, 0]);
  });

  it('replays to identical pixels, and identical bytes for PNG', async () => {
    const r = recipe(
      { op: 'crop', rect: { left: 13, top: 7, width: 871, height: 589 } },
      { op: 'resize', width: 512, height: 384, mode: 'crop', allowUpscale: false },
      { op: 'colour', toSrgb: true, flatten: null, stripMetadata: true },
    );
    for (const format of ['png', 'jpeg', 'webp'] as const) {
      const full = { operations: [...r.operations, { op: 'encode', format } as Operation] };
      const [a, b] = await Promise.all([applyRecipe(photoJpeg, full), applyRecipe(photoJpeg, full)]);
      const c = await applyRecipe(photoJpeg, JSON.parse(JSON.stringify(full)) as Recipe);
      assert.deepEqual((await raw(a.data)).data, (await raw(b.data)).data, format);
      assert.deepEqual((await raw(a.data)).data, (await raw(c.data)).data, `${format} from JSON`);
      if (format === 'png') assert.ok(a.data.equals(b.data) && a.data.equals(c.data), 'PNG bytes');
    }
  });

  it('takes crop rects in displayed coordinates of EXIF-rotated sources', async () => {
    // Stored 640x480 with orientation 6: displayed 480x640, rotated 90° clockwise.
    const rotated = await sharp(coords, { raw: { width: 640, height: 480, channels: 3 } })
      .png()
      .withMetadata({ orientation: 6 })
      .toBuffer();
    const rect = { left: 400, top: 600, width: 80, height: 40 };
    const out = await applyRecipe(rotated, recipe({ op: 'crop', rect }, PNG));
    assert.deepEqual([out.width, out.height], [80, 40]);
    const expected = await sharp(rotated).autoOrient().extract(rect).raw().toBuffer();
    assert.deepEqual((await raw(out.data)).data, expected);
    assert.equal((await sharp(out.data).metadata()).orientation, undefined, 'no orientation left to apply');
    await assert.rejects(
      applyRecipe(rotated, recipe({ op: 'crop', rect: { left: 0, top: 0, width: 640, height: 480 } }, PNG)),
      /reaches outside the 480x640 image/,
    );
  });

  it('keeps or flattens alpha', async () => {
    const rgba = coordinates(64, 48, 4);
    for (let i = 3; i < rgba.length; i += 8) rgba[i] = 0;
    const png = await sharp(rgba, { raw: { width: 64, height: 48, channels: 4 } })
      .png()
      .toBuffer();
    const kept = await raw((await applyRecipe(png, recipe(PNG))).data);
    assert.equal(kept.channels, 4);
    assert.deepEqual(kept.data.subarray(3, 8), Buffer.from([0, 1, 0, 0, 255]));
    const flat = await raw(
      (await applyRecipe(png, recipe({ op: 'colour', toSrgb: true, flatten: '#ffffff', stripMetadata: true }, PNG)))
        .data,
    );
    assert.equal(flat.channels, 3);
    assert.deepEqual([...flat.data.subarray(0, 3)], [255, 255, 255]);
    const jpeg = await raw((await applyRecipe(png, recipe({ op: 'encode', format: 'jpeg', quality: 95 }))).data);
    assert.ok(jpeg.data[0]! > 245 && jpeg.data[1]! > 245, 'JPEG, which has no alpha, flattens onto white');
    const padded = await raw(
      (
        await applyRecipe(
          png,
          recipe(
            { op: 'resize', width: 80, height: 48, mode: 'pad', allowUpscale: false, padColour: '#00000000' },
            PNG,
          ),
        )
      ).data,
    );
    assert.deepEqual([padded.width, padded.channels, padded.data[3]], [80, 4, 0], 'transparent padding');
  });

  it('writes 8-bit sRGB from 16-bit, grey, CMYK and BMP sources unless told to keep them', async () => {
    const deep = Buffer.alloc(40 * 30 * 6);
    for (let i = 0; i < deep.length; i += 2) deep.writeUInt16LE((i * 257) & 0xffff, i);
    const png16 = await sharp(deep, { raw: { width: 40, height: 30, channels: 3 } })
      .toColourspace('rgb16')
      .png()
      .toBuffer();
    const grey = await sharp(coords, { raw: { width: 640, height: 480, channels: 3 } })
      .toColourspace('b-w')
      .png()
      .toBuffer();
    const cmyk = await sharp(coords, { raw: { width: 640, height: 480, channels: 3 } })
      .toColourspace('cmyk')
      .jpeg()
      .toBuffer();
    const bmp = encodeBmp({ width: 640, height: 480, channels: 3, data: coords });
    assert.equal((await sharp(png16).metadata()).depth, 'ushort');
    assert.equal((await sharp(cmyk).metadata()).space, 'cmyk');
    assert.equal((await sharp(grey).metadata()).channels, 1);
    for (const [name, source] of [
      ['16-bit', png16],
      ['grey', grey],
      ['CMYK', cmyk],
      ['BMP', bmp],
    ] as const) {
      const out = await applyRecipe(source, recipe(PNG));
      const meta = await sharp(out.data).metadata();
      assert.deepEqual([meta.depth, meta.space, meta.channels], ['uchar', 'srgb', 3], name);
    }
    const keep = { op: 'colour', toSrgb: false, flatten: null, stripMetadata: true };
    const kept16 = await sharp((await applyRecipe(png16, recipe(keep, PNG))).data).metadata();
    assert.deepEqual([kept16.depth, kept16.space], ['ushort', 'rgb16']);
    const keptGrey = await sharp((await applyRecipe(grey, recipe(keep, PNG))).data).metadata();
    assert.deepEqual([keptGrey.channels, keptGrey.space], [1, 'b-w']);
    const bmpOut = await raw(
      (await applyRecipe(bmp, recipe({ op: 'crop', rect: { left: 260, top: 300, width: 2, height: 2 } }, PNG))).data,
    );
    assert.deepEqual([...bmpOut.data.subarray(0, 3)], [4, 44, 64 + 16]);
  });

  it('strips metadata unless told to keep it', async () => {
    const tagged = await sharp(coords, { raw: { width: 640, height: 480, channels: 3 } })
      .jpeg()
      .withExif({ IFD0: { Copyright: 'Tagbench test' } })
      .toBuffer();
    const stripped = await sharp((await applyRecipe(tagged, recipe({ op: 'encode', format: 'jpeg' }))).data).metadata();
    assert.equal(stripped.exif, undefined);
    const kept = await applyRecipe(
      tagged,
      recipe({ op: 'colour', toSrgb: true, flatten: null, stripMetadata: false }, { op: 'encode', format: 'jpeg' }),
    );
    assert.match((await sharp(kept.data).metadata()).exif?.toString('latin1') ?? '', /Tagbench test/);
  });

  it('refuses recipes that do not fit the image, and images it cannot use', async () => {
    const bad: [Recipe, RegExp][] = [
      [
        recipe({ op: 'crop', rect: { left: 600, top: 0, width: 100, height: 10 } }, PNG),
        /reaches outside the 640x480 image/,
      ],
      [
        recipe({ op: 'crop', rect: { left: 0, top: 0, width: 641, height: 480 } }, PNG),
        /641x480 at \(0,0\) reaches outside/,
      ],
      [
        recipe({ op: 'resize', width: 16383, height: 16383, mode: 'fit', allowUpscale: true }, PNG),
        /over the limit of 1000000 pixels/,
      ],
      [recipe({ op: 'blur', sigma: 3 }, PNG), /unknown op "blur"/],
      [
        recipe({ op: 'resize', width: 0, height: 10, mode: 'fit', allowUpscale: true }, PNG),
        /width must be from 1 to 16383 pixels, not 0/,
      ],
    ];
    for (const [r, message] of bad) {
      await assert.rejects(
        applyRecipe(coordsPng, r, { maxPixels: 1_000_000 }),
        (err: Error) => err instanceof RecipeError && message.test(err.message),
        JSON.stringify(r),
      );
    }
    await assert.rejects(
      applyRecipe(coordsPng, recipe(PNG), { maxPixels: 1000 }),
      (err: Error) => err instanceof ImageError && err.kind === 'too-many-pixels',
    );
    await assert.rejects(
      applyRecipe(Buffer.from('not an image at all'), recipe(PNG)),
      (err: Error) => err instanceof ImageError && err.kind === 'not-an-image',
    );
    await assert.rejects(
      applyRecipe(coordsPng.subarray(0, 200), recipe(PNG)),
      (err: Error) => err instanceof ImageError,
    );
  });

  it('records a derived file as the sidecar schema expects', async () => {
    const r = recipe({ op: 'resize', width: 512, height: 384, mode: 'crop', allowUpscale: false }, PNG);
    const out = await applyRecipe(coordsPng, r);
    const source = createHash('sha256').update(coordsPng).digest('hex');
    const record = recipeRecord(r, source, out.data, 'export/a.png', new Date('2026-11-22T10:00:00Z'));
    assert.deepEqual(record, {
      output: 'export/a.png',
      sourceSha256: source,
      outputSha256: createHash('sha256').update(out.data).digest('hex'),
      at: '2026-11-22T10:00:00.000Z',
      operations: [
        { op: 'orient' },
        { op: 'resize', width: 512, height: 384, mode: 'crop', allowUpscale: false },
        { op: 'colour', toSrgb: true, flatten: null, stripMetadata: true },
        { op: 'encode', format: 'png' },
      ],
    });
    const sidecar = parseSidecar(
      Buffer.from(JSON.stringify({ tagbench: 1, image: { sha256: source }, recipes: [record] })),
    );
    assert.deepEqual(sidecar.recipes, [record]);
    const again = await applyRecipe(coordsPng, { operations: record.operations });
    assert.equal(
      createHash('sha256').update(again.data).digest('hex'),
      record.outputSha256,
      'the record replays to the same file',
    );
    assert.throws(() => recipeRecord(r, 'ABC', out.data, 'a.png'), /64 lower-case hex digits/);
  });
});
