/**
 * kohya-style aspect-ratio buckets, computed as sd-scripts does (`make_bucket_resolutions` and
 * `BucketManager.select_bucket`), so an image lands in the bucket the trainer would put it in.
 */

/** A bucket's size in pixels. */
export interface BucketSize {
  width: number;
  height: number;
}

/** Options of makeBuckets, named after sd-scripts' bucket_reso_steps, min_bucket_reso and max_bucket_reso. */
export interface BucketOptions {
  /** Both sides are multiples of this (default 64). */
  step?: number;
  /** Smallest side (default 256). */
  minSide?: number;
  /** Largest side (default 2048). */
  maxSide?: number;
}

/** One bucket and how many images fall into it. */
export interface BucketCount extends BucketSize {
  count: number;
}

/** Largest resolution accepted: buckets of more than 16384 px a side make no sense for training. */
const MAX_RESOLUTION = 16384;

/**
 * The buckets for a training resolution: for each width from minSide to maxSide in steps, the
 * tallest height (a multiple of step, at most maxSide) whose area stays within resolution², with
 * its transpose, plus the square; sorted by width, then height (sd-scripts' order).
 */
export function makeBuckets(resolution: number, options: BucketOptions = {}): BucketSize[] {
  const step = options.step ?? 64;
  const minSide = options.minSide ?? 256;
  const maxSide = options.maxSide ?? 2048;
  checkWhole('resolution', resolution, 1, MAX_RESOLUTION);
  checkWhole('step', step, 1, MAX_RESOLUTION);
  checkWhole('minSide', minSide, 1, MAX_RESOLUTION);
  checkWhole('maxSide', maxSide, minSide, MAX_RESOLUTION);
  if (resolution < step)
    throw new RangeError(`The resolution (${resolution}) must be at least the bucket step (${step}).`);

  const maxArea = resolution * resolution;
  const seen = new Set<string>();
  const buckets: BucketSize[] = [];
  const add = (width: number, height: number): void => {
    const key = `${width}x${height}`;
    if (seen.has(key)) return;
    seen.add(key);
    buckets.push({ width, height });
  };
  const square = Math.floor(Math.sqrt(maxArea) / step) * step;
  add(square, square);
  for (let width = minSide; width <= maxSide; width += step) {
    const height = Math.min(maxSide, Math.floor(Math.floor(maxArea / width) / step) * step);
    if (height >= minSide) {
      add(width, height);
      add(height, width);
    }
  }
  return buckets.sort((a, b) => a.width - b.width || a.height - b.height);
}

/**
 * The bucket sd-scripts puts an image of this size in: the bucket of exactly its size if there is
 * one, otherwise the one whose aspect ratio is closest (the first in list order on a tie).
 */
export function bucketFor(width: number, height: number, buckets: readonly BucketSize[]): BucketSize {
  if (!(width > 0 && height > 0)) throw new RangeError(`An image size must be positive, not ${width}x${height}.`);
  if (buckets.length === 0) throw new RangeError('There are no buckets to choose from.');
  const exact = buckets.find((b) => b.width === width && b.height === height);
  if (exact) return { width: exact.width, height: exact.height };
  const aspect = width / height;
  let best = buckets[0]!;
  let bestError = Infinity;
  for (const bucket of buckets) {
    const error = Math.abs(bucket.width / bucket.height - aspect);
    if (error < bestError) {
      best = bucket;
      bestError = error;
    }
  }
  return { width: best.width, height: best.height };
}

/** How many of the given image sizes fall into each bucket, for every bucket in list order (zeros included). */
export function bucketHistogram(sizes: Iterable<BucketSize>, buckets: readonly BucketSize[]): BucketCount[] {
  const counts = buckets.map((b) => ({ width: b.width, height: b.height, count: 0 }));
  const index = new Map(buckets.map((b, i) => [`${b.width}x${b.height}`, i]));
  for (const size of sizes) {
    const bucket = bucketFor(size.width, size.height, buckets);
    counts[index.get(`${bucket.width}x${bucket.height}`)!]!.count++;
  }
  return counts;
}

const cache = new Map<string, readonly BucketSize[]>();

/** makeBuckets, memoised per resolution and options (the returned list is shared: do not change it). */
export function bucketsFor(resolution: number, options: BucketOptions = {}): readonly BucketSize[] {
  const key = `${resolution}/${options.step ?? 64}/${options.minSide ?? 256}/${options.maxSide ?? 2048}`;
  let list = cache.get(key);
  if (!list) {
    list = Object.freeze(makeBuckets(resolution, options).map((b) => Object.freeze(b)));
    if (cache.size > 64) cache.clear();
    cache.set(key, list);
  }
  return list;
}

function checkWhole(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`The bucket ${name} must be a whole number from ${min} to ${max}, not ${value}.`);
  }
}
