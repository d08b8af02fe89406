/**
 * A streaming Lanczos-3 resampler for 8-bit interleaved rows: source rows are pushed in order and
 * resized rows come out in order as soon as the rows they depend on have arrived, so an image far
 * larger than memory can be resized band by band. Separable: each source row is resized
 * horizontally once into a small ring of float rows; the vertical pass combines ring rows. Edges
 * repeat the border pixels. When shrinking, the kernel widens by the ratio (antialiasing).
 */

/** Resampling weights along one axis: output i reads source [start[i], start[i] + taps). */
interface AxisWeights {
  start: Int32Array;
  /** taps weights per output pixel, zero-padded to `taps`. */
  weights: Float32Array;
  taps: number;
}

function lanczos3(x: number): number {
  if (x === 0) return 1;
  if (x <= -3 || x >= 3) return 0;
  const px = Math.PI * x;
  return (3 * Math.sin(px) * Math.sin(px / 3)) / (px * px);
}

/** Lanczos-3 weights mapping `from` pixels onto `to` pixels, edges clamped, each row of weights summing to 1. */
export function axisWeights(from: number, to: number): AxisWeights {
  const ratio = to / from;
  const stretch = ratio < 1 ? ratio : 1;
  const support = 3 / stretch;
  const taps = Math.min(from, Math.ceil(2 * support) + 2);
  const start = new Int32Array(to);
  const weights = new Float32Array(to * taps);
  for (let i = 0; i < to; i++) {
    const center = (i + 0.5) / ratio - 0.5;
    const left = Math.floor(center - support) + 1;
    const right = Math.ceil(center + support) - 1;
    // The clamped window: taps outside the image add their weight to the border pixel.
    const lo = Math.max(0, Math.min(from - taps, left));
    start[i] = lo;
    let sum = 0;
    for (let t = left; t <= right; t++) {
      const w = lanczos3((t - center) * stretch);
      if (w === 0) continue;
      const index = Math.min(from - 1, Math.max(0, t));
      const k = index - lo;
      if (k < 0 || k >= taps) continue;
      weights[i * taps + k] = weights[i * taps + k]! + w;
      sum += w;
    }
    if (sum !== 0) for (let k = 0; k < taps; k++) weights[i * taps + k] = weights[i * taps + k]! / sum;
  }
  return { start, weights, taps };
}

/** Resizes a stream of rows; see the module comment. */
export class RowResampler {
  readonly srcWidth: number;
  readonly srcHeight: number;
  readonly dstWidth: number;
  readonly dstHeight: number;
  readonly channels: number;
  private readonly horizontal: AxisWeights;
  private readonly vertical: AxisWeights;
  private readonly ring: Float32Array[];
  private readonly out: Uint8Array;
  private readonly acc: Float32Array;
  private pushed = 0;
  private emitted = 0;
  private readonly emit: (row: Uint8Array, y: number) => void;

  /** `emit` receives each output row (a reused buffer: copy it to keep it) and its index. */
  constructor(
    srcWidth: number,
    srcHeight: number,
    dstWidth: number,
    dstHeight: number,
    channels: number,
    emit: (row: Uint8Array, y: number) => void,
  ) {
    this.srcWidth = srcWidth;
    this.srcHeight = srcHeight;
    this.dstWidth = dstWidth;
    this.dstHeight = dstHeight;
    this.channels = channels;
    this.emit = emit;
    this.horizontal = axisWeights(srcWidth, dstWidth);
    this.vertical = axisWeights(srcHeight, dstHeight);
    this.ring = Array.from({ length: this.vertical.taps }, () => new Float32Array(dstWidth * channels));
    this.out = new Uint8Array(dstWidth * channels);
    this.acc = new Float32Array(dstWidth * channels);
  }

  /** Output rows emitted so far. */
  get rowsOut(): number {
    return this.emitted;
  }

  /** Pushes the next source row (srcWidth * channels bytes); emits every output row it completes. */
  push(row: Uint8Array): void {
    if (this.pushed >= this.srcHeight) throw new RangeError('more rows pushed than the source height');
    this.resizeRow(row, this.ring[this.pushed % this.ring.length]!);
    this.pushed++;
    const { start, taps } = this.vertical;
    while (this.emitted < this.dstHeight && start[this.emitted]! + taps <= this.pushed) this.emitRow(this.emitted++);
  }

  private resizeRow(row: Uint8Array, into: Float32Array): void {
    const { start, weights, taps } = this.horizontal;
    const ch = this.channels;
    for (let x = 0; x < this.dstWidth; x++) {
      const w0 = x * taps;
      const s0 = start[x]! * ch;
      for (let c = 0; c < ch; c++) {
        let sum = 0;
        for (let k = 0, s = s0 + c; k < taps; k++, s += ch) sum += weights[w0 + k]! * row[s]!;
        into[x * ch + c] = sum;
      }
    }
  }

  private emitRow(y: number): void {
    const { start, weights, taps } = this.vertical;
    const first = start[y]!;
    const length = this.out.length;
    const out = this.out;
    const ring = this.ring;
    const acc = this.acc.fill(0);
    for (let k = 0; k < taps; k++) {
      const w = weights[y * taps + k]!;
      if (w === 0) continue;
      const src = ring[(first + k) % ring.length]!;
      for (let i = 0; i < length; i++) acc[i] = acc[i]! + w * src[i]!;
    }
    for (let i = 0; i < length; i++) {
      const v = Math.round(acc[i]!);
      out[i] = v < 0 ? 0 : v > 255 ? 255 : v;
    }
    this.emit(out, y);
  }
}
