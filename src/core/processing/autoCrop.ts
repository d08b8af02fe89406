/**
 * Letterbox and pillarbox detection: flat bands of one colour (any colour) along the sides of an
 * image, found side by side from line statistics, and only where a real edge ends them. Built to
 * leave a sliver of border rather than ever cut into the picture: a dark subject on a dark
 * background, a gradient sky or a vignette is not a border.
 */
import type { CropRect } from './cropRect.ts';
import { lineStats, medianColour } from './lineStatistics.ts';
import type { PixelBuffer, Side } from './lineStatistics.ts';
import { DEFAULT_MAX_PIXELS, openSource } from '../imaging/sourceImage.ts';

export type { PixelBuffer } from './lineStatistics.ts';

/** Pixels to cut from each side. */
export interface Borders {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

/** Tuning of border detection; the defaults suit 8-bit images decoded at a few hundred pixels. */
export interface BorderOptions {
  /** A pixel belongs to the band when no channel differs from the band colour by more than this (default 10). */
  tolerance?: number;
  /** A line (row or column) belongs to the band when this fraction of its pixels do (default 0.97)... */
  minCoverage?: number;
  /** ...and the mean of those pixels is within this of the band colour, so a gradient cannot pass for a band (default 3). */
  maxDrift?: number;
  /**
   * Lines of JPEG ringing (default 16): up to this many lines after the last clean band line still
   * count as band when at least 90% of their pixels are within twice the tolerance, the mean of those
   * within tolerance is within tolerance, and hardly any pixel (under 1%) looks like picture.
   */
  ringLines?: number;
  /** Smallest border as a fraction of the side (default 0.01). */
  minBorderFraction?: number;
  /** Smallest border in pixels (default 3). */
  minBorderPixels?: number;
  /** A pixel is picture, not band, when a channel differs from the band colour by more than this (default 32). */
  edgeContrast?: number;
  /**
   * The band must end at a straight edge, not by fading out or at a rounded silhouette: one of the
   * ringLines after its last clean line must be at least this fraction picture (default 0.5), or one
   * of the first `edgeDepth` lines after it at least 75% off the band colour and on average more than
   * 1.5 times the tolerance from it (for mid-grey bands over mid-tones)...
   */
  edgeCoverage?: number;
  /** ...(default 3 lines), and the edge must be a step, not part of a gradient. */
  edgeDepth?: number;
  /** What is left must be at least this fraction of each side (default 0.25). */
  minKeptFraction?: number;
}

/** Options of detectBordersInImage. */
export interface ImageBorderOptions extends BorderOptions {
  /** Long side of the reduced decode that detection runs on (default 640). */
  detectSize?: number;
  maxPixels?: number;
}

const DEFAULTS: Required<BorderOptions> = {
  tolerance: 10,
  minCoverage: 0.97,
  maxDrift: 3,
  ringLines: 16,
  minBorderFraction: 0.01,
  minBorderPixels: 3,
  edgeContrast: 32,
  edgeCoverage: 0.5,
  edgeDepth: 3,
  minKeptFraction: 0.25,
};

/** Least fraction of a ringing line's pixels within twice the tolerance. */
const RING_COVERAGE = 0.9;
/** Largest fraction of a ringing line's pixels that may look like picture. */
const RING_PICTURE = 0.01;
/** A weak edge line has at most this fraction of its pixels within tolerance... */
const WEAK_COVERAGE = 0.25;
/** ...and differs from the band colour on average by this many tolerances. */
const WEAK_DEVIATION = 1.5;
/** An edge line differs from the band by at least this fraction of what lines further in do... */
const SETTLED = 0.75;
/** ...and at least this fraction of its difference is new within the last two lines. */
const STEP = 0.5;
/** How far JPEG ringing reaches from an edge, in full-size pixels (a chroma block). */
const RING_PIXELS = 16;

/** Long side of the reduced decode. */
export const DETECT_SIZE = 640;

/** The borders of decoded pixels, or null when there is none on any side. */
export function detectBorders(pixels: PixelBuffer, options: BorderOptions = {}): Borders | null {
  const o = { ...DEFAULTS, ...options };
  const image = workingPixels(pixels);
  const { width, height } = image;
  if (width < 8 || height < 8) return null;
  let borders: Borders = { left: 0, top: 0, right: 0, bottom: 0 };
  // A second pass looks at each side between the borders found on the sides next to it, so a
  // windowbox whose bands differ in colour is found too; passes stop when nothing changes.
  for (let pass = 0; pass < 3; pass++) {
    const next: Borders = {
      top: bandWidth(image, 'top', borders.left, width - borders.right, o),
      bottom: bandWidth(image, 'bottom', borders.left, width - borders.right, o),
      left: bandWidth(image, 'left', borders.top, height - borders.bottom, o),
      right: bandWidth(image, 'right', borders.top, height - borders.bottom, o),
    };
    keepSane(next, width, height, o.minKeptFraction);
    const same =
      next.top === borders.top &&
      next.bottom === borders.bottom &&
      next.left === borders.left &&
      next.right === borders.right;
    borders = next;
    if (same) break;
  }
  return borders.top || borders.bottom || borders.left || borders.right ? borders : null;
}

/**
 * The region of an encoded image to keep, without its borders, in displayed (EXIF-oriented)
 * coordinates of the full-size image; null when it has no border. Detection runs on a reduced
 * decode; each border is scaled back and then rounded down, less half a reduced pixel, so the
 * reduction can leave a sliver of border but never cut the picture.
 */
export async function detectBordersInImage(bytes: Buffer, options: ImageBorderOptions = {}): Promise<CropRect | null> {
  const source = await openSource(bytes, options.maxPixels ?? DEFAULT_MAX_PIXELS);
  const size = options.detectSize ?? DETECT_SIZE;
  // A triangle filter averages JPEG noise away without the overshoot that would ring at a band's edge.
  const { data, info } = await source.render((image) =>
    image
      .resize(size, size, { fit: 'inside', withoutEnlargement: true, kernel: 'linear' })
      .toColourspace('srgb')
      .raw({ depth: 'uchar' }),
  );
  const scaleX = source.width / info.width;
  const scaleY = source.height / info.height;
  const minPixels = options.minBorderPixels ?? DEFAULTS.minBorderPixels;
  const borders = detectBorders(
    { data, width: info.width, height: info.height, channels: info.channels },
    {
      ringLines: Math.ceil(RING_PIXELS / Math.min(scaleX, scaleY)) + 1,
      ...options,
      minBorderPixels: Math.max(1, Math.ceil(minPixels / Math.max(scaleX, scaleY))),
    },
  );
  if (!borders) return null;
  const back = (n: number, full: number, reduced: number): number => {
    if (n === 0 || full === reduced) return n;
    // n reduced lines cover exactly n * full / reduced full lines; half a line less is certain to be band.
    const cut = Math.floor(((n - 0.5) * full) / reduced);
    return cut >= minPixels ? cut : 0;
  };
  const left = back(borders.left, source.width, info.width);
  const right = back(borders.right, source.width, info.width);
  const top = back(borders.top, source.height, info.height);
  const bottom = back(borders.bottom, source.height, info.height);
  if (left + right + top + bottom === 0) return null;
  return { left, top, width: source.width - left - right, height: source.height - top - bottom };
}

/** Checks the buffer's shape. */
function workingPixels(pixels: PixelBuffer): PixelBuffer {
  const { data, width, height, channels } = pixels;
  if (!Number.isInteger(channels) || channels < 1 || channels > 4)
    throw new RangeError(`Pixels must have 1 to 4 channels, not ${channels}.`);
  if (data.length < width * height * channels)
    throw new RangeError(`${data.length} bytes are too few for ${width}x${height}x${channels} pixels.`);
  return { data, width, height, channels };
}

/** How many lines from one side form a border (0 when they do not). Lines span [from, to) across the side. */
function bandWidth(image: PixelBuffer, side: Side, from: number, to: number, o: Required<BorderOptions>): number {
  const across = side === 'top' || side === 'bottom' ? image.height : image.width;
  if (to - from < 8) return 0;
  const reference = medianColour(image, side, 0, from, to);
  const limit = Math.floor(across * (1 - o.minKeptFraction));
  let band = 0;
  let clean = 0;
  while (band < limit) {
    const stats = lineStats(image, side, band, from, to, reference, o);
    if (stats.coverage >= o.minCoverage && stats.drift <= o.maxDrift) {
      clean = ++band;
    } else if (
      band - clean < o.ringLines &&
      stats.near >= RING_COVERAGE &&
      stats.drift <= o.tolerance &&
      stats.picture < RING_PICTURE
    ) {
      band++;
    } else {
      break;
    }
  }
  const minimum = Math.max(o.minBorderPixels, Math.ceil(across * o.minBorderFraction));
  if (band < minimum || band >= limit) return 0;
  // The picture must start right after the band, or (in strong contrast) after what is left of the
  // ringing. Either way it must be a step, where a gradient drifts away from the band line by line.
  const end = Math.min(across, Math.max(band + o.edgeDepth, clean + o.ringLines + 1));
  for (let line = band; line < end; line++) {
    const stats = lineStats(image, side, line, from, to, reference, o);
    const strong = stats.picture >= o.edgeCoverage;
    const weak =
      line < band + o.edgeDepth && stats.coverage <= WEAK_COVERAGE && stats.deviation >= WEAK_DEVIATION * o.tolerance;
    if (!strong && !weak) continue;
    // Most of the difference must appear within two lines...
    const before = lineStats(image, side, Math.max(0, line - 2), from, to, reference, o).deviation;
    if (stats.deviation - before < STEP * stats.deviation) continue;
    // ...and stay: further in, the picture differs from the band no more than it does here.
    const further = Math.min(across - 1, line + Math.max(o.ringLines, 2 * o.edgeDepth));
    if (stats.deviation >= SETTLED * lineStats(image, side, further, from, to, reference, o).deviation) return band;
  }
  return 0;
}

/** Drops the borders of an axis whose kept part would be too small to be a picture. */
function keepSane(borders: Borders, width: number, height: number, minKept: number): void {
  if (height - borders.top - borders.bottom < Math.max(8, height * minKept)) {
    borders.top = 0;
    borders.bottom = 0;
  }
  if (width - borders.left - borders.right < Math.max(8, width * minKept)) {
    borders.left = 0;
    borders.right = 0;
  }
}
