/**
 * Naming a sharp/libvips decode failure as a problem kind with a readable message. The container's
 * own end markers decide "truncated" first, because libvips' error text is unreliable: it keeps one
 * error buffer for all threads, so a failure while other images decode can read "Unknown error".
 */
import { ImageError } from './imageError.ts';
import type { ImageFormat } from './formatSniff.ts';
import { looksTruncated } from './truncation.ts';

/** The ImageError a failed decode of `data` (sniffed as `format`) becomes. */
export function classifySharpError(err: unknown, format: ImageFormat, data: Buffer): ImageError {
  const raw = err instanceof Error ? err.message : String(err);
  const name = formatName(format);
  const lost = /^unknown error\.?$/i.test(raw.trim());
  const detail = lost
    ? 'the decoder gave no reason'
    : raw
        .split('\n')
        .map((line) => line.trim())
        .filter(Boolean)
        .join('; ');
  if (looksTruncated(format, data))
    return new ImageError('truncated-image', `The ${name} data ends early (the file is truncated).`);
  if (/pixel limit/i.test(raw))
    return new ImageError(
      'too-many-pixels',
      `The image is over the pixel limit (a possible decompression bomb): ${detail}.`,
    );
  if (/truncat|premature end|unexpected end|end of (file|stream|data)|not enough data|incomplete/i.test(raw)) {
    return new ImageError('truncated-image', `The ${name} data ends early (the file is truncated): ${detail}.`);
  }
  if (/unsupported image format|bad seek|Input buffer contains unsupported/i.test(raw)) {
    return new ImageError('not-an-image', `The ${name} data could not be recognised: ${detail}.`);
  }
  return new ImageError('corrupt-image', `The ${name} data is corrupt: ${detail}.`, lost);
}

/** A format's name as users know it (JPEG, PNG, ...). */
export function formatName(format: ImageFormat): string {
  return format === 'jpeg' ? 'JPEG' : format.toUpperCase();
}
