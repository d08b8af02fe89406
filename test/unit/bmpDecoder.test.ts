import assert from 'node:assert/strict';
import sharp from 'sharp';
import { BmpError, decodeBmp, readBmpHeader } from '../../src/core/imaging/bmpDecoder.ts';
import type { BmpErrorKind, DecodedBmp } from '../../src/core/imaging/bmpDecoder.ts';
import { encodeBmp } from '../fixtures/bmpWriter.ts';
import type { EncodeBmpOptions, RawImage } from '../fixtures/bmpWriter.ts';

const LIMIT = { maxPixels: 1_000_000 };

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Random image; with `colours` the pixels come from that many distinct colours in short runs. */
function makeImage(width: number, height: number, channels: 3 | 4, seed: number, colours?: number): RawImage {
  const random = rng(seed);
  const data = new Uint8Array(width * height * channels);
  const palette = Array.from({ length: colours ?? 0 }, (_, i) => [
    (i * 37) & 0xff,
    (i * 91 + 17) & 0xff,
    (255 - i * 13) & 0xff,
  ]);
  let current = palette[0];
  for (let p = 0; p < width * height; p++) {
    if (palette.length && random() < 0.4) current = palette[Math.floor(random() * palette.length)];
    for (let c = 0; c < channels; c++) {
      data[p * channels + c] = current && c < 3 ? current[c]! : Math.floor(random() * 256);
    }
  }
  return { width, height, channels, data };
}

function rgbOf(image: RawImage, map: (v: number, c: number) => number = (v) => v): Buffer {
  const out = Buffer.alloc(image.width * image.height * 3);
  for (let p = 0; p < image.width * image.height; p++) {
    for (let c = 0; c < 3; c++) out[p * 3 + c] = map(image.data[p * image.channels + c]!, c);
  }
  return out;
}

function decode(file: Uint8Array): DecodedBmp {
  return decodeBmp(file, LIMIT);
}

function assertPixels(decoded: DecodedBmp, image: RawImage, expected: Buffer, channels: 3 | 4): void {
  assert.equal(decoded.width, image.width);
  assert.equal(decoded.height, image.height);
  assert.equal(decoded.channels, channels);
  assert.equal(decoded.data.length, image.width * image.height * channels);
  assert.ok(decoded.data.equals(expected), 'decoded pixels differ');
}

function roundTrip(image: RawImage, options: EncodeBmpOptions): DecodedBmp {
  const decoded = decode(encodeBmp(image, options));
  assertPixels(decoded, image, rgbOf(image), 3);
  return decoded;
}

function throwsBmp(fn: () => unknown, kinds: BmpErrorKind[], message?: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof BmpError, `expected BmpError, got ${String(error)}`);
    assert.ok(kinds.includes(error.kind), `unexpected kind ${error.kind}: ${error.message}`);
    if (message) assert.match(error.message, message);
    return true;
  });
}

/** Cuts a file's header (V4 unless `from` says otherwise) down to `size` bytes, keeping `keep` bytes of the header after that point. */
function withHeaderSize(file: Buffer, size: number, keep = 0, from = 108): Buffer {
  const out = Buffer.concat([file.subarray(0, 14 + size + keep), file.subarray(14 + from)]);
  out.writeUInt32LE(out.length, 2);
  out.writeUInt32LE(file.readUInt32LE(10) - (from - size - keep), 10);
  out.writeUInt32LE(size, 14);
  return out;
}

/** A bottom-up 8-bit BITMAPINFOHEADER file with the given palette and hand-written pixel data. */
function handMade(
  width: number,
  height: number,
  bpp: number,
  compression: number,
  palette: number[][],
  pixels: number[],
): Buffer {
  const offset = 54 + palette.length * 4;
  const out = Buffer.alloc(offset + pixels.length);
  out.write('BM', 0, 'latin1');
  out.writeUInt32LE(out.length, 2);
  out.writeUInt32LE(offset, 10);
  out.writeUInt32LE(40, 14);
  out.writeInt32LE(width, 18);
  out.writeInt32LE(height, 22);
  out.writeUInt16LE(1, 26);
  out.writeUInt16LE(bpp, 28);
  out.writeUInt32LE(compression, 30);
  out.writeUInt32LE(pixels.length, 34);
  out.writeUInt32LE(palette.length, 46);
  palette.forEach(([r, g, b], i) => {
    out[54 + i * 4] = b!;
    out[55 + i * 4] = g!;
    out[56 + i * 4] = r!;
  });
  out.set(pixels, offset);
  return out;
}

const RED = [255, 0, 0];
const GREEN = [0, 255, 0];
const BLUE = [0, 0, 255];

function pixelAt(decoded: DecodedBmp, x: number, y: number): number[] {
  const i = (y * decoded.width + x) * decoded.channels;
  return [...decoded.data.subarray(i, i + decoded.channels)];
}

describe('BMP decoder', () => {
  describe('round trips', () => {
    it('decodes 24-bit files of every row padding, bottom-up and top-down', () => {
      for (let width = 1; width <= 9; width++) {
        for (const height of [1, 2, 5]) {
          const image = makeImage(width, height, 3, width * 10 + height);
          roundTrip(image, {});
          roundTrip(image, { topDown: true });
        }
      }
    });

    it('reports the header of a default file', () => {
      const header = readBmpHeader(encodeBmp(makeImage(7, 3, 3, 1)));
      assert.deepEqual(
        { ...header },
        {
          width: 7,
          height: 3,
          bitsPerPixel: 24,
          compression: 'rgb',
          topDown: false,
          hasAlpha: false,
          paletteSize: 0,
          headerSize: 40,
          dataOffset: 54,
        },
      );
      assert.equal(readBmpHeader(encodeBmp(makeImage(7, 3, 3, 1), { topDown: true })).topDown, true);
    });

    it('decodes 32-bit BGRX as RGB', () => {
      for (const header of ['info', 'v4', 'v5'] as const) {
        const decoded = roundTrip(makeImage(5, 4, 3, 2), { bitsPerPixel: 32, header });
        assert.equal(decoded.channels, 3);
      }
    });

    it('decodes 32-bit alpha through BI_ALPHABITFIELDS, V4 and V5 headers', () => {
      const image = makeImage(6, 5, 4, 3);
      for (const header of ['info', 'v4', 'v5'] as const) {
        for (const topDown of [false, true]) {
          const file = encodeBmp(image, { header, topDown });
          const info = readBmpHeader(file);
          assert.equal(info.hasAlpha, true);
          assert.equal(info.compression, header === 'info' ? 'alphabitfields' : 'bitfields');
          assertPixels(decode(file), image, Buffer.from(image.data), 4);
        }
      }
    });

    it('decodes 56-byte headers with alpha and 52-byte headers without', () => {
      const image = makeImage(4, 4, 4, 4);
      const v4 = encodeBmp(image, { header: 'v4' });
      const v3 = withHeaderSize(v4, 56);
      assert.equal(readBmpHeader(v3).headerSize, 56);
      assertPixels(decode(v3), image, Buffer.from(image.data), 4);
      const v2 = withHeaderSize(v4, 52);
      assert.equal(readBmpHeader(v2).hasAlpha, false);
      assertPixels(decode(v2), image, rgbOf(image), 3);
    });

    it('reads bitfield masks stored after a 40-byte header', () => {
      const image = makeImage(5, 3, 4, 5);
      const file = withHeaderSize(encodeBmp(image, { header: 'v4' }), 40, 12);
      assert.equal(readBmpHeader(file).compression, 'bitfields');
      assertPixels(decode(file), image, rgbOf(image), 3);
    });

    it('decodes 16-bit bitfields with a 1-bit alpha mask', () => {
      const image = makeImage(3, 2, 3, 27);
      const file = encodeBmp(image, { bitsPerPixel: 16, bitfields565: true, header: 'v4' });
      [0x7c00, 0x03e0, 0x001f, 0x8000].forEach((mask, i) => file.writeUInt32LE(mask, 54 + i * 4));
      const offset = file.readUInt32LE(10);
      for (let p = 0; p < 6; p++) file.writeUInt16LE(p % 2 ? 0x801f : 0x7c00, offset + (p < 3 ? 8 : 0) + (p % 3) * 2);
      assert.equal(readBmpHeader(file).hasAlpha, true);
      const decoded = decode(file);
      assert.equal(decoded.channels, 4);
      assert.deepEqual(
        [0, 1, 2].map((x) => pixelAt(decoded, x, 0)),
        [
          [255, 0, 0, 0],
          [0, 0, 255, 255],
          [255, 0, 0, 0],
        ],
      );
    });

    it('decodes the 16-byte OS/2 2.x header', () => {
      const image = makeImage(5, 2, 3, 28);
      const file = withHeaderSize(encodeBmp(image), 16, 0, 40);
      assert.equal(readBmpHeader(file).headerSize, 16);
      assertPixels(decode(file), image, rgbOf(image), 3);
    });

    it('decodes an all-zero alpha channel as RGB', () => {
      const image = makeImage(5, 3, 4, 6);
      for (let i = 3; i < image.data.length; i += 4) image.data[i] = 0;
      for (const header of ['info', 'v5'] as const) {
        assertPixels(decode(encodeBmp(image, { header })), image, rgbOf(image), 3);
      }
    });

    it('uses the V4 alpha mask of an uncompressed 32-bit file', () => {
      const image = makeImage(3, 3, 4, 7);
      const file = encodeBmp(image, { header: 'v4' });
      file.writeUInt32LE(0, 30);
      assert.equal(readBmpHeader(file).compression, 'rgb');
      assertPixels(decode(file), image, Buffer.from(image.data), 4);
    });

    it('decodes 16-bit 5-5-5 and 5-6-5 pixels', () => {
      const image = makeImage(7, 4, 3, 8);
      const scale = (v: number, bits: number): number => Math.round(((v >> (8 - bits)) * 255) / (2 ** bits - 1));
      for (const header of ['info', 'v4', 'v5'] as const) {
        for (const topDown of [false, true]) {
          const d555 = decode(encodeBmp(image, { bitsPerPixel: 16, header, topDown }));
          assertPixels(
            d555,
            image,
            rgbOf(image, (v) => scale(v, 5)),
            3,
          );
          const d565 = decode(encodeBmp(image, { bitsPerPixel: 16, bitfields565: true, header, topDown }));
          assertPixels(
            d565,
            image,
            rgbOf(image, (v, c) => scale(v, c === 1 ? 6 : 5)),
            3,
          );
        }
      }
      assert.deepEqual(
        pixelAt(
          decode(
            encodeBmp({ width: 1, height: 1, channels: 3, data: Uint8Array.of(255, 255, 255) }, { bitsPerPixel: 16 }),
          ),
          0,
          0,
        ),
        [255, 255, 255],
      );
    });

    it('decodes 1, 2, 4 and 8-bit palettes with every header', () => {
      for (const bpp of [1, 2, 4, 8] as const) {
        for (const header of ['core', 'info', 'v4', 'v5'] as const) {
          for (const width of [1, 3, 8, 9, 17]) {
            const image = makeImage(width, 4, 3, bpp * 100 + width, Math.min(2 ** bpp, 12));
            const file = encodeBmp(image, { bitsPerPixel: bpp, header });
            assert.equal(readBmpHeader(file).paletteSize, new Set(rgbOf(image).toString('hex').match(/.{6}/g)).size);
            roundTrip(image, { bitsPerPixel: bpp, header });
            if (header !== 'core') roundTrip(image, { bitsPerPixel: bpp, header, topDown: true });
          }
        }
      }
    });

    it('decodes OS/2 core headers with 24-bit pixels', () => {
      const file = encodeBmp(makeImage(5, 3, 3, 9), { header: 'core' });
      assert.equal(readBmpHeader(file).headerSize, 12);
      roundTrip(makeImage(5, 3, 3, 9), { header: 'core' });
    });

    it('decodes RLE8 and RLE4 files', () => {
      for (const bpp of [4, 8] as const) {
        for (const width of [1, 2, 3, 4, 7, 16, 33, 300]) {
          const image = makeImage(width, 5, 3, bpp * 1000 + width, bpp === 4 ? 16 : 40);
          const file = encodeBmp(image, { bitsPerPixel: bpp, rle: true });
          assert.equal(readBmpHeader(file).compression, bpp === 8 ? 'rle8' : 'rle4');
          roundTrip(image, { bitsPerPixel: bpp, rle: true });
          roundTrip(image, { bitsPerPixel: bpp, rle: true, header: 'v5' });
        }
      }
    });

    it('decodes RLE delta, early end-of-line and end-of-bitmap escapes, leaving skipped pixels black', () => {
      const file = handMade(
        4,
        3,
        8,
        1,
        [RED, GREEN, BLUE],
        [
          2,
          1,
          0,
          0, // row 0: two green, then end of line
          0,
          2,
          1,
          0, // delta to (1, 1)
          0,
          3,
          2,
          0,
          1,
          0, // absolute run: blue, red, green, padding
          0,
          1, // end of bitmap
        ],
      );
      const decoded = decode(file);
      const black = [0, 0, 0];
      assert.deepEqual(
        [0, 1, 2, 3].map((x) => pixelAt(decoded, x, 2)),
        [GREEN, GREEN, black, black],
      );
      assert.deepEqual(
        [0, 1, 2, 3].map((x) => pixelAt(decoded, x, 1)),
        [black, BLUE, RED, GREEN],
      );
      assert.deepEqual(
        [0, 1, 2, 3].map((x) => pixelAt(decoded, x, 0)),
        [black, black, black, black],
      );
    });

    it('decodes RLE4 runs that alternate two colours and odd absolute runs', () => {
      const file = handMade(
        5,
        2,
        4,
        2,
        [RED, GREEN, BLUE],
        [
          5,
          0x01,
          0,
          0, // red, green, red, green, red
          0,
          5,
          0x21,
          0x02,
          0x10,
          0, // blue, green, red, blue, green
          0,
          1,
        ],
      );
      const decoded = decode(file);
      assert.deepEqual(
        [0, 1, 2, 3, 4].map((x) => pixelAt(decoded, x, 1)),
        [RED, GREEN, RED, GREEN, RED],
      );
      assert.deepEqual(
        [0, 1, 2, 3, 4].map((x) => pixelAt(decoded, x, 0)),
        [BLUE, GREEN, RED, BLUE, GREEN],
      );
    });

    it('hands sharp the same pixels it started from', async () => {
      const width = 37;
      const height = 23;
      const source = await sharp({
        create: {
          width,
          height,
          channels: 4,
          background: { r: 200, g: 40, b: 90, alpha: 0.6 },
          noise: { type: 'gaussian', mean: 128, sigma: 60 },
        },
      })
        .raw()
        .toBuffer({ resolveWithObject: true });
      assert.equal(source.info.channels, 4);
      for (const options of [{}, { header: 'v5' as const }, { topDown: true }]) {
        const decoded = decode(encodeBmp({ width, height, channels: 4, data: source.data }, options));
        const png = await sharp(decoded.data, { raw: { width, height, channels: decoded.channels } })
          .png()
          .toBuffer();
        const back = await sharp(png).raw().toBuffer({ resolveWithObject: true });
        assert.equal(back.info.channels, 4);
        assert.ok(back.data.equals(source.data));
      }
      const rgb = await sharp(source.data, { raw: { width, height, channels: 4 } })
        .removeAlpha()
        .raw()
        .toBuffer();
      const decoded = decode(encodeBmp({ width, height, channels: 3, data: rgb }));
      assert.ok(decoded.data.equals(rgb));
    });
  });

  describe('hostile input', () => {
    const bases: Array<[string, Buffer]> = [
      ['24-bit', encodeBmp(makeImage(7, 5, 3, 11))],
      ['8-bit palette', encodeBmp(makeImage(9, 4, 3, 12, 20), { bitsPerPixel: 8 })],
      ['1-bit core', encodeBmp(makeImage(9, 4, 3, 13, 2), { bitsPerPixel: 1, header: 'core' })],
      ['RLE8', encodeBmp(makeImage(12, 5, 3, 14, 5), { bitsPerPixel: 8, rle: true })],
      ['RLE4', encodeBmp(makeImage(11, 5, 3, 15, 5), { bitsPerPixel: 4, rle: true })],
      ['16-bit 5-6-5', encodeBmp(makeImage(5, 3, 3, 16), { bitsPerPixel: 16, bitfields565: true })],
      ['32-bit V5 alpha', encodeBmp(makeImage(4, 3, 4, 17), { header: 'v5' })],
      ['32-bit alphabitfields', encodeBmp(makeImage(4, 3, 4, 18))],
    ];

    it('rejects files that are not BMPs', () => {
      throwsBmp(
        () => decode(Buffer.from('\x89PNG\r\n\x1a\n0000000000000000000000', 'latin1')),
        ['not-bmp'],
        /signature/,
      );
      throwsBmp(() => readBmpHeader(Buffer.from('GIF89a')), ['not-bmp']);
      throwsBmp(() => decode(Buffer.from('XY')), ['not-bmp']);
      throwsBmp(() => decode(Buffer.from('BA' + '\0'.repeat(60), 'latin1')), ['unsupported'], /OS\/2/);
    });

    it('throws only truncated or corrupt errors for every cut of a valid file', () => {
      for (const [name, file] of bases) {
        const full = decode(file);
        for (let cut = 0; cut < file.length; cut++) {
          const piece = file.subarray(0, cut);
          let decoded: DecodedBmp;
          try {
            decoded = decode(piece);
          } catch (error) {
            assert.ok(error instanceof BmpError, `${name} cut at ${cut}: ${String(error)}`);
            assert.ok(
              ['truncated', 'corrupt'].includes(error.kind),
              `${name} cut at ${cut}: ${error.kind} ${error.message}`,
            );
            continue;
          }
          assert.ok(cut >= file.length - 4, `${name} cut at ${cut} of ${file.length} decoded`);
          assert.ok(decoded.data.equals(full.data), `${name} cut at ${cut} decoded different pixels`);
        }
      }
    });

    it('names the missing byte counts of truncated pixel data', () => {
      const file = encodeBmp(makeImage(100, 100, 3, 19));
      throwsBmp(
        () => decode(file.subarray(0, 54 + 1200)),
        ['truncated'],
        /^BMP pixel data ends after 1200 of 30000 bytes$/,
      );
    });

    it('rejects zero, negative and absurd dimensions', () => {
      const file = encodeBmp(makeImage(4, 4, 3, 20));
      const withSize = (width: number, height: number): Buffer => {
        const copy = Buffer.from(file);
        copy.writeInt32LE(width, 18);
        copy.writeInt32LE(height, 22);
        return copy;
      };
      throwsBmp(() => readBmpHeader(withSize(0, 4)), ['corrupt'], /0x4/);
      throwsBmp(() => decode(withSize(4, 0)), ['corrupt']);
      throwsBmp(() => decode(withSize(-4, 4)), ['corrupt']);
      throwsBmp(() => decode(withSize(-2147483648, -2147483648)), ['corrupt']);
      throwsBmp(() => decode(withSize(2147483647, -2147483648)), ['too-many-pixels']);
      throwsBmp(() => decodeBmp(withSize(2147483647, 2147483647), { maxPixels: Infinity }), ['too-many-pixels']);
    });

    it('reads the header of a claimed 100000x100000 image and refuses or reports truncation', () => {
      const file = Buffer.alloc(60);
      encodeBmp(makeImage(1, 1, 3, 21)).copy(file);
      file.writeInt32LE(100000, 18);
      file.writeInt32LE(100000, 22);
      assert.deepEqual([readBmpHeader(file).width, readBmpHeader(file).height], [100000, 100000]);
      throwsBmp(() => decodeBmp(file, { maxPixels: 100_000_000 }), ['too-many-pixels'], /100000x100000/);
      file.writeInt32LE(20000, 18);
      file.writeInt32LE(20000, 22);
      throwsBmp(() => decodeBmp(file, { maxPixels: 500_000_000 }), ['truncated'], /1200000000 bytes/);
      file.writeUInt32LE(1, 30);
      file.writeUInt16LE(8, 28);
      file.writeUInt32LE(58, 10);
      throwsBmp(() => decodeBmp(file, { maxPixels: 100_000_000 }), ['too-many-pixels']);
    });

    it('enforces the pixel limit before decoding', () => {
      const file = encodeBmp(makeImage(100, 100, 3, 22));
      throwsBmp(() => decodeBmp(file, { maxPixels: 9999 }), ['too-many-pixels'], /limit of 9999/);
      assert.equal(decodeBmp(file, { maxPixels: 10000 }).width, 100);
    });

    it('rejects invalid and unsupported bit depths', () => {
      const file = encodeBmp(makeImage(4, 4, 3, 23));
      const withDepth = (bpp: number): Buffer => {
        const copy = Buffer.from(file);
        copy.writeUInt16LE(bpp, 28);
        return copy;
      };
      throwsBmp(() => decode(withDepth(0)), ['corrupt'], /0 bits per pixel/);
      throwsBmp(() => decode(withDepth(7)), ['corrupt'], /7 bits per pixel/);
      throwsBmp(() => decode(withDepth(3)), ['corrupt']);
      throwsBmp(() => decode(withDepth(64)), ['unsupported'], /64 bits per pixel/);
    });

    it('rejects embedded JPEG and PNG, unknown compressions and mismatched ones', () => {
      const file = encodeBmp(makeImage(4, 4, 3, 24));
      const withCompression = (code: number, bpp = 24): Buffer => {
        const copy = Buffer.from(file);
        copy.writeUInt32LE(code, 30);
        copy.writeUInt16LE(bpp, 28);
        return copy;
      };
      throwsBmp(
        () => decode(withCompression(4)),
        ['unsupported'],
        /^BMP uses JPEG compression, which Tagbench cannot decode$/,
      );
      throwsBmp(() => readBmpHeader(withCompression(5, 0)), ['unsupported'], /PNG/);
      throwsBmp(() => decode(withCompression(11)), ['unsupported'], /CMYK/);
      throwsBmp(() => decode(withCompression(99)), ['unsupported'], /type 99/);
      throwsBmp(() => decode(withCompression(1, 24)), ['corrupt'], /RLE8/);
      throwsBmp(() => decode(withCompression(2, 8)), ['corrupt'], /RLE4/);
      throwsBmp(() => decode(withCompression(3, 8)), ['corrupt'], /bitfields/);
    });

    it('rejects unknown header sizes and pixel offsets inside the headers', () => {
      const file = encodeBmp(makeImage(4, 4, 3, 25));
      const copy = Buffer.from(file);
      copy.writeUInt32LE(20, 14);
      throwsBmp(() => decode(copy), ['unsupported'], /20-byte header/);
      copy.writeUInt32LE(8, 14);
      throwsBmp(() => decode(copy), ['corrupt']);
      copy.writeUInt32LE(0xffffffff, 14);
      throwsBmp(() => decode(copy), ['unsupported']);
      const inside = Buffer.from(file);
      inside.writeUInt32LE(30, 10);
      throwsBmp(() => decode(inside), ['corrupt'], /offset 30/);
    });

    it('handles palettes bigger than the file or than the bit depth', () => {
      const image = makeImage(6, 3, 3, 26, 6);
      const file = encodeBmp(image, { bitsPerPixel: 8 });
      const huge = Buffer.from(file);
      huge.writeUInt32LE(0xffffffff, 46);
      assertPixels(decode(huge), image, rgbOf(image), 3);
      const missing = Buffer.from(file.subarray(0, 54 + 8));
      missing.writeUInt32LE(54 + 1024, 10);
      missing.writeUInt32LE(256, 46);
      throwsBmp(() => decode(missing), ['truncated'], /palette ends after 8 of 1024 bytes/);
      const none = Buffer.from(file);
      none.writeUInt32LE(54, 10);
      throwsBmp(() => decode(none), ['corrupt'], /no palette/);
    });

    it('paints indices beyond a short palette black', () => {
      const file = handMade(2, 1, 8, 0, [RED], [0, 200, 0, 0]);
      const decoded = decode(file);
      assert.deepEqual([pixelAt(decoded, 0, 0), pixelAt(decoded, 1, 0)], [RED, [0, 0, 0]]);
    });

    it('clips RLE runs that overflow a row or the image', () => {
      const streams = [
        [255, 1, 255, 2, 0, 1], // runs far past the row end
        [0, 200, ...new Array(200).fill(1), 0, 1], // absolute run past the row end
        [0, 2, 250, 250, 5, 1, 0, 1], // delta far outside the image
        [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 255, 1], // more lines than the image has
        [0, 2, 3, 1, 9, 2, 0, 1], // delta to the last row, run past its end
        [0, 1, 255, 1, 255, 1], // data after the end of bitmap
      ];
      for (const bpp of [4, 8]) {
        for (const stream of streams) {
          const decoded = decode(handMade(4, 2, bpp, bpp === 8 ? 1 : 2, [RED, GREEN, BLUE], stream));
          assert.equal(decoded.data.length, 4 * 2 * 3);
        }
      }
      const run = decode(handMade(4, 2, 8, 1, [RED, GREEN, BLUE], [255, 1, 255, 2, 0, 1]));
      assert.deepEqual(pixelAt(run, 3, 1), GREEN);
      assert.deepEqual(pixelAt(run, 0, 0), [0, 0, 0]);
    });

    it('reports RLE data that stops before the image ends', () => {
      throwsBmp(
        () => decode(handMade(4, 2, 8, 1, [RED], [4, 0, 0, 0, 2, 0])),
        ['truncated'],
        /RLE8 data ends after 6 bytes/,
      );
      throwsBmp(() => decode(handMade(4, 2, 8, 1, [RED], [0, 2, 1])), ['truncated']);
      throwsBmp(() => decode(handMade(4, 2, 8, 1, [RED], [0, 5, 0, 0])), ['truncated']);
    });

    it('throws nothing but BmpError for thousands of random mutations', () => {
      const random = rng(2024);
      const counts = { decoded: 0, rejected: 0 };
      for (let round = 0; round < 4000; round++) {
        const [, base] = bases[round % bases.length]!;
        let file = Buffer.from(base);
        const edits = 1 + Math.floor(random() * 4);
        for (let e = 0; e < edits; e++) {
          const headerBiased = random() < 0.7;
          const at = Math.floor(random() * (headerBiased ? Math.min(file.length, 140) : file.length));
          file[at] = random() < 0.3 ? [0, 0xff, 0x80, 0x01][Math.floor(random() * 4)]! : Math.floor(random() * 256);
        }
        if (random() < 0.15) file = file.subarray(0, Math.floor(random() * file.length));
        try {
          readBmpHeader(file);
          const decoded = decodeBmp(file, { maxPixels: 200_000 });
          assert.equal(decoded.data.length, decoded.width * decoded.height * decoded.channels);
          counts.decoded++;
        } catch (error) {
          if (!(error instanceof BmpError)) {
            assert.fail(`round ${round} threw ${String(error)} for ${file.toString('hex')}`);
          }
          counts.rejected++;
        }
      }
      assert.ok(counts.decoded > 500 && counts.rejected > 500, JSON.stringify(counts));
    });
  });
});
