/**
 * Prepares an image for upload to a vision model: decoded EXIF-oriented (first frame of animations,
 * BMP through Tagbench's decoder), downscaled so its long side is at most N pixels (never upscaled),
 * and encoded as JPEG, or PNG when it has transparency; then base64 with its MIME type.
 */
import { openSource } from '../../imaging/sourceImage.ts';
import { ImageError } from '../../imaging/imageError.ts';
import { AnnotationError } from '../annotator.ts';

/** An image ready to send. */
export interface UploadImage {
  mimeType: 'image/jpeg' | 'image/png';
  /** The encoded bytes. */
  data: Buffer;
  base64: string;
  width: number;
  height: number;
  /** Size of the original as displayed. */
  originalWidth: number;
  originalHeight: number;
}

/** Options of prepareImage. */
export interface UploadImageOptions {
  /** Long side limit in pixels. */
  maxSide: number;
  /** JPEG quality (default 90). */
  quality?: number;
}

/** The size an image of w x h is sent at: its long side at most maxSide, never enlarged. */
export function uploadSize(width: number, height: number, maxSide: number): { width: number; height: number } {
  const scale = Math.min(1, maxSide / Math.max(width, height));
  if (scale === 1) return { width, height };
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/** Downscales and encodes an image for upload; an image that cannot be read throws AnnotationError('image'). */
export async function prepareImage(bytes: Buffer, options: UploadImageOptions): Promise<UploadImage> {
  try {
    const source = await openSource(bytes);
    const { width, height } = uploadSize(source.width, source.height, options.maxSide);
    const out = await source.render((image) => {
      const sized =
        width !== source.width || height !== source.height
          ? image.resize(width, height, { fit: 'fill', kernel: 'lanczos3' })
          : image;
      const srgb = sized.toColourspace('srgb');
      return source.hasAlpha
        ? srgb.png({ compressionLevel: 6 })
        : srgb.removeAlpha().jpeg({ quality: options.quality ?? 90, mozjpeg: false });
    });
    return {
      mimeType: source.hasAlpha ? 'image/png' : 'image/jpeg',
      data: out.data,
      base64: out.data.toString('base64'),
      width: out.info.width,
      height: out.info.height,
      originalWidth: source.width,
      originalHeight: source.height,
    };
  } catch (err) {
    if (err instanceof AnnotationError) throw err;
    const reason = err instanceof ImageError ? err.message : `The image cannot be decoded: ${(err as Error).message}`;
    throw new AnnotationError('image', reason, { cause: err });
  }
}
