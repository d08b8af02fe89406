/** Why a BMP file could not be read. */
export type BmpErrorKind = 'not-bmp' | 'unsupported' | 'truncated' | 'corrupt' | 'too-many-pixels';

/** A BMP file that Tagbench cannot decode, with the reason as a machine-readable kind. */
export class BmpError extends Error {
  readonly kind: BmpErrorKind;

  constructor(kind: BmpErrorKind, message: string) {
    super(message);
    this.name = 'BmpError';
    this.kind = kind;
  }
}

/** Compression method named by a BMP header. */
export type BmpCompression =
  | 'rgb'
  | 'rle8'
  | 'rle4'
  | 'bitfields'
  | 'jpeg'
  | 'png'
  | 'alphabitfields'
  | 'cmyk'
  | 'cmykrle8'
  | 'cmykrle4'
  | 'huffman1d'
  | 'rle24'
  | 'unknown';

/** What the BMP headers declare; `hasAlpha` means an alpha mask is declared (an all-zero alpha channel still decodes as RGB). */
export interface BmpHeader {
  width: number;
  height: number;
  bitsPerPixel: number;
  compression: BmpCompression;
  topDown: boolean;
  hasAlpha: boolean;
  paletteSize: number;
  headerSize: number;
  dataOffset: number;
}

/** Decoded pixels: top-left-first, row-major, 8 bits per channel. */
export interface DecodedBmp {
  width: number;
  height: number;
  channels: 3 | 4;
  data: Buffer;
}

/** Limits applied while decoding. */
export interface DecodeBmpOptions {
  maxPixels: number;
}

interface Layout extends BmpHeader {
  masks: [number, number, number, number];
  paletteOffset: number;
  paletteEntrySize: number;
}

const COMPRESSION_NAMES: readonly BmpCompression[] = [
  'rgb',
  'rle8',
  'rle4',
  'bitfields',
  'jpeg',
  'png',
  'alphabitfields',
];
const COMPRESSION_LABELS: Partial<Record<BmpCompression, string>> = {
  jpeg: 'JPEG',
  png: 'PNG',
  cmyk: 'CMYK',
  cmykrle8: 'CMYK RLE8',
  cmykrle4: 'CMYK RLE4',
  huffman1d: 'OS/2 Huffman',
  rle24: 'OS/2 RLE24',
};
const OS2_ARRAY_SIGNATURES = new Set(['BA', 'CI', 'CP', 'IC', 'PT']);
const WINDOWS_HEADER_SIZES = new Set([40, 52, 56, 108, 124]);
const DEFAULT_MASKS_16: [number, number, number, number] = [0x7c00, 0x03e0, 0x001f, 0];
const MAX_OUTPUT_PIXELS = Math.floor(0x7fffffff / 4);
const DEFAULT_MASKS_32: [number, number, number, number] = [0x00ff0000, 0x0000ff00, 0x000000ff, 0];

/** Parses and validates the BMP headers without touching the pixel data. */
export function readBmpHeader(data: Uint8Array): BmpHeader {
  const { masks: _m, paletteOffset: _p, paletteEntrySize: _e, ...header } = parseLayout(data);
  return header;
}

/** Decodes a BMP file to RGB, or RGBA when the file carries a real alpha channel. */
export function decodeBmp(data: Uint8Array, options: DecodeBmpOptions): DecodedBmp {
  const layout = parseLayout(data);
  const { width, height } = layout;
  const pixels = width * height;
  const limit = Math.min(options.maxPixels, MAX_OUTPUT_PIXELS);
  if (pixels > limit) {
    throw new BmpError(
      'too-many-pixels',
      `BMP is ${width}x${height} (${pixels} pixels), more than the limit of ${limit}`,
    );
  }
  const palette = layout.bitsPerPixel <= 8 ? readPalette(data, layout) : undefined;
  if (layout.compression === 'rle8' || layout.compression === 'rle4') return decodeRle(data, layout, palette!);
  return decodeRows(data, layout, palette);
}

function parseLayout(data: Uint8Array): Layout {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  if (data.length === 0 || (data.length === 1 && data[0] === 0x42)) {
    throw new BmpError('truncated', `BMP file ends after ${data.length} bytes, inside its signature`);
  }
  const signature = String.fromCharCode(data[0] ?? 0, data[1] ?? 0);
  if (signature !== 'BM') {
    if (OS2_ARRAY_SIGNATURES.has(signature)) {
      throw new BmpError(
        'unsupported',
        `File is an OS/2 bitmap array or icon (${signature}), which Tagbench cannot decode`,
      );
    }
    throw new BmpError('not-bmp', 'File does not start with the BMP signature "BM"');
  }
  need(data, 18, 'header');
  const headerSize = view.getUint32(14, true);
  const core = headerSize === 12;
  const os2 = headerSize === 16 || headerSize === 64;
  if (!core && !os2 && !WINDOWS_HEADER_SIZES.has(headerSize)) {
    if (headerSize < 12)
      throw new BmpError('corrupt', `BMP declares a header of ${headerSize} bytes, too small to be valid`);
    throw new BmpError('unsupported', `BMP uses an unknown ${headerSize}-byte header, which Tagbench cannot decode`);
  }
  need(data, 14 + headerSize, 'header');

  let width: number;
  let rawHeight: number;
  let bitsPerPixel: number;
  let code = 0;
  let colorsUsed = 0;
  if (core) {
    width = view.getUint16(18, true);
    rawHeight = view.getUint16(20, true);
    bitsPerPixel = view.getUint16(24, true);
  } else {
    width = view.getInt32(18, true);
    rawHeight = view.getInt32(22, true);
    bitsPerPixel = view.getUint16(28, true);
    if (headerSize >= 20) code = view.getUint32(30, true);
    if (headerSize >= 36) colorsUsed = view.getUint32(46, true);
  }
  const topDown = rawHeight < 0;
  const height = Math.abs(rawHeight);
  if (width <= 0 || height === 0) {
    throw new BmpError('corrupt', `BMP declares an invalid size of ${width}x${rawHeight} pixels`);
  }

  const compression = compressionName(code, headerSize === 64);
  const label = COMPRESSION_LABELS[compression];
  if (label) throw new BmpError('unsupported', `BMP uses ${label} compression, which Tagbench cannot decode`);
  if (compression === 'unknown')
    throw new BmpError('unsupported', `BMP uses unknown compression type ${code}, which Tagbench cannot decode`);
  checkBitDepth(bitsPerPixel, compression);

  const bitfields = compression === 'bitfields' || compression === 'alphabitfields';
  let masksEnd = 14 + headerSize;
  let masks: [number, number, number, number] = bitsPerPixel === 16 ? [...DEFAULT_MASKS_16] : [...DEFAULT_MASKS_32];
  if (bitfields) {
    const count = compression === 'alphabitfields' ? 4 : 3;
    masksEnd = Math.max(masksEnd, 54 + count * 4);
    need(data, masksEnd, 'colour masks');
    const read: [number, number, number, number] = [0, 0, 0, 0];
    for (let i = 0; i < count; i++) read[i] = view.getUint32(54 + i * 4, true);
    if (count === 3 && headerSize >= 56) read[3] = view.getUint32(66, true);
    if (read[0] | read[1] | read[2]) masks = read;
    else masks[3] = read[3];
  } else if (compression === 'rgb' && bitsPerPixel === 32 && headerSize >= 56 && !os2) {
    masks[3] = view.getUint32(66, true);
  }
  if (bitsPerPixel === 16) masks = masks.map((m) => m & 0xffff) as typeof masks;
  if (bitsPerPixel === 24) masks = masks.map((m) => m & 0xffffff) as typeof masks;
  const hasAlpha = bitsPerPixel >= 16 && masks[3] !== 0;

  const paletteOffset = masksEnd;
  const paletteEntrySize = core ? 3 : 4;
  const maxColours = bitsPerPixel <= 8 ? 2 ** bitsPerPixel : 0;
  let paletteSize = colorsUsed === 0 || colorsUsed > maxColours ? maxColours : colorsUsed;
  let dataOffset = view.getUint32(10, true);
  if (dataOffset === 0) dataOffset = paletteOffset + paletteSize * paletteEntrySize;
  if (dataOffset < paletteOffset) {
    throw new BmpError(
      'corrupt',
      `BMP pixel data offset ${dataOffset} points inside its ${paletteOffset}-byte headers`,
    );
  }
  paletteSize = Math.min(paletteSize, Math.floor((dataOffset - paletteOffset) / paletteEntrySize));
  if (bitsPerPixel <= 8 && paletteSize === 0) {
    throw new BmpError(
      'corrupt',
      `BMP uses ${bitsPerPixel}-bit palette pixels but has no palette before its pixel data`,
    );
  }
  return {
    width,
    height,
    bitsPerPixel,
    compression,
    topDown,
    hasAlpha,
    paletteSize,
    headerSize,
    dataOffset,
    masks,
    paletteOffset,
    paletteEntrySize,
  };
}

function compressionName(code: number, os2: boolean): BmpCompression {
  if (os2 && code === 3) return 'huffman1d';
  if (os2 && code === 4) return 'rle24';
  if (code === 11) return 'cmyk';
  if (code === 12) return 'cmykrle8';
  if (code === 13) return 'cmykrle4';
  return COMPRESSION_NAMES[code] ?? 'unknown';
}

function checkBitDepth(bpp: number, compression: BmpCompression): void {
  if (![1, 2, 4, 8, 16, 24, 32].includes(bpp)) {
    if (bpp === 48 || bpp === 64)
      throw new BmpError('unsupported', `BMP uses ${bpp} bits per pixel, which Tagbench cannot decode`);
    throw new BmpError('corrupt', `BMP declares ${bpp} bits per pixel, which is not a valid bit depth`);
  }
  if (compression === 'rle8' && bpp !== 8)
    throw new BmpError('corrupt', `BMP declares RLE8 compression with ${bpp} bits per pixel`);
  if (compression === 'rle4' && bpp !== 4)
    throw new BmpError('corrupt', `BMP declares RLE4 compression with ${bpp} bits per pixel`);
  if ((compression === 'bitfields' || compression === 'alphabitfields') && bpp < 16) {
    throw new BmpError('corrupt', `BMP declares bitfields compression with ${bpp} bits per pixel`);
  }
}

function need(data: Uint8Array, end: number, what: string): void {
  if (data.length < end) throw new BmpError('truncated', `BMP ${what} ends after ${data.length} of ${end} bytes`);
}

function readPalette(data: Uint8Array, layout: Layout): Uint8Array {
  const { paletteOffset, paletteEntrySize, paletteSize } = layout;
  const end = paletteOffset + paletteSize * paletteEntrySize;
  if (data.length < end) {
    throw new BmpError(
      'truncated',
      `BMP palette ends after ${Math.max(0, data.length - paletteOffset)} of ${end - paletteOffset} bytes`,
    );
  }
  const palette = new Uint8Array(256 * 3);
  for (let i = 0; i < paletteSize; i++) {
    const p = paletteOffset + i * paletteEntrySize;
    palette[i * 3] = data[p + 2]!;
    palette[i * 3 + 1] = data[p + 1]!;
    palette[i * 3 + 2] = data[p]!;
  }
  return palette;
}

function decodeRows(data: Uint8Array, layout: Layout, palette: Uint8Array | undefined): DecodedBmp {
  const { width, height, bitsPerPixel: bpp, dataOffset, topDown } = layout;
  const stride = Math.ceil((width * bpp) / 32) * 4;
  const total = stride * height;
  const needed = total - stride + Math.ceil((width * bpp) / 8);
  const available = Math.max(0, data.length - dataOffset);
  if (available < needed) {
    throw new BmpError('truncated', `BMP pixel data ends after ${available} of ${total} bytes`);
  }
  const channels = layout.hasAlpha ? 4 : 3;
  const out = Buffer.allocUnsafe(width * height * channels);
  const masked =
    palette ||
    (bpp === 24 && layout.compression === 'rgb') ||
    (bpp === 32 && channels === 3 && isStandard32(layout.masks))
      ? undefined
      : (layout.masks.map(cachedChannel) as [Channel, Channel, Channel, Channel]);
  for (let y = 0; y < height; y++) {
    const src = dataOffset + (topDown ? y : height - 1 - y) * stride;
    const dst = y * width * channels;
    if (palette) decodePaletteRow(data, src, out, dst, width, bpp, palette);
    else if (masked) decodeMaskedRow(data, src, out, dst, width, bpp / 8, masked, channels);
    else if (bpp === 24) decodeBgrRow(data, src, out, dst, width);
    else decodeBgrxRow(data, src, out, dst, width);
  }
  if (channels === 4) return dropEmptyAlpha(width, height, out);
  return { width, height, channels, data: out };
}

function isStandard32(masks: readonly number[]): boolean {
  return masks[0] === 0x00ff0000 && masks[1] === 0x0000ff00 && masks[2] === 0x000000ff;
}

function decodePaletteRow(
  data: Uint8Array,
  src: number,
  out: Buffer,
  dst: number,
  width: number,
  bpp: number,
  palette: Uint8Array,
): void {
  if (bpp === 8) {
    for (let x = 0; x < width; x++) {
      const p = data[src + x]! * 3;
      out[dst++] = palette[p]!;
      out[dst++] = palette[p + 1]!;
      out[dst++] = palette[p + 2]!;
    }
    return;
  }
  const perByte = 8 / bpp;
  const mask = (1 << bpp) - 1;
  for (let x = 0; x < width; x++) {
    const byte = data[src + Math.floor(x / perByte)]!;
    const p = ((byte >> (8 - bpp * ((x % perByte) + 1))) & mask) * 3;
    out[dst++] = palette[p]!;
    out[dst++] = palette[p + 1]!;
    out[dst++] = palette[p + 2]!;
  }
}

function decodeBgrRow(data: Uint8Array, src: number, out: Buffer, dst: number, width: number): void {
  const end = src + width * 3;
  for (let s = src, d = dst; s < end; s += 3, d += 3) {
    out[d] = data[s + 2]!;
    out[d + 1] = data[s + 1]!;
    out[d + 2] = data[s]!;
  }
}

function decodeBgrxRow(data: Uint8Array, src: number, out: Buffer, dst: number, width: number): void {
  const end = src + width * 4;
  for (let s = src; s < end; s += 4) {
    out[dst++] = data[s + 2]!;
    out[dst++] = data[s + 1]!;
    out[dst++] = data[s]!;
  }
}

interface Channel {
  mask: number;
  shift: number;
  table: Uint8Array;
}

function channelFor(mask: number): Channel {
  if (mask === 0) return { mask: 0, shift: 0, table: new Uint8Array(1) };
  let shift = 31 - Math.clz32(mask & -mask);
  let max = mask >>> shift;
  const span = 32 - Math.clz32(max);
  if (span > 16) {
    shift += span - 16;
    max >>>= span - 16;
  }
  const table = new Uint8Array(max + 1);
  for (let v = 0; v <= max; v++) table[v] = Math.round((v * 255) / max);
  return { mask, shift, table };
}

const channelCache = new Map<number, Channel>();

function cachedChannel(mask: number): Channel {
  let channel = channelCache.get(mask);
  if (!channel) {
    channel = channelFor(mask);
    if (channelCache.size < 64) channelCache.set(mask, channel);
  }
  return channel;
}

function decodeMaskedRow(
  data: Uint8Array,
  src: number,
  out: Buffer,
  dst: number,
  width: number,
  bytes: number,
  [r, g, b, a]: readonly [Channel, Channel, Channel, Channel],
  channels: number,
): void {
  for (let x = 0, s = src; x < width; x++, s += bytes) {
    let v = data[s]! | (data[s + 1]! << 8);
    if (bytes >= 3) v |= data[s + 2]! << 16;
    if (bytes === 4) v |= data[s + 3]! << 24;
    out[dst++] = r.table[(v & r.mask) >>> r.shift]!;
    out[dst++] = g.table[(v & g.mask) >>> g.shift]!;
    out[dst++] = b.table[(v & b.mask) >>> b.shift]!;
    if (channels === 4) out[dst++] = a.table[(v & a.mask) >>> a.shift]!;
  }
}

function dropEmptyAlpha(width: number, height: number, rgba: Buffer): DecodedBmp {
  for (let i = 3; i < rgba.length; i += 4) {
    if (rgba[i] !== 0) return { width, height, channels: 4, data: rgba };
  }
  const rgb = Buffer.allocUnsafe(width * height * 3);
  for (let s = 0, d = 0; s < rgba.length; s += 4) {
    rgb[d++] = rgba[s]!;
    rgb[d++] = rgba[s + 1]!;
    rgb[d++] = rgba[s + 2]!;
  }
  return { width, height, channels: 3, data: rgb };
}

function decodeRle(data: Uint8Array, layout: Layout, palette: Uint8Array): DecodedBmp {
  const { width, height, dataOffset } = layout;
  const four = layout.compression === 'rle4';
  const out = Buffer.alloc(width * height * 3);
  const end = data.length;
  let pos = dataOffset;
  let x = 0;
  let y = 0;
  const put = (index: number): void => {
    if (x < width) {
      const p = index * 3;
      const o = ((layout.topDown ? y : height - 1 - y) * width + x) * 3;
      out[o] = palette[p]!;
      out[o + 1] = palette[p + 1]!;
      out[o + 2] = palette[p + 2]!;
    }
    x++;
  };
  const truncated = (): BmpError =>
    new BmpError(
      'truncated',
      `BMP ${four ? 'RLE4' : 'RLE8'} data ends after ${Math.max(0, end - dataOffset)} bytes, before the end of the image`,
    );
  while (y < height) {
    if (pos + 2 > end) {
      if (y === height - 1 && x >= width) break;
      throw truncated();
    }
    const count = data[pos]!;
    const value = data[pos + 1]!;
    pos += 2;
    if (count > 0) {
      if (four) for (let i = 0; i < count; i++) put(i % 2 === 0 ? value >> 4 : value & 0x0f);
      else for (let i = 0; i < count; i++) put(value);
    } else if (value === 0) {
      x = 0;
      y++;
    } else if (value === 1) {
      break;
    } else if (value === 2) {
      if (pos + 2 > end) throw truncated();
      x += data[pos]!;
      y += data[pos + 1]!;
      pos += 2;
    } else {
      const bytes = four ? Math.ceil(value / 2) : value;
      if (pos + bytes > end) throw truncated();
      for (let i = 0; i < value; i++) {
        if (four) {
          const byte = data[pos + (i >> 1)]!;
          put(i % 2 === 0 ? byte >> 4 : byte & 0x0f);
        } else {
          put(data[pos + i]!);
        }
      }
      pos += bytes + (bytes & 1);
    }
  }
  return { width, height, channels: 3, data: out };
}
