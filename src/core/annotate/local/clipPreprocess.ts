/**
 * Image preprocessing for CLIP-style embedding models: EXIF orientation applied, alpha flattened onto
 * white, resized (cubic) so the shortest side is the model's side, centre-cropped to a square, then
 * RGB scaled to 0..1 and normalised with CLIP's mean and standard deviation, channels first (NCHW).
 */
import { DEFAULT_MAX_PIXELS, openSource } from '../../imaging/sourceImage.ts';

/** CLIP's per-channel (RGB) mean. */
export const CLIP_MEAN: readonly [number, number, number] = [0.48145466, 0.4578275, 0.40821073];
/** CLIP's per-channel (RGB) standard deviation. */
export const CLIP_STD: readonly [number, number, number] = [0.26862954, 0.26130258, 0.27577711];

/**
 * Decodes an encoded image (through openSource, as the index reads it) into a size x size 8-bit RGB
 * centre crop (shortest side resized to size); rejects with an ImageError when it cannot be decoded.
 */
export async function clipPixels(image: Buffer, size: number, maxInputPixels?: number): Promise<Buffer> {
  const source = await openSource(image, maxInputPixels ?? DEFAULT_MAX_PIXELS);
  const { data, info } = await source.render((pipeline) =>
    pipeline
      .flatten({ background: { r: 255, g: 255, b: 255, alpha: 1 } })
      .resize(size, size, { fit: 'cover', position: 'centre', kernel: 'cubic' })
      .toColourspace('srgb')
      .removeAlpha()
      .raw({ depth: 'uchar' }),
  );
  if (info.width !== size || info.height !== size || info.channels !== 3)
    throw new Error(`unexpected ${info.width}x${info.height}x${info.channels} image after preprocessing`);
  return data;
}

/** Writes size x size RGB pixels into `target` at image slot `index`, normalised (x/255 - mean) / std, channels first. */
export function writeClipNchw(
  rgb: Uint8Array,
  target: Float32Array,
  index: number,
  mean: readonly number[] = CLIP_MEAN,
  std: readonly number[] = CLIP_STD,
): void {
  const plane = rgb.length / 3;
  const offset = index * rgb.length;
  if (offset + rgb.length > target.length) throw new RangeError(`image slot ${index} is outside the batch tensor`);
  for (let c = 0; c < 3; c++) {
    // One lookup table per channel: value -> normalised float.
    const table = new Float32Array(256);
    for (let v = 0; v < 256; v++) table[v] = (v / 255 - mean[c]!) / std[c]!;
    const base = offset + c * plane;
    for (let p = 0; p < plane; p++) target[base + p] = table[rgb[p * 3 + c]!]!;
  }
}
