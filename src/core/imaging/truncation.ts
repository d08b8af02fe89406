/**
 * Whether encoded image data ends early, judged from the container's own end markers. Used to name a
 * decode failure reliably: the decoder's error text is not (libvips can report "Unknown error" when
 * several images fail at once).
 */
import type { ImageFormat } from './formatSniff.ts';

/** True when the data visibly stops before its format's end marker. */
export function looksTruncated(format: ImageFormat, data: Uint8Array): boolean {
  switch (format) {
    case 'jpeg':
      return !hasJpegEnd(data);
    case 'png':
      return !containsAscii(data, 'IEND', Math.max(0, data.length - 256));
    case 'gif':
      return trimZeros(data).at(-1) !== 0x3b;
    case 'webp':
      return data.length >= 8 && riffSize(data) + 8 > data.length;
    default:
      return false;
  }
}

function hasJpegEnd(data: Uint8Array): boolean {
  const end = trimZeros(data);
  for (let i = end.length - 2; i >= Math.max(0, end.length - 1024); i--) {
    if (end[i] === 0xff && end[i + 1] === 0xd9) return true;
  }
  return false;
}

function trimZeros(data: Uint8Array): Uint8Array {
  let end = data.length;
  while (end > 0 && data[end - 1] === 0) end--;
  return data.subarray(0, end);
}

function riffSize(data: Uint8Array): number {
  return (data[4]! | (data[5]! << 8) | (data[6]! << 16) | (data[7]! << 24)) >>> 0;
}

function containsAscii(data: Uint8Array, text: string, from: number): boolean {
  outer: for (let i = from; i <= data.length - text.length; i++) {
    for (let k = 0; k < text.length; k++) if (data[i + k] !== text.charCodeAt(k)) continue outer;
    return true;
  }
  return false;
}
