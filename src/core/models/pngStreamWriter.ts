/**
 * A PNG encoder that takes 8-bit RGB/RGBA rows a few at a time and writes the file as it goes
 * (Paeth-filtered rows through a streaming zlib deflate, framed into IDAT chunks), so encoding a
 * 16000x16000 image holds a few rows, not the image. sharp cannot do this: it collects a stream
 * input into one Buffer before encoding.
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { constants, crc32, createDeflate } from 'node:zlib';
import type { Deflate } from 'node:zlib';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Options of a PngStreamWriter. */
export interface PngStreamOptions {
  /** zlib level 0..9; default 6. */
  level?: number;
}

function chunk(type: string, data: Buffer): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** Writes a PNG to a Writable, row band by row band; call finish() after the last row. */
export class PngStreamWriter {
  readonly width: number;
  readonly height: number;
  readonly channels: number;
  private readonly target: Writable;
  private readonly deflate: Deflate;
  private readonly ended: Promise<void>;
  /** The last row written (a copy: callers reuse their buffers). */
  private readonly previous: Uint8Array;
  private rows = 0;
  private failure: Error | undefined;

  constructor(target: Writable, width: number, height: number, channels: 3 | 4, options: PngStreamOptions = {}) {
    this.target = target;
    this.width = width;
    this.height = height;
    this.channels = channels;
    this.previous = new Uint8Array(width * channels);
    const header = Buffer.alloc(13);
    header.writeUInt32BE(width, 0);
    header.writeUInt32BE(height, 4);
    header[8] = 8;
    header[9] = channels === 4 ? 6 : 2;
    target.write(SIGNATURE);
    target.write(chunk('IHDR', header));
    this.deflate = createDeflate({ level: options.level ?? 6, strategy: constants.Z_FILTERED, chunkSize: 256 * 1024 });
    this.deflate.on('data', (data: Buffer) => {
      if (!target.write(chunk('IDAT', data))) {
        this.deflate.pause();
        target.once('drain', () => this.deflate.resume());
      }
    });
    const fail = (error: Error): void => {
      this.failure ??= error;
    };
    this.deflate.on('error', fail);
    target.on('error', fail);
    this.ended = once(this.deflate, 'end').then(() => undefined);
    this.ended.catch(() => undefined);
  }

  /** Encodes `count` rows held in `data` (count * width * channels bytes); waits while zlib is behind. */
  async writeRows(data: Uint8Array, count: number): Promise<void> {
    if (this.failure) throw this.failure;
    const stride = this.width * this.channels;
    if (this.rows + count > this.height) throw new RangeError('more rows written than the PNG height');
    const filtered = Buffer.allocUnsafe(count * (stride + 1));
    for (let r = 0; r < count; r++) {
      const above = r === 0 ? this.previous : data.subarray((r - 1) * stride, r * stride);
      paethRow(data.subarray(r * stride, (r + 1) * stride), above, this.channels, filtered, r * (stride + 1));
    }
    if (count > 0) this.previous.set(data.subarray((count - 1) * stride, count * stride));
    this.rows += count;
    // once() rejects if the stream emits 'error' meanwhile.
    if (!this.deflate.write(filtered)) await once(this.deflate, 'drain');
    if (this.failure) throw this.failure;
  }

  /** Ends the image stream (IEND); resolves when everything is handed to the target. */
  async finish(): Promise<void> {
    if (this.rows !== this.height) throw new RangeError(`PNG has ${this.rows} of ${this.height} rows`);
    this.deflate.end();
    await this.ended;
    if (this.failure) throw this.failure;
    this.target.write(chunk('IEND', Buffer.alloc(0)));
  }

  /** Stops encoding (after an error or a cancellation). */
  abort(): void {
    this.deflate.destroy();
  }
}

/** Writes filter byte 4 (Paeth) and the filtered row at `into[at]`. */
function paethRow(row: Uint8Array, above: Uint8Array, bpp: number, into: Buffer, at: number): void {
  into[at] = 4;
  const o = at + 1;
  for (let i = 0; i < row.length; i++) {
    const a = i >= bpp ? row[i - bpp]! : 0;
    const b = above[i]!;
    const c = i >= bpp ? above[i - bpp]! : 0;
    const p = a + b - c;
    const pa = Math.abs(p - a);
    const pb = Math.abs(p - b);
    const pc = Math.abs(p - c);
    const predictor = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    into[o + i] = (row[i]! - predictor) & 0xff;
  }
}

/** A PngStreamWriter onto a new file; `close()` after finish() waits for the file to be flushed. */
export function pngFileWriter(
  path: string,
  width: number,
  height: number,
  channels: 3 | 4,
  options: PngStreamOptions = {},
): { writer: PngStreamWriter; close: () => Promise<void>; destroy: () => void } {
  const file = createWriteStream(path);
  const writer = new PngStreamWriter(file, width, height, channels, options);
  return {
    writer,
    close: async () => {
      file.end();
      await once(file, 'close');
    },
    destroy: () => {
      writer.abort();
      file.destroy();
    },
  };
}
