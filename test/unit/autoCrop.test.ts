import assert from 'node:assert/strict';
import sharp from 'sharp';
import { detectBorders, detectBordersInImage } from '../../src/core/processing/autoCrop.ts';
import type { CropRect } from '../../src/core/processing/cropRect.ts';
import { encodeBmp } from '../fixtures/bmpWriter.ts';
import {
  darkPortrait,
  jpeg,
  largePhoto,
  photo,
  withBands,
  withGradientTop,
  withVignette,
} from '../fixtures/syntheticPhotos.ts';
import type { BandSpec, RawPixels } from '../fixtures/syntheticPhotos.ts';

type Sides = { top: number; bottom: number; left: number; right: number };

/** What a detected rect cuts from each side of a width x height image. */
function cutOf(rect: CropRect | null, width: number, height: number): Sides {
  if (!rect) return { top: 0, bottom: 0, left: 0, right: 0 };
  return {
    top: rect.top,
    left: rect.left,
    bottom: height - rect.top - rect.height,
    right: width - rect.left - rect.width,
  };
}

/** Never more than the band (that would cut the picture), and at most `slack` pixels of band left. */
function assertCut(rect: CropRect | null, image: RawPixels, bands: Partial<Sides>, slack: number, label: string): void {
  const cut = cutOf(rect, image.width, image.height);
  for (const side of ['top', 'bottom', 'left', 'right'] as const) {
    const band = bands[side] ?? 0;
    assert.ok(cut[side] <= band, `${label}: cut ${cut[side]} px from the ${side}, into the picture (band ${band})`);
    assert.ok(cut[side] >= band - slack, `${label}: cut only ${cut[side]} px from the ${side} (band ${band})`);
  }
}

const BLACK: [number, number, number] = [0, 0, 0];
const COLOURS: [string, [number, number, number]][] = [
  ['black', BLACK],
  ['white', [255, 255, 255]],
  ['grey', [128, 128, 128]],
  ['red', [200, 30, 30]],
  ['blue', [20, 40, 160]],
  ['near-black', [16, 16, 16]],
  ['cream', [240, 235, 200]],
  ['green', [30, 170, 60]],
];

describe('auto-crop border detection', () => {
  const wide = photo(640, 426, 11);
  const odd = photo(517, 389, 12);
  const tall = photo(360, 541, 13);

  it('finds a band on any one side, of any colour and width, in noisy JPEGs', async () => {
    const sides = ['top', 'bottom', 'left', 'right'] as const;
    let i = 0;
    for (const [name, colour] of COLOURS) {
      for (const side of sides) {
        const base = [wide, odd, tall][i % 3]!;
        const across = side === 'top' || side === 'bottom' ? base.height : base.width;
        const width = Math.round(across * [0.02, 0.05, 0.11, 0.23][i % 4]!);
        const quality = 60 + ((i * 7) % 26);
        const image = withBands(base, { [side]: width, colour, noise: i % 3 === 0 ? 3 : 0 });
        const rect = await detectBordersInImage(await jpeg(image, quality));
        assertCut(rect, image, { [side]: width }, 6, `${name} ${side} band of ${width} px at quality ${quality}`);
        i++;
      }
    }
  });

  it('finds letterboxes, pillarboxes and windowboxes, each side on its own', async () => {
    const cases: BandSpec[] = [
      { top: 40, bottom: 40, colour: BLACK },
      { top: 21, bottom: 57, colour: [255, 255, 255] },
      { left: 70, right: 70, colour: BLACK },
      { left: 9, right: 33, colour: [90, 90, 90] },
      { top: 30, bottom: 30, left: 60, right: 60, colour: BLACK },
      { top: 12, left: 25, colour: [200, 30, 30] },
    ];
    for (const [i, bands] of cases.entries()) {
      const image = withBands(wide, bands);
      const rect = await detectBordersInImage(await jpeg(image, 70 + i * 3));
      assertCut(rect, image, bands, 6, JSON.stringify(bands));
    }
  });

  it('finds a pillarbox of different colours left and right, and a windowbox of two colours', async () => {
    const left = withBands(wide, { left: 50, colour: BLACK });
    const both = withBands(left, { right: 44, colour: [255, 255, 255] });
    assertCut(
      await detectBordersInImage(await jpeg(both, 75)),
      both,
      { left: 50, right: 44 },
      6,
      'black left, white right',
    );
    const frame = withBands(withBands(wide, { left: 40, right: 40, colour: BLACK }), {
      top: 30,
      bottom: 30,
      colour: [60, 60, 60],
    });
    assertCut(
      await detectBordersInImage(await jpeg(frame, 80)),
      frame,
      { left: 40, right: 40, top: 30, bottom: 30 },
      6,
      'black pillars, grey bars',
    );
  });

  it('returns null for photos without a border: texture, dark photos, vignettes and gradients', async () => {
    const cases: [string, RawPixels][] = [
      ['textured photo', wide],
      ['dark photo', photo(600, 400, 21, 0, 60)],
      ['bright photo', photo(600, 400, 22, 190, 255)],
      ['strong vignette', withVignette(photo(600, 400, 23), 2.2)],
      ['sky fading from black', withGradientTop(photo(600, 400, 24), BLACK, 160)],
      ['sky fading from white', withGradientTop(photo(600, 400, 25), [255, 255, 255], 60)],
      ['steep fade from grey', withGradientTop(photo(600, 400, 26), [128, 128, 128], 25)],
    ];
    for (const [name, image] of cases) {
      for (const quality of [60, 85]) {
        assert.equal(await detectBordersInImage(await jpeg(image, quality)), null, `${name} at quality ${quality}`);
      }
    }
  });

  it('never cuts into a dark subject touching an edge of a dark background', async () => {
    for (const [w, h, seed] of [
      [480, 600, 1],
      [600, 480, 2],
      [401, 533, 3],
    ] as const) {
      const portrait = darkPortrait(w, h, seed);
      assert.equal(await detectBordersInImage(await jpeg(portrait, 75)), null, `portrait ${w}x${h}`);
      // The same portrait under a black bar: the bar may be found, the hair is never cut.
      const barred = withBands(portrait, { top: Math.round(h * 0.08), colour: BLACK });
      const rect = await detectBordersInImage(await jpeg(barred, 70));
      assert.ok(
        cutOf(rect, w, h).top <= Math.round(h * 0.08),
        `portrait ${w}x${h} under a bar: ${JSON.stringify(rect)}`,
      );
      assert.deepEqual({ ...cutOf(rect, w, h), top: 0 }, { top: 0, bottom: 0, left: 0, right: 0 });
    }
  });

  it('scales borders found on a reduced decode back without ever cutting the picture, on odd sizes', async () => {
    for (const [w, h, band] of [
      [1999, 1333, 101],
      [961, 1281, 37],
      [1537, 767, 150],
      [699, 1001, 64],
    ] as const) {
      const image = withBands(await largePhoto(w, h, w), {
        top: band,
        left: Math.round(band / 2),
        right: band + 3,
        colour: BLACK,
      });
      const png = await sharp(image.data, { raw: { width: w, height: h, channels: 3 } })
        .png({ compressionLevel: 1 })
        .toBuffer();
      const rect = await detectBordersInImage(png);
      // At about 3 full-size pixels per reduced one, rounding leaves at most ~2 reduced lines of band.
      assertCut(rect, image, { top: band, left: Math.round(band / 2), right: band + 3 }, 8, `${w}x${h}`);
      assert.ok(rect && Number.isInteger(rect.left + rect.top + rect.width + rect.height));
    }
  });

  it('is exact when the image is small enough to be analysed at full size', async () => {
    const image = withBands(odd, { top: 17, bottom: 23, colour: [255, 255, 255] });
    const png = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
      .png()
      .toBuffer();
    assert.deepEqual(await detectBordersInImage(png), { left: 0, top: 17, width: 517, height: 389 - 40 });
  });

  it('ignores bands under 1% of the side, and borders that would leave too little', async () => {
    const thin = withBands(wide, { top: 3, colour: BLACK });
    assert.equal(await detectBordersInImage(await jpeg(thin, 85)), null);
    const mostly = withBands(wide, { top: 170, bottom: 170, colour: BLACK });
    assert.equal(
      await detectBordersInImage(await jpeg(mostly, 85)),
      null,
      'an 86-pixel strip of picture is not what is left of a letterbox',
    );
  });

  it('reports the rect in displayed coordinates for EXIF-rotated JPEGs', async () => {
    // Stored 640x426 with a band at the stored top; orientation 6 displays it rotated 90° clockwise,
    // so the band is on the displayed right of a 426x640 image.
    const image = withBands(wide, { top: 50, colour: BLACK });
    const bytes = await sharp(image.data, { raw: { width: 640, height: 426, channels: 3 } })
      .jpeg({ quality: 80 })
      .withMetadata({ orientation: 6 })
      .toBuffer();
    const rect = await detectBordersInImage(bytes);
    assert.ok(rect);
    const cut = cutOf(rect, 426, 640);
    assert.deepEqual({ ...cut, right: 0 }, { top: 0, bottom: 0, left: 0, right: 0 });
    assert.ok(cut.right <= 50 && cut.right >= 44, `right ${cut.right}`);
  });

  it('treats transparent bands as borders and reads 16-bit, grey and BMP sources', async () => {
    const rgba = Buffer.alloc(wide.width * wide.height * 4);
    for (let i = 0; i < wide.width * wide.height; i++) {
      const y = Math.floor(i / wide.width);
      wide.data.copy(rgba, i * 4, i * 3, i * 3 + 3);
      // Transparent rows above and below, with leftover colour under the transparency.
      rgba[i * 4 + 3] = y < 30 || y >= wide.height - 30 ? 0 : 255;
      if (rgba[i * 4 + 3] === 0) rgba[i * 4] = (i * 7) & 255;
    }
    const png = await sharp(rgba, { raw: { width: wide.width, height: wide.height, channels: 4 } })
      .png()
      .toBuffer();
    assertCut(await detectBordersInImage(png), wide, { top: 30, bottom: 30 }, 0, 'transparent bands');

    const banded = withBands(odd, { left: 40, colour: [255, 255, 255] });
    const deep = await sharp(banded.data, { raw: { width: odd.width, height: odd.height, channels: 3 } })
      .toColourspace('rgb16')
      .png()
      .toBuffer();
    assert.equal((await sharp(deep).metadata()).depth, 'ushort');
    assertCut(await detectBordersInImage(deep), banded, { left: 40 }, 0, '16-bit PNG');
    const grey = await sharp(banded.data, { raw: { width: odd.width, height: odd.height, channels: 3 } })
      .greyscale()
      .jpeg({ quality: 70 })
      .toBuffer();
    assertCut(await detectBordersInImage(grey), banded, { left: 40 }, 6, 'grey JPEG');
    const bmp = encodeBmp({ width: odd.width, height: odd.height, channels: 3, data: banded.data });
    assertCut(await detectBordersInImage(bmp), banded, { left: 40 }, 0, 'BMP');
  });

  it('works on raw pixels of 1 to 4 channels and rejects malformed buffers', () => {
    const width = 200;
    const height = 120;
    const grey = new Uint8Array(width * height);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) grey[y * width + x] = y < 15 ? 0 : 60 + ((x * 37 + y * 91) % 150);
    }
    assert.deepEqual(detectBorders({ data: grey, width, height, channels: 1 }), {
      left: 0,
      top: 15,
      right: 0,
      bottom: 0,
    });
    assert.equal(
      detectBorders({ data: new Uint8Array(width * height).fill(9), width, height, channels: 1 }),
      null,
      'a flat image has no border',
    );
    assert.throws(() => detectBorders({ data: grey, width, height, channels: 5 }), /1 to 4 channels/);
    assert.throws(() => detectBorders({ data: grey, width, height: height + 1, channels: 1 }), /too few/);
  });
});
