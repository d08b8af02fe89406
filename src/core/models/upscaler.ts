/**
 * Upscales images with an ONNX super-resolution model (see modelCatalog.ts), tile by tile so memory
 * stays bounded for any image size.
 *
 * Pipeline: decode once through openSource, as every pipeline reads images (BMP too; EXIF
 * orientation applied, sRGB, 8-bit) -> cut the image into rows of overlapping tiles (tileGrid.ts)
 * -> run each tile through the model -> add each tile's clamped output, times its feathered blend
 * weight, into a strip of output rows kept as 16-bit fixed
 * point (the weights of overlapping tiles sum to 1, so the strip holds final values once every tile
 * covering a row is in) -> hand finished rows on, in order, as soon as a tile row is done: only the
 * rows the next tile row overlaps stay behind. After that, rows go through an optional streaming
 * Lanczos-3 resize (when the model overshoots `targetLongSide`), get the alpha channel (resized from
 * the source alpha with the same resampler; the model sees RGB only), and reach a sink: a buffer
 * (upscaleImage), or a streaming PNG encoder (upscaleImageToPng, upscaleImageToFile).
 *
 * Memory (x4, default 256 px tiles): the decoded source, one strip of ~1000 output rows at 6 bytes
 * per pixel (94 MB for a 16000 px wide result), one tile's tensors and ONNX Runtime's working memory
 * (~200 MB); plus the whole output only for upscaleImage. Never a full-image float tensor. Measured
 * peak RSS writing a 4000x4000 source at x4 to a 16000x16000 PNG: 474 MB (a single pass over a
 * 1024x1024 source alone peaks at 1.5 GB).
 */
import { renameSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { PassThrough } from 'node:stream';
import { finished } from 'node:stream/promises';
import { Tensor } from 'onnxruntime-node';
import type { InferenceSession } from 'onnxruntime-node';
import type { ModelInfo } from './modelCatalog.ts';
import { pngFileWriter, PngStreamWriter } from './pngStreamWriter.ts';
import { DEFAULT_MAX_PIXELS, openSource } from '../imaging/sourceImage.ts';
import type { PngStreamOptions } from './pngStreamWriter.ts';
import { RowResampler } from './rowResampler.ts';
import { defaultSessionCache } from './sessionCache.ts';
import type { SessionCache } from './sessionCache.ts';
import { spanWeights, tileSpans } from './tileGrid.ts';
import { atomicTempFile } from '../atomicWrite.ts';
import type { Span } from './tileGrid.ts';

/** Default largest tile side, in input pixels: the compact models run fastest per pixel at 128-256 px tiles. */
export const DEFAULT_TILE = 256;
/** Default overlap between neighbouring tiles, in input pixels (the models see ~19 px around a pixel). */
export const DEFAULT_OVERLAP = 24;
/** Rows handed to a sink at a time. */
const ROW_GROUP = 32;
/** Output values in the blend strip are stored as value * 255 * 256 (0..1 -> 0..65280). */
const FIXED_ONE = 255 * 256;

/** Options of upscaleImage and its encoding variants. */
export interface UpscaleOptions {
  model: ModelInfo;
  /** Wanted long side of the result: images already this large are returned unchanged; the model's output is shrunk to it when larger. */
  targetLongSide?: number;
  /** Largest tile side in input pixels (default 256); 0 runs the model on the whole image at once. */
  tile?: number;
  /** Pixels neighbouring tiles share and blend over (default 24; at most a little under half the tile). */
  overlap?: number;
  /** Cancels between tiles; the promise rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Where the model session comes from; default: the shared cache. */
  sessions?: SessionCache;
  /** Called after each tile with tiles done and the total. */
  onProgress?: (done: number, total: number) => void;
  /** Refuse larger inputs (decompression bombs); default 268 megapixels. */
  maxInputPixels?: number;
}

/** Options of the PNG-producing variants. */
export interface UpscalePngOptions extends UpscaleOptions {
  /** zlib level 0..9 (default 6); 3 encodes about 2.5x faster for ~10% larger files. */
  compressionLevel?: number;
}

/** Size of an upscaled image and whether it was returned as it was. */
export interface UpscaleResultInfo {
  width: number;
  height: number;
  channels: 3 | 4;
  /** True when the image was already at least `targetLongSide`: it was not upscaled (the pixels are the decoded source: oriented, sRGB, 8-bit). */
  unchanged: boolean;
}

/** An upscaled image as raw 8-bit RGB or RGBA pixels. */
export interface UpscaledImage extends UpscaleResultInfo {
  data: Buffer;
}

/** Receives the finished rows of the result, in order. `rows` is reused after the call returns. */
interface RowSink {
  write(rows: Uint8Array, count: number): Promise<void> | void;
}

interface Decoded {
  data: Buffer;
  width: number;
  height: number;
  channels: 3 | 4;
}

/** Upscales an image (encoded bytes or a file path) and returns its raw pixels. */
export async function upscaleImage(input: Buffer | string, options: UpscaleOptions): Promise<UpscaledImage> {
  let data = Buffer.alloc(0);
  let offset = 0;
  const info = await runUpscale(input, options, (width, height, channels) => {
    data = Buffer.allocUnsafe(width * height * channels);
    offset = 0;
    return {
      write: (rows, count) => {
        const bytes = count * width * channels;
        data.set(rows.subarray(0, bytes), offset);
        offset += bytes;
      },
    };
  });
  if (offset !== data.length) throw new Error(`upscaler produced ${offset} of ${data.length} bytes`);
  return { data, ...info };
}

/** Upscales an image and returns it encoded as PNG (streamed: the raw result is never held whole). */
export async function upscaleImageToPng(
  input: Buffer | string,
  options: UpscalePngOptions,
): Promise<UpscaleResultInfo & { png: Buffer }> {
  const parts: Buffer[] = [];
  const target = new PassThrough();
  target.on('data', (part: Buffer) => parts.push(part));
  let writer: PngStreamWriter | undefined;
  try {
    const info = await runUpscale(input, options, (width, height, channels) => {
      writer = new PngStreamWriter(target, width, height, channels, pngOptions(options));
      return { write: (rows, count) => writer!.writeRows(rows, count) };
    });
    await writer!.finish();
    target.end();
    await finished(target);
    return { ...info, png: Buffer.concat(parts) };
  } catch (error) {
    writer?.abort();
    throw error;
  }
}

/**
 * Upscales an image into a PNG file, encoding rows as they are finished: memory stays bounded by the
 * tile strip whatever the output size (a 4000x4000 source at x4 is a 16000x16000 PNG). Writes a
 * hidden temporary file beside `path` and renames it over `path` when complete, so a failure or a
 * cancellation leaves no partial image.
 */
export async function upscaleImageToFile(
  input: Buffer | string,
  path: string,
  options: UpscalePngOptions,
): Promise<UpscaleResultInfo> {
  const temp = atomicTempFile(path);
  let file: ReturnType<typeof pngFileWriter> | undefined;
  try {
    const info = await runUpscale(input, options, (width, height, channels) => {
      file = pngFileWriter(temp, width, height, channels, pngOptions(options));
      return { write: (rows, count) => file!.writer.writeRows(rows, count) };
    });
    await file!.writer.finish();
    await file!.close();
    renameSync(temp, path);
    return info;
  } catch (error) {
    file?.destroy();
    rmSync(temp, { force: true });
    throw error;
  }
}

function pngOptions(options: UpscalePngOptions): PngStreamOptions {
  return options.compressionLevel === undefined ? {} : { level: options.compressionLevel };
}

/** The size of the result for a source of width x height: the model's scale, or shrunk to the target long side. */
export function outputSize(
  width: number,
  height: number,
  scale: number,
  targetLongSide?: number,
): { width: number; height: number; unchanged: boolean } {
  const long = Math.max(width, height);
  if (targetLongSide !== undefined && long >= targetLongSide) return { width, height, unchanged: true };
  if (targetLongSide === undefined || long * scale <= targetLongSide)
    return { width: width * scale, height: height * scale, unchanged: false };
  const ratio = targetLongSide / long;
  return {
    width: width >= height ? targetLongSide : Math.max(1, Math.round(width * ratio)),
    height: height > width ? targetLongSide : Math.max(1, Math.round(height * ratio)),
    unchanged: false,
  };
}

/** Decodes encoded bytes, or the file at a path, to oriented 8-bit sRGB pixels (ImageError when it cannot). */
async function decode(input: Buffer | string, maxPixels: number | undefined): Promise<Decoded> {
  const source = await openSource(
    typeof input === 'string' ? await readFile(input) : input,
    maxPixels ?? DEFAULT_MAX_PIXELS,
  );
  const { data, info } = await source.render((image) => image.toColourspace('srgb').raw({ depth: 'uchar' }));
  if (info.channels !== 3 && info.channels !== 4)
    throw new Error(`unexpected ${info.channels}-channel image after conversion to sRGB`);
  return { data, width: info.width, height: info.height, channels: info.channels };
}

async function runUpscale(
  input: Buffer | string,
  options: UpscaleOptions,
  openSink: (width: number, height: number, channels: 3 | 4) => RowSink,
): Promise<UpscaleResultInfo> {
  options.signal?.throwIfAborted();
  const source = await decode(input, options.maxInputPixels);
  const { model } = options;
  const size = outputSize(source.width, source.height, model.scale, options.targetLongSide);
  const sink = openSink(size.width, size.height, source.channels);
  const info: UpscaleResultInfo = {
    width: size.width,
    height: size.height,
    channels: source.channels,
    unchanged: size.unchanged,
  };
  if (size.unchanged) {
    const stride = source.width * source.channels;
    for (let y = 0; y < source.height; y += ROW_GROUP) {
      const count = Math.min(ROW_GROUP, source.height - y);
      await sink.write(source.data.subarray(y * stride, (y + count) * stride), count);
    }
    return info;
  }

  const assembler = new RowAssembler(source, size.width, size.height, sink);
  const modelWidth = source.width * model.scale;
  const modelHeight = source.height * model.scale;
  const resizer =
    modelWidth === size.width && modelHeight === size.height
      ? undefined
      : new RowResampler(modelWidth, modelHeight, size.width, size.height, 3, (row) => assembler.add(row));
  const sessions = options.sessions ?? defaultSessionCache;
  const lease = await sessions.acquire(model.file);
  try {
    for await (const band of modelRows(lease.session, source, options)) {
      for (let r = 0; r < band.count; r++) {
        const row = band.rows.subarray(r * modelWidth * 3, (r + 1) * modelWidth * 3);
        if (resizer) resizer.push(row);
        else assembler.add(row);
      }
      await assembler.flush();
    }
  } finally {
    lease.release();
  }
  await assembler.flush(true);
  return info;
}

/**
 * Collects final RGB rows, adds the resized alpha channel when the source has one, and hands
 * groups of ROW_GROUP rows to the sink.
 */
class RowAssembler {
  private readonly width: number;
  private readonly channels: 3 | 4;
  private readonly sink: RowSink;
  private readonly group: Uint8Array;
  private readonly alpha: AlphaRows | undefined;
  private count = 0;
  private pending: Uint8Array[] = [];

  constructor(source: Decoded, width: number, height: number, sink: RowSink) {
    this.width = width;
    this.channels = source.channels;
    this.sink = sink;
    this.group = new Uint8Array(ROW_GROUP * width * source.channels);
    this.alpha = source.channels === 4 ? new AlphaRows(source, width, height) : undefined;
  }

  /** Adds the next RGB row (width * 3 bytes; copied). */
  add(rgb: Uint8Array): void {
    if (this.count === ROW_GROUP) {
      // More rows than one group before a flush (a band): keep a copy of the full group.
      this.pending.push(this.group.slice());
      this.count = 0;
    }
    const at = this.count * this.width * this.channels;
    if (!this.alpha) {
      this.group.set(rgb, at);
    } else {
      const alpha = this.alpha.next();
      for (let x = 0, o = at; x < this.width; x++, o += 4) {
        this.group[o] = rgb[x * 3]!;
        this.group[o + 1] = rgb[x * 3 + 1]!;
        this.group[o + 2] = rgb[x * 3 + 2]!;
        this.group[o + 3] = alpha[x]!;
      }
    }
    this.count++;
  }

  /** Hands full groups (and with `all`, the last partial one) to the sink. */
  async flush(all = false): Promise<void> {
    for (const group of this.pending.splice(0)) await this.sink.write(group, ROW_GROUP);
    if (this.count === ROW_GROUP || (all && this.count > 0)) {
      await this.sink.write(this.group, this.count);
      this.count = 0;
    }
  }
}

/** The source's alpha channel resized to the output size, row by row, with Lanczos-3. */
class AlphaRows {
  private readonly source: Decoded;
  private readonly resampler: RowResampler;
  private readonly row: Uint8Array;
  private readonly ready: Uint8Array[] = [];
  private pushed = 0;

  constructor(source: Decoded, width: number, height: number) {
    this.source = source;
    this.row = new Uint8Array(source.width);
    this.resampler = new RowResampler(source.width, source.height, width, height, 1, (row) =>
      this.ready.push(row.slice()),
    );
  }

  /** The next output row of alpha values. */
  next(): Uint8Array {
    const { data, width, height } = this.source;
    while (this.ready.length === 0) {
      if (this.pushed >= height) throw new Error('alpha rows exhausted');
      const base = this.pushed * width * 4;
      for (let x = 0; x < width; x++) this.row[x] = data[base + x * 4 + 3]!;
      this.resampler.push(this.row);
      this.pushed++;
    }
    return this.ready.shift()!;
  }
}

interface Band {
  rows: Uint8Array;
  count: number;
}

/**
 * Runs the model tile by tile and yields the model-scale RGB rows of the result in order, in
 * groups of up to ROW_GROUP rows (a reused buffer).
 */
async function* modelRows(session: InferenceSession, source: Decoded, options: UpscaleOptions): AsyncGenerator<Band> {
  const { model } = options;
  const scale = model.scale;
  const maxTile = options.tile === 0 ? Infinity : (options.tile ?? DEFAULT_TILE);
  const smallestTile = Math.min(maxTile, model.fixedSize?.width ?? Infinity, model.fixedSize?.height ?? Infinity);
  const overlap = Math.max(0, Math.min(options.overlap ?? DEFAULT_OVERLAP, Math.floor((smallestTile - 2) / 2)));
  const columns = tileSpans(source.width, maxTile, overlap, model.fixedSize?.width);
  const rows = tileSpans(source.height, maxTile, overlap, model.fixedSize?.height);
  const columnWeights = spanWeights(columns, source.width, scale);
  const rowWeights = spanWeights(rows, source.height, scale);
  const outWidth = source.width * scale;
  const outHeight = source.height * scale;
  const rowLength = outWidth * 3;
  const stripRows = Math.max(...rowWeights.map((w) => w.length));
  const strip = new Uint16Array(stripRows * rowLength);
  const band = new Uint8Array(ROW_GROUP * rowLength);
  const total = columns.length * rows.length;
  let done = 0;
  let stripTop = 0;

  for (let r = 0; r < rows.length; r++) {
    const tileRow = rows[r]!;
    for (let c = 0; c < columns.length; c++) {
      options.signal?.throwIfAborted();
      const output = await runTile(session, model, source, columns[c]!, tileRow);
      accumulate(strip, stripTop, rowLength, output, columns[c]!, tileRow, columnWeights[c]!, rowWeights[r]!, scale);
      options.onProgress?.(++done, total);
    }
    const finishedEnd = r + 1 < rows.length ? rows[r + 1]!.start * scale : outHeight;
    const tileEnd = stripTop + rowWeights[r]!.length;
    for (let y = stripTop; y < finishedEnd; y += ROW_GROUP) {
      const count = Math.min(ROW_GROUP, finishedEnd - y);
      const from = (y - stripTop) * rowLength;
      for (let i = 0, n = count * rowLength; i < n; i++) band[i] = (strip[from + i]! + 128) >>> 8;
      yield { rows: band, count };
    }
    // Keep the rows the next tile row overlaps; clear the rest of the strip.
    const keep = tileEnd - finishedEnd;
    strip.copyWithin(0, (finishedEnd - stripTop) * rowLength, (tileEnd - stripTop) * rowLength);
    strip.fill(0, Math.max(0, keep) * rowLength);
    stripTop = finishedEnd;
  }
}

/** Runs the model on one tile; returns its planar RGB output [3, tileHeight*scale, tileWidth*scale]. */
async function runTile(
  session: InferenceSession,
  model: ModelInfo,
  source: Decoded,
  column: Span,
  row: Span,
): Promise<Float32Array> {
  const { width, height, channels, data } = source;
  const tw = column.size;
  const th = row.size;
  const plane = tw * th;
  const input = new Float32Array(3 * plane);
  for (let y = 0; y < th; y++) {
    const sy = Math.min(row.start + y, height - 1);
    for (let x = 0; x < tw; x++) {
      const sx = Math.min(column.start + x, width - 1);
      const s = (sy * width + sx) * channels;
      const o = y * tw + x;
      input[o] = data[s]! / 255;
      input[o + plane] = data[s + 1]! / 255;
      input[o + 2 * plane] = data[s + 2]! / 255;
    }
  }
  const result = await session.run({ [model.inputName]: new Tensor('float32', input, [1, 3, th, tw]) });
  const output = result[model.outputName];
  const dims = output?.dims ?? [];
  const scale = model.scale;
  if (!output || dims[0] !== 1 || dims[1] !== 3 || dims[2] !== th * scale || dims[3] !== tw * scale) {
    throw new Error(
      `${model.name} returned [${dims.join(',')}] for a ${tw}x${th} tile; expected [1,3,${th * scale},${tw * scale}]`,
    );
  }
  return output.data as Float32Array;
}

/** Adds a tile's clamped output times its blend weights into the strip of output rows starting at `stripTop`. */
function accumulate(
  strip: Uint16Array,
  stripTop: number,
  rowLength: number,
  output: Float32Array,
  column: Span,
  row: Span,
  xWeights: Float32Array,
  yWeights: Float32Array,
  scale: number,
): void {
  const tileWidth = column.size * scale;
  const plane = tileWidth * row.size * scale;
  const x0 = column.start * scale * 3;
  const y0 = row.start * scale - stripTop;
  const width = xWeights.length;
  for (let y = 0; y < yWeights.length; y++) {
    const wy = yWeights[y]! * FIXED_ONE;
    let o = (y0 + y) * rowLength + x0;
    let i = y * tileWidth;
    for (let x = 0; x < width; x++, i++, o += 3) {
      const w = wy * xWeights[x]!;
      const r = output[i]!;
      const g = output[i + plane]!;
      const b = output[i + 2 * plane]!;
      strip[o] = strip[o]! + ((r <= 0 ? 0 : r >= 1 ? w : r * w) + 0.5);
      strip[o + 1] = strip[o + 1]! + ((g <= 0 ? 0 : g >= 1 ? w : g * w) + 0.5);
      strip[o + 2] = strip[o + 2]! + ((b <= 0 ? 0 : b >= 1 ? w : b * w) + 0.5);
    }
  }
}
