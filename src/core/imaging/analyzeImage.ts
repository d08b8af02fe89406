/**
 * Everything the index needs from one image's bytes, from a single decode: its facts (size as
 * displayed, format, channels, depth, colour space, frames), perceptual hashes, and optionally a
 * WebP thumbnail. JPEG and WebP decode at reduced size (shrink-on-load), so this is cheap.
 */
import sharp from 'sharp';
import type { Metadata, OutputInfo, Sharp } from 'sharp';
import { decodeBmp, readBmpHeader, BmpError } from './bmpDecoder.ts';
import { ImageError } from './imageError.ts';
import { sniffFormat, formatOfExtension } from './formatSniff.ts';
import type { ImageFormat } from './formatSniff.ts';
import { dHash, lumaOf, pHash } from './perceptualHash.ts';
import { classifySharpError, formatName } from './sharpErrors.ts';

/** sharp's default limit: 0x3FFF * 0x3FFF pixels. Larger images are treated as decompression bombs. */
export const DEFAULT_MAX_PIXELS = 268_402_689;

/** Facts about an image, as the index stores them. */
export interface ImageFacts {
  format: ImageFormat;
  width: number;
  height: number;
  channels: number;
  hasAlpha: boolean;
  bitDepth: number;
  space: string;
  frames: number;
  orientation: number;
  phash: string;
  dhash: string;
}

/** The result of analysing an image: its facts, a thumbnail if asked for, and a format warning. */
export interface ImageAnalysis {
  facts: ImageFacts;
  thumbnail?: Buffer;
  /** Set when the content's format is not what the extension says (the image is still usable). */
  extensionMismatch?: string;
}

/** Options of analyzeImage. */
export interface AnalyzeOptions {
  /** The file's extension without the dot, to check the content against it. */
  ext: string;
  maxPixels?: number;
  /** Long side of the WebP thumbnail to make; no thumbnail when absent. */
  thumbnailSize?: number;
}

/**
 * Long side of the reduced decode that hashes are computed from. Fixed, so hashes never depend on
 * settings; thumbnails up to this size are made from the same decode.
 */
export const ANALYSIS_SIZE = 256;

/** Analyses encoded image data. Throws ImageError with a problem kind when it cannot be used. */
export async function analyzeImage(data: Buffer, options: AnalyzeOptions): Promise<ImageAnalysis> {
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_PIXELS;
  if (data.length === 0) throw new ImageError('empty-file', 'The file is empty (0 bytes).');
  const format = sniffFormat(data);
  if (!format) throw new ImageError('not-an-image', `The content is not a ${describeExt(options.ext)} image (${describeStart(data)}).`);
  const expected = formatOfExtension(options.ext);
  const extensionMismatch = expected && expected !== format && !(expected === 'avif' && format === 'heif')
    ? `The file is named .${options.ext} but holds ${formatName(format)} data.`
    : undefined;

  const decoded = format === 'bmp' ? decodeBmpInput(data, maxPixels) : await decodeWithSharp(data, format, maxPixels);
  const plane = lumaOf(decoded.pixels, decoded.width, decoded.height, decoded.channels);
  const facts: ImageFacts = { ...decoded.facts, phash: pHash(plane), dhash: dHash(plane) };
  const result: ImageAnalysis = { facts };
  if (extensionMismatch) result.extensionMismatch = extensionMismatch;
  if (options.thumbnailSize) result.thumbnail = await makeThumbnail(data, decoded, options.thumbnailSize, maxPixels);
  return result;
}

/** Encodes the WebP thumbnail from the analysis decode, or from a larger decode when asked for more. */
async function makeThumbnail(data: Buffer, decoded: Decoded, size: number, maxPixels: number): Promise<Buffer> {
  const fit = { fit: 'inside', withoutEnlargement: true } as const;
  const raw = { width: decoded.width, height: decoded.height, channels: decoded.channels as 1 | 2 | 3 | 4 };
  let pipeline: Sharp;
  if (size <= ANALYSIS_SIZE || Math.max(decoded.width, decoded.height) < ANALYSIS_SIZE || decoded.facts.format === 'bmp') {
    pipeline = sharp(decoded.pixels, { raw }).resize(size, size, fit);
  } else {
    pipeline = sharp(data, { failOn: 'error', limitInputPixels: maxPixels }).rotate().resize(size, size, fit).toColourspace('srgb');
  }
  return pipeline.webp({ quality: 80, effort: 2, alphaQuality: 80 }).toBuffer();
}

interface Decoded {
  facts: Omit<ImageFacts, 'phash' | 'dhash'>;
  pixels: Buffer;
  width: number;
  height: number;
  channels: number;
}

async function decodeWithSharp(data: Buffer, format: ImageFormat, maxPixels: number): Promise<Decoded> {
  let meta: Metadata;
  try {
    meta = await sharp(data, { limitInputPixels: false }).metadata();
  } catch (err) {
    throw classifySharpError(err, format, data);
  }
  const storedWidth = meta.width ?? 0;
  const storedHeight = meta.height ?? 0;
  const pageHeight = meta.pageHeight ?? storedHeight;
  if (storedWidth <= 0 || storedHeight <= 0) throw new ImageError('corrupt-image', `The ${formatName(format)} header gives no valid size.`);
  if (storedWidth * pageHeight > maxPixels) {
    throw new ImageError('too-many-pixels',
      `${storedWidth}x${pageHeight} is ${formatMegapixels(storedWidth * pageHeight)}, over the limit of ${formatMegapixels(maxPixels)} (a possible decompression bomb).`);
  }
  const orientation = meta.orientation ?? 1;
  const swap = orientation >= 5 && orientation <= 8;
  const width = swap ? pageHeight : storedWidth;
  const height = swap ? storedWidth : pageHeight;
  const size = ANALYSIS_SIZE;
  const decode = (): Promise<{ data: Buffer; info: OutputInfo }> => sharp(data, { failOn: 'error', limitInputPixels: maxPixels, sequentialRead: true })
    .rotate()
    .resize(size, size, { fit: 'inside', withoutEnlargement: true })
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  let out: { data: Buffer; info: OutputInfo };
  try {
    out = await decode();
  } catch (first) {
    // libvips' error text can be lost when several decodes fail at once; a second try names the cause.
    if (!/^unknown error\.?$/i.test(String((first as Error).message).trim())) throw classifySharpError(first, format, data);
    try {
      out = await decode();
    } catch (second) {
      throw classifySharpError(second, format, data);
    }
  }
  const actualFormat: ImageFormat = format === 'heif' && meta.compression === 'av1' ? 'avif' : format;
  return {
    facts: {
      format: actualFormat,
      width,
      height,
      channels: meta.channels ?? out.info.channels,
      hasAlpha: meta.hasAlpha ?? false,
      bitDepth: bitDepthOf(meta),
      space: meta.space ?? 'srgb',
      frames: meta.pages ?? 1,
      orientation,
    },
    pixels: out.data,
    width: out.info.width,
    height: out.info.height,
    channels: out.info.channels,
  };
}

function decodeBmpInput(data: Buffer, maxPixels: number): Decoded {
  try {
    const header = readBmpHeader(data);
    const image = decodeBmp(data, { maxPixels });
    return {
      facts: {
        format: 'bmp',
        width: image.width,
        height: image.height,
        channels: image.channels,
        hasAlpha: image.channels === 4,
        bitDepth: header.bitsPerPixel >= 24 ? 8 : header.bitsPerPixel,
        space: 'srgb',
        frames: 1,
        orientation: 1,
      },
      pixels: image.data,
      width: image.width,
      height: image.height,
      channels: image.channels,
    };
  } catch (err) {
    if (err instanceof BmpError) {
      const kind = err.kind === 'too-many-pixels' ? 'too-many-pixels'
        : err.kind === 'truncated' ? 'truncated-image'
          : err.kind === 'unsupported' ? 'unsupported-image'
            : err.kind === 'not-bmp' ? 'not-an-image' : 'corrupt-image';
      throw new ImageError(kind, err.message);
    }
    throw err;
  }
}

function bitDepthOf(meta: Metadata): number {
  if (meta.bitsPerSample) return meta.bitsPerSample;
  switch (meta.depth) {
    case 'ushort': case 'short': return 16;
    case 'uint': case 'int': case 'float': return 32;
    case 'double': return 64;
    default: return 8;
  }
}

function describeExt(ext: string): string {
  const format = formatOfExtension(ext);
  return format ? formatName(format) : `.${ext}`;
}

function describeStart(data: Buffer): string {
  const head = data.subarray(0, 16);
  const printable = head.every((b) => b === 9 || b === 10 || b === 13 || (b >= 32 && b < 127));
  if (printable) return `it starts with text "${head.toString('latin1').replace(/\s+/g, ' ').trim()}"`;
  return `it starts with bytes ${head.subarray(0, 8).toString('hex').replace(/(..)/g, '$1 ').trim()}`;
}

function formatMegapixels(pixels: number): string {
  return `${(pixels / 1e6).toFixed(pixels >= 1e7 ? 0 : 1)} MP`;
}
