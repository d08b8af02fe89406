/**
 * Everything the index needs from one image's bytes, from a single decode: its facts (size as
 * displayed, format, channels, depth, colour space, frames), perceptual hashes, and optionally a
 * WebP thumbnail. JPEG and WebP decode at reduced size (shrink-on-load), so this is cheap.
 */
import sharp from 'sharp';
import type { Sharp } from 'sharp';
import { ImageError } from './imageError.ts';
import { sniffFormat, formatOfExtension } from './formatSniff.ts';
import type { ImageFormat } from './formatSniff.ts';
import { dHash, lumaOf, pHash } from './perceptualHash.ts';
import { formatName } from './sharpErrors.ts';
import { DEFAULT_MAX_PIXELS, openSource } from './sourceImage.ts';
import type { SourceImage } from './sourceImage.ts';

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
  if (!format)
    throw new ImageError(
      'not-an-image',
      `The content is not a ${describeExt(options.ext)} image (${describeStart(data)}).`,
    );
  const expected = formatOfExtension(options.ext);
  const extensionMismatch =
    expected && expected !== format && !(expected === 'avif' && format === 'heif')
      ? `The file is named .${options.ext} but holds ${formatName(format)} data.`
      : undefined;

  const source = await openSource(data, maxPixels);
  const fit = { fit: 'inside', withoutEnlargement: true } as const;
  const decoded = await source.render((image) =>
    image.resize(ANALYSIS_SIZE, ANALYSIS_SIZE, fit).toColourspace('srgb').raw({ depth: 'uchar' }),
  );
  const { width, height, channels } = decoded.info;
  const plane = lumaOf(decoded.data, width, height, channels);
  const facts: ImageFacts = {
    format: source.format,
    width: source.width,
    height: source.height,
    channels: source.channels,
    hasAlpha: source.hasAlpha,
    bitDepth: source.bitDepth,
    space: source.space,
    frames: source.frames,
    orientation: source.orientation,
    phash: pHash(plane),
    dhash: dHash(plane),
  };
  const result: ImageAnalysis = { facts };
  if (extensionMismatch) result.extensionMismatch = extensionMismatch;
  if (options.thumbnailSize) result.thumbnail = await makeThumbnail(source, decoded, options.thumbnailSize);
  return result;
}

/** Encodes the WebP thumbnail from the analysis decode, or from a larger decode when asked for more. */
async function makeThumbnail(
  source: SourceImage,
  decoded: { data: Buffer; info: { width: number; height: number; channels: number } },
  size: number,
): Promise<Buffer> {
  const fit = { fit: 'inside', withoutEnlargement: true } as const;
  const webp = (image: Sharp): Sharp => image.webp({ quality: 80, effort: 2, alphaQuality: 80 });
  if (size <= ANALYSIS_SIZE || Math.max(source.width, source.height) <= ANALYSIS_SIZE) {
    const { width, height, channels } = decoded.info;
    return webp(
      sharp(decoded.data, { raw: { width, height, channels: channels as 1 | 2 | 3 | 4 } }).resize(size, size, fit),
    ).toBuffer();
  }
  return (await source.render((image) => webp(image.resize(size, size, fit).toColourspace('srgb')))).data;
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
