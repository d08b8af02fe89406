/**
 * The one way Tagbench reads an image's pixels, for every pipeline (index and thumbnails, process,
 * export, annotation, upscaling, auto-crop): the format sniffed from the bytes, BMP decoded by
 * Tagbench's own decoder (sharp cannot read it), the displayed size (after EXIF orientation) and the
 * pixel limit checked from the header before any decode, and a sharp pipeline over the oriented
 * image (first frame of animations; CMYK and 16-bit images as stored, for the caller to convert).
 * Every failure is an ImageError with the problem kind the index records for the same file.
 */
import sharp from 'sharp';
import type { Metadata, OutputInfo, Sharp } from 'sharp';
import { BmpError, decodeBmp, readBmpHeader } from './bmpDecoder.ts';
import { sniffFormat } from './formatSniff.ts';
import type { ImageFormat } from './formatSniff.ts';
import { ImageError } from './imageError.ts';
import { classifySharpError, formatName } from './sharpErrors.ts';

/** sharp's default limit: 0x3FFF * 0x3FFF pixels. Larger images are treated as decompression bombs. */
export const DEFAULT_MAX_PIXELS = 268_402_689;

/** An opened original: facts as displayed, and a way to start a decoding pipeline. */
export interface SourceImage {
  /** What the bytes hold; AV1-compressed HEIF is 'avif'. */
  format: ImageFormat;
  /** Size as displayed (after EXIF orientation; one frame of an animation). */
  width: number;
  height: number;
  /** Channels as stored (4 for CMYK; alpha included). */
  channels: number;
  hasAlpha: boolean;
  /** Bits per sample as stored. */
  bitDepth: number;
  /** More than 8 bits per sample. */
  highDepth: boolean;
  /** One colour channel (plus alpha, if any). */
  grey: boolean;
  /** libvips' interpretation of the stored pixels, e.g. 'srgb', 'cmyk', 'b-w', 'rgb16'. */
  space: string;
  /** EXIF orientation (1 when none). */
  orientation: number;
  /** Frames of an animation (1 for a still image). */
  frames: number;
  /** A new sharp pipeline over the oriented image (first frame of animations). */
  pipeline(): Sharp;
  /**
   * Runs the pipeline `build` makes from pipeline() to a buffer; a decode failure becomes the
   * ImageError the index would record (decoded once more when libvips lost the reason).
   */
  render(build: (image: Sharp) => Sharp): Promise<{ data: Buffer; info: OutputInfo }>;
}

/** Opens encoded image bytes; throws ImageError when they are no image, cannot be read or are over the pixel limit. */
export async function openSource(bytes: Buffer, maxPixels: number = DEFAULT_MAX_PIXELS): Promise<SourceImage> {
  if (bytes.length === 0) throw new ImageError('empty-file', 'The image is empty (0 bytes).');
  const format = sniffFormat(bytes);
  if (!format) throw new ImageError('not-an-image', 'The data is not an image format Tagbench reads.');
  if (format === 'bmp') return openBmp(bytes, maxPixels);
  let meta: Metadata;
  try {
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch (err) {
    throw classifySharpError(err, format, bytes);
  }
  const storedWidth = meta.width ?? 0;
  const pageHeight = meta.pageHeight ?? meta.height ?? 0;
  if (storedWidth <= 0 || pageHeight <= 0)
    throw new ImageError('corrupt-image', `The ${formatName(format)} header gives no valid size.`);
  if (storedWidth * pageHeight > maxPixels) throw tooManyPixels(storedWidth, pageHeight, maxPixels);
  const orientation = meta.orientation ?? 1;
  const swap = orientation >= 5 && orientation <= 8;
  const pipeline = (): Sharp =>
    sharp(bytes, { autoOrient: true, failOn: 'error', limitInputPixels: maxPixels, sequentialRead: true });
  return {
    format: format === 'heif' && meta.compression === 'av1' ? 'avif' : format,
    width: swap ? pageHeight : storedWidth,
    height: swap ? storedWidth : pageHeight,
    channels: meta.channels ?? 3,
    hasAlpha: meta.hasAlpha ?? false,
    bitDepth: bitDepthOf(meta),
    highDepth: ['ushort', 'short', 'uint', 'int', 'float', 'double'].includes(meta.depth ?? 'uchar'),
    grey: meta.space === 'b-w' || meta.space === 'grey16',
    space: meta.space ?? 'srgb',
    orientation,
    frames: meta.pages ?? 1,
    pipeline,
    render: (build) => render(() => build(pipeline()), format, bytes),
  };
}

/** The error of an image over the pixel limit. */
function tooManyPixels(width: number, height: number, maxPixels: number): ImageError {
  return new ImageError(
    'too-many-pixels',
    `${width}x${height} is ${megapixels(width * height)}, over the limit of ${megapixels(maxPixels)} (a possible decompression bomb).`,
  );
}

function openBmp(bytes: Buffer, maxPixels: number): SourceImage {
  let image;
  let bitsPerPixel: number;
  try {
    bitsPerPixel = readBmpHeader(bytes).bitsPerPixel;
    image = decodeBmp(bytes, { maxPixels });
  } catch (err) {
    if (!(err instanceof BmpError)) throw err;
    const kind =
      err.kind === 'too-many-pixels'
        ? 'too-many-pixels'
        : err.kind === 'truncated'
          ? 'truncated-image'
          : err.kind === 'unsupported'
            ? 'unsupported-image'
            : err.kind === 'not-bmp'
              ? 'not-an-image'
              : 'corrupt-image';
    throw new ImageError(kind, err.message);
  }
  const { width, height, channels, data } = image;
  const pipeline = (): Sharp => sharp(data, { raw: { width, height, channels }, limitInputPixels: maxPixels });
  return {
    format: 'bmp',
    width,
    height,
    channels,
    hasAlpha: channels === 4,
    bitDepth: bitsPerPixel >= 24 ? 8 : bitsPerPixel,
    highDepth: false,
    grey: false,
    space: 'srgb',
    orientation: 1,
    frames: 1,
    pipeline,
    render: (build) => render(() => build(pipeline()), 'bmp', bytes),
  };
}

async function render(
  make: () => Sharp,
  format: ImageFormat,
  bytes: Buffer,
): Promise<{ data: Buffer; info: OutputInfo }> {
  try {
    return await make().toBuffer({ resolveWithObject: true });
  } catch (first) {
    // libvips' error text can be lost when several decodes fail at once; a second try names the cause.
    if (!/^unknown error\.?$/i.test(String((first as Error).message).trim()))
      throw classifySharpError(first, format, bytes);
    try {
      return await make().toBuffer({ resolveWithObject: true });
    } catch (second) {
      throw classifySharpError(second, format, bytes);
    }
  }
}

function bitDepthOf(meta: Metadata): number {
  if (meta.bitsPerSample) return meta.bitsPerSample;
  switch (meta.depth) {
    case 'ushort':
    case 'short':
      return 16;
    case 'uint':
    case 'int':
    case 'float':
      return 32;
    case 'double':
      return 64;
    default:
      return 8;
  }
}

function megapixels(pixels: number): string {
  if (pixels < 100_000) return `${pixels} pixels`;
  return `${(pixels / 1e6).toFixed(pixels >= 1e7 ? 0 : 1)} MP`;
}
