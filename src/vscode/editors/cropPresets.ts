/**
 * The aspect presets of the image editor's crop tool: free, the common ratios, then the kohya
 * buckets of a 1024 px training resolution from tallest to widest, one entry per aspect ratio (a
 * bucket whose ratio is already listed is left out). Plain code: no VS Code API, so tests can use it too.
 */
import { makeBuckets } from '../../core/processing/buckets.ts';
import type { CropPreset } from '../../protocol/editorProtocol.ts';

/** The training resolution whose buckets are offered. */
export const PRESET_RESOLUTION = 1024;

const RATIOS: readonly [number, number][] = [
  [1, 1],
  [4, 3],
  [3, 4],
  [3, 2],
  [2, 3],
  [16, 9],
  [9, 16],
];

let cached: CropPreset[] | undefined;

/** The presets, in menu order (the list is shared: do not change it). */
export function cropPresets(): CropPreset[] {
  cached ??= makePresets();
  return cached;
}

function makePresets(): CropPreset[] {
  const presets: CropPreset[] = [{ label: 'Free', ratio: null, bucket: false }];
  const seen = new Set<string>();
  for (const [width, height] of RATIOS) {
    seen.add(`${width}:${height}`);
    presets.push({ label: `${width}:${height}`, ratio: { width, height }, bucket: false });
  }
  const buckets = makeBuckets(PRESET_RESOLUTION).sort((a, b) => a.width / a.height - b.width / b.height);
  for (const bucket of buckets) {
    const divisor = gcd(bucket.width, bucket.height);
    const aspect = `${bucket.width / divisor}:${bucket.height / divisor}`;
    if (seen.has(aspect)) continue;
    seen.add(aspect);
    presets.push({
      label: `${bucket.width} × ${bucket.height} bucket (${aspect})`,
      ratio: { width: bucket.width, height: bucket.height },
      bucket: true,
    });
  }
  return presets;
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}
