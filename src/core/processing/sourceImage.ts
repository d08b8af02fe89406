/**
 * An original image opened for processing: its displayed size and properties from the header alone,
 * and a sharp pipeline that decodes it EXIF-oriented. BMP, which sharp cannot read, is decoded by
 * Tagbench's own decoder into raw pixels first.
 */
import sharp from 'sharp';
import type { Metadata, Sharp } from 'sharp';
import { BmpError, decodeBmp } from '../imaging/bmpDecoder.ts';
import { sniffFormat } from '../imaging/formatSniff.ts';
import type { ImageFormat } from '../imaging/formatSniff.ts';
import { ImageError } from '../imaging/imageError.ts';
import { DEFAULT_MAX_PIXELS } from '../imaging/analyzeImage.ts';

/** An opened original: facts as displayed, and a way to start a decoding pipeline. */
export interface SourceImage {
  format: ImageFormat;
  /** Size as displayed (after EXIF orientation). */
  width: number;
  height: number;
  hasAlpha: boolean;
  /** More than 8 bits per sample. */
  highDepth: boolean;
  /** One colour channel (plus alpha, if any). */
  grey: boolean;
  /** libvips' interpretation of the stored pixels, e.g. 'srgb', 'cmyk', 'b-w', 'rgb16'. */
  space: string;
  /** EXIF orientation (1 when none). */
  orientation: number;
  /** A new sharp pipeline over the oriented image (first frame of animations). */
  pipeline(): Sharp;
}

/** Opens encoded image bytes; throws ImageError when they are no image or over the pixel limit. */
export async function openSource(bytes: Buffer, maxPixels: number = DEFAULT_MAX_PIXELS): Promise<SourceImage> {
  if (bytes.length === 0) throw new ImageError('empty-file', 'The image is empty (0 bytes).');
  const format = sniffFormat(bytes);
  if (!format) throw new ImageError('not-an-image', 'The data is not an image format Tagbench reads.');
  if (format === 'bmp') return openBmp(bytes, maxPixels);
  let meta: Metadata;
  try {
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch (err) {
    throw new ImageError('corrupt-image', `The image header cannot be read: ${(err as Error).message}.`);
  }
  const stored = (meta.width ?? 0) * (meta.pageHeight ?? meta.height ?? 0);
  if (stored > maxPixels) {
    throw new ImageError('too-many-pixels', `The image has ${stored} pixels, over the limit of ${maxPixels} (a possible decompression bomb).`);
  }
  const { width, height } = meta.autoOrient;
  return {
    format,
    width,
    // Animations decode their first frame only.
    height: (meta.pages ?? 1) > 1 && meta.pageHeight ? Math.min(meta.pageHeight, height) : height,
    hasAlpha: meta.hasAlpha ?? false,
    highDepth: ['ushort', 'short', 'uint', 'int', 'float', 'double'].includes(meta.depth ?? 'uchar'),
    grey: meta.space === 'b-w' || meta.space === 'grey16',
    space: meta.space ?? 'srgb',
    orientation: meta.orientation ?? 1,
    pipeline: () => sharp(bytes, { autoOrient: true, failOn: 'error', limitInputPixels: maxPixels, sequentialRead: true }),
  };
}

function openBmp(bytes: Buffer, maxPixels: number): SourceImage {
  let image;
  try {
    image = decodeBmp(bytes, { maxPixels });
  } catch (err) {
    if (!(err instanceof BmpError)) throw err;
    const kind = err.kind === 'too-many-pixels' ? 'too-many-pixels' : err.kind === 'truncated' ? 'truncated-image'
      : err.kind === 'unsupported' ? 'unsupported-image' : err.kind === 'not-bmp' ? 'not-an-image' : 'corrupt-image';
    throw new ImageError(kind, err.message);
  }
  const { width, height, channels, data } = image;
  return {
    format: 'bmp',
    width,
    height,
    hasAlpha: channels === 4,
    highDepth: false,
    grey: false,
    space: 'srgb',
    orientation: 1,
    pipeline: () => sharp(data, { raw: { width, height, channels }, limitInputPixels: maxPixels }),
  };
}
