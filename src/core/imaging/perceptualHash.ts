/**
 * 64-bit perceptual hashes of an image's luminance: pHash (DCT of a 32x32 reduction, low 8x8
 * frequencies against their median) and dHash (horizontal gradient signs of a 9x8 reduction).
 * Near-identical pictures (resized, recompressed) get hashes a few bits apart.
 */

/** A luminance plane: one value per pixel, 0..255, row-major. */
export interface LumaPlane {
  width: number;
  height: number;
  data: Float32Array;
}

/** Luminance of 8-bit interleaved pixels (1 to 4 channels), alpha composited over white. */
export function lumaOf(pixels: Uint8Array, width: number, height: number, channels: number): LumaPlane {
  const data = new Float32Array(width * height);
  const hasAlpha = channels === 2 || channels === 4;
  for (let i = 0, p = 0; i < data.length; i++, p += channels) {
    let y = channels >= 3 ? 0.299 * pixels[p]! + 0.587 * pixels[p + 1]! + 0.114 * pixels[p + 2]! : pixels[p]!;
    if (hasAlpha) {
      const a = pixels[p + channels - 1]! / 255;
      y = y * a + 255 * (1 - a);
    }
    data[i] = y;
  }
  return { width, height, data };
}

/** Area-average reduction of a plane to width x height (any sizes; exact box filter). */
export function reduce(plane: LumaPlane, width: number, height: number): Float32Array {
  const out = new Float32Array(width * height);
  const sx = plane.width / width;
  const sy = plane.height / height;
  for (let oy = 0; oy < height; oy++) {
    const y0 = oy * sy;
    const y1 = y0 + sy;
    for (let ox = 0; ox < width; ox++) {
      const x0 = ox * sx;
      const x1 = x0 + sx;
      let sum = 0;
      let area = 0;
      for (let y = Math.floor(y0); y < Math.min(Math.ceil(y1), plane.height); y++) {
        const wy = Math.min(y + 1, y1) - Math.max(y, y0);
        const row = y * plane.width;
        for (let x = Math.floor(x0); x < Math.min(Math.ceil(x1), plane.width); x++) {
          const w = wy * (Math.min(x + 1, x1) - Math.max(x, x0));
          sum += plane.data[row + x]! * w;
          area += w;
        }
      }
      out[oy * width + ox] = area > 0 ? sum / area : 0;
    }
  }
  return out;
}

const N = 32;
const COS: Float64Array = (() => {
  const table = new Float64Array(N * N);
  for (let k = 0; k < N; k++) {
    for (let n = 0; n < N; n++) table[k * N + n] = Math.cos((Math.PI / N) * (n + 0.5) * k);
  }
  return table;
})();

/** pHash: 16 hex digits. */
export function pHash(plane: LumaPlane): string {
  const small = reduce(plane, N, N);
  // Only the 8x8 lowest frequencies are needed: compute those rows/columns of the 2D DCT-II.
  const rows = new Float64Array(8 * N);
  for (let k = 0; k < 8; k++) {
    for (let x = 0; x < N; x++) {
      let sum = 0;
      for (let y = 0; y < N; y++) sum += small[y * N + x]! * COS[k * N + y]!;
      rows[k * N + x] = sum;
    }
  }
  const coeffs = new Float64Array(64);
  for (let ky = 0; ky < 8; ky++) {
    for (let kx = 0; kx < 8; kx++) {
      let sum = 0;
      for (let x = 0; x < N; x++) sum += rows[ky * N + x]! * COS[kx * N + x]!;
      coeffs[ky * 8 + kx] = sum;
    }
  }
  const median = medianOf(coeffs);
  let bits = 0n;
  for (let i = 0; i < 64; i++) bits = (bits << 1n) | (coeffs[i]! > median ? 1n : 0n);
  return bits.toString(16).padStart(16, '0');
}

/** dHash: 16 hex digits. */
export function dHash(plane: LumaPlane): string {
  const small = reduce(plane, 9, 8);
  let bits = 0n;
  for (let y = 0; y < 8; y++) {
    for (let x = 0; x < 8; x++) bits = (bits << 1n) | (small[y * 9 + x]! < small[y * 9 + x + 1]! ? 1n : 0n);
  }
  return bits.toString(16).padStart(16, '0');
}

/** Number of differing bits between two 16-hex-digit hashes. */
export function hammingDistance(a: string, b: string): number {
  let x = BigInt('0x' + a) ^ BigInt('0x' + b);
  let count = 0;
  while (x > 0n) {
    count += Number(x & 1n);
    x >>= 1n;
  }
  return count;
}

function medianOf(values: Float64Array): number {
  const sorted = Float64Array.from(values).sort();
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
