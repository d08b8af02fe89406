/**
 * Statistics of one line of pixels (a row or a column, counted from one side of the image) against
 * a band colour: what border detection decides with.
 */

/** Decoded pixels, row-major from the top-left, 8 bits per channel (1-4 channels; 2 and 4 carry alpha). */
export interface PixelBuffer {
  data: Uint8Array;
  width: number;
  height: number;
  channels: number;
}

/** The side of the image lines are counted from. */
export type Side = 'top' | 'bottom' | 'left' | 'right';

/** The two thresholds a line is measured with. */
export interface Thresholds {
  /** A pixel is band-coloured within this difference. */
  tolerance: number;
  /** A pixel is picture beyond this difference. */
  edgeContrast: number;
}

/** Differences are capped at this when averaged, so a few extreme pixels cannot make an edge. */
const DEVIATION_CAP = 64;

/** Statistics of one line against the band colour. */
export interface LineStats {
  /** Fraction of pixels within tolerance of the band colour. */
  coverage: number;
  /** Fraction of pixels within twice the tolerance. */
  near: number;
  /** Largest channel difference between those pixels' mean and the band colour. */
  drift: number;
  /** Fraction of pixels differing from the band colour by more than edgeContrast. */
  picture: number;
  /** Mean difference from the band colour, each pixel's capped at DEVIATION_CAP. */
  deviation: number;
}

/** Measures line `line` from `side`, over positions [from, to) along it, against the band colour `reference` (as readPixel gives it). */
export function lineStats(
  image: PixelBuffer,
  side: Side,
  line: number,
  from: number,
  to: number,
  reference: Float64Array,
  o: Thresholds,
): LineStats {
  const { data, channels: k } = image;
  const { start, stride } = lineLayout(image, side, line, from);
  const count = to - from;
  const pixel = new Float64Array(k);
  const sums = new Float64Array(k);
  let within = 0;
  let near = 0;
  let picture = 0;
  let deviations = 0;
  for (let i = 0, p = start; i < count; i++, p += stride) {
    readPixel(data, p, k, pixel);
    let deviation = 0;
    for (let c = 0; c < k; c++) deviation = Math.max(deviation, Math.abs(pixel[c]! - reference[c]!));
    deviations += Math.min(deviation, DEVIATION_CAP);
    if (deviation <= o.tolerance) {
      within++;
      for (let c = 0; c < k; c++) sums[c]! += pixel[c]!;
    }
    if (deviation <= 2 * o.tolerance) {
      near++;
    } else if (deviation > o.edgeContrast) {
      picture++;
    }
  }
  let drift = within === 0 ? Infinity : 0;
  if (within > 0) for (let c = 0; c < k; c++) drift = Math.max(drift, Math.abs(sums[c]! / within - reference[c]!));
  return {
    coverage: within / count,
    near: near / count,
    drift,
    picture: picture / count,
    deviation: deviations / count,
  };
}

/** The per-component median of one line (as readPixel gives it): the band colour, robust to a few odd pixels. */
export function medianColour(image: PixelBuffer, side: Side, line: number, from: number, to: number): Float64Array {
  const { data, channels: k } = image;
  const { start, stride } = lineLayout(image, side, line, from);
  const count = to - from;
  const histograms = Array.from({ length: k }, () => new Uint32Array(256));
  const pixel = new Float64Array(k);
  for (let i = 0, p = start; i < count; i++, p += stride) {
    readPixel(data, p, k, pixel);
    for (let c = 0; c < k; c++) histograms[c]![Math.max(0, Math.min(255, Math.round(pixel[c]!)))]!++;
  }
  const result = new Float64Array(k);
  for (let c = 0; c < k; c++) {
    const histogram = histograms[c]!;
    let seen = 0;
    let value = 0;
    while (value < 255 && (seen += histogram[value]!) * 2 < count) value++;
    result[c] = value;
  }
  return result;
}

/** Offset of the first pixel of a line (at `from` along it) and the step between its pixels. */
function lineLayout(image: PixelBuffer, side: Side, line: number, from: number): { start: number; stride: number } {
  const { width, height, channels } = image;
  switch (side) {
    case 'top':
      return { start: (line * width + from) * channels, stride: channels };
    case 'bottom':
      return { start: ((height - 1 - line) * width + from) * channels, stride: channels };
    case 'left':
      return { start: (from * width + line) * channels, stride: width * channels };
    case 'right':
      return { start: (from * width + (width - 1 - line)) * channels, stride: width * channels };
  }
}

/**
 * The values a pixel is compared by: its channels, premultiplied by alpha with alpha added, so every
 * transparent pixel looks alike.
 */
function readPixel(data: Uint8Array, p: number, channels: number, out: Float64Array): void {
  if (channels === 1 || channels === 3) {
    for (let c = 0; c < channels; c++) out[c] = data[p + c]!;
    return;
  }
  const alpha = data[p + channels - 1]!;
  for (let c = 0; c < channels - 1; c++) out[c] = (data[p + c]! * alpha) / 255;
  out[channels - 1] = alpha;
}
