/** Recognising image formats by their first bytes, and by file extension. */

/** Formats Tagbench indexes. AVIF is reported as 'avif' (sharp calls it 'heif'). */
export type ImageFormat = 'jpeg' | 'png' | 'webp' | 'gif' | 'tiff' | 'avif' | 'heif' | 'bmp';

/** File extensions (lower case, without the dot) that mark a file as a dataset image. */
export const IMAGE_EXTENSIONS: ReadonlySet<string> = new Set([
  'jpg',
  'jpeg',
  'png',
  'webp',
  'gif',
  'bmp',
  'tif',
  'tiff',
  'avif',
]);

/** Whether a file name has an image extension (any case). */
export function isImageName(name: string): boolean {
  const dot = name.lastIndexOf('.');
  return dot > 0 && IMAGE_EXTENSIONS.has(name.slice(dot + 1).toLowerCase());
}

/** The format a file's extension promises. */
export function formatOfExtension(ext: string): ImageFormat | undefined {
  switch (ext.toLowerCase()) {
    case 'jpg':
    case 'jpeg':
      return 'jpeg';
    case 'png':
      return 'png';
    case 'webp':
      return 'webp';
    case 'gif':
      return 'gif';
    case 'tif':
    case 'tiff':
      return 'tiff';
    case 'avif':
      return 'avif';
    case 'bmp':
      return 'bmp';
    default:
      return undefined;
  }
}

/** The format of encoded image data by its signature, or undefined when it is none Tagbench reads. */
export function sniffFormat(data: Uint8Array): ImageFormat | undefined {
  const ascii = (start: number, text: string): boolean => {
    if (data.length < start + text.length) return false;
    for (let i = 0; i < text.length; i++) if (data[start + i] !== text.charCodeAt(i)) return false;
    return true;
  };
  if (data.length >= 3 && data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return 'jpeg';
  if (ascii(0, '\x89PNG\r\n\x1a\n')) return 'png';
  if (ascii(0, 'GIF87a') || ascii(0, 'GIF89a')) return 'gif';
  if (ascii(0, 'RIFF') && ascii(8, 'WEBP')) return 'webp';
  if (ascii(0, 'II*\0') || ascii(0, 'MM\0*') || ascii(0, 'II+\0') || ascii(0, 'MM\0+')) return 'tiff';
  if (ascii(0, 'BM')) return 'bmp';
  if (ascii(4, 'ftyp')) {
    const brand = String.fromCharCode(...data.subarray(8, 12));
    if (brand === 'avif' || brand === 'avis') return 'avif';
    if (['heic', 'heix', 'hevc', 'hevx', 'mif1', 'msf1'].includes(brand)) return 'heif';
  }
  return undefined;
}
