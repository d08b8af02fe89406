/**
 * Caption sidecar files (`<stem>.txt`): decoding (UTF-8, with or without BOM, CRLF or LF, even mixed)
 * and writing back in the file's own style (each line keeps its own ending), atomically, and only when
 * the content really changes. A caption that is a symbolic link is written through to its target, so
 * the link stays a link (writeTarget.ts decides which links a dataset writer may follow).
 */
import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '../atomicWrite.ts';
import { linkTarget } from '../edits/writeTarget.ts';

/** A decoded caption and the byte-level style it was written in. */
export interface CaptionText {
  /** The caption with `\n` line breaks and no BOM. */
  text: string;
  bom: boolean;
  eol: '\n' | '\r\n';
}

/** A caption file that cannot be decoded: the reason, in one sentence. */
export class CaptionDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CaptionDecodeError';
  }
}

const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** A caption exactly as its file holds it: the text with its own line endings, and whether a BOM precedes it. */
export interface ExactCaption {
  raw: string;
  bom: boolean;
}

/** Decodes caption bytes; throws CaptionDecodeError for anything that is not UTF-8 text. */
export function decodeCaption(bytes: Uint8Array): CaptionText {
  const { raw, bom } = decodeCaptionExact(bytes);
  return { text: raw.replace(/\r\n/g, '\n'), bom, eol: eolOf(raw) };
}

/** The line ending style of caption text: that of its first line break (LF when it has none). */
export function eolOf(raw: string): '\n' | '\r\n' {
  const lf = raw.indexOf('\n');
  return lf > 0 && raw[lf - 1] === '\r' ? '\r\n' : '\n';
}

/** Decodes caption bytes keeping every line ending as it is; throws CaptionDecodeError for anything that is not UTF-8 text. */
export function decodeCaptionExact(bytes: Uint8Array): ExactCaption {
  if (bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))) {
    throw new CaptionDecodeError('The caption is UTF-16 encoded; trainers read UTF-8. Save it as UTF-8.');
  }
  const bom = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  const body = bom ? bytes.subarray(3) : bytes;
  let raw: string;
  try {
    raw = decoder.decode(body);
  } catch {
    throw new CaptionDecodeError(
      `The caption is not valid UTF-8 (first bad byte at offset ${firstInvalidUtf8(body) + (bom ? 3 : 0)}); re-save it as UTF-8.`,
    );
  }
  if (raw.includes('\0')) throw new CaptionDecodeError('The caption contains NUL bytes: it is not a text file.');
  return { raw, bom };
}

/** Encodes a caption exactly: decodeCaptionExact gives it back. */
export function encodeCaptionExact(caption: ExactCaption): Buffer {
  const body = Buffer.from(caption.raw, 'utf8');
  return caption.bom ? Buffer.concat([UTF8_BOM, body]) : body;
}

/** Encodes a caption in the given style. */
export function encodeCaption(caption: CaptionText): Buffer {
  const body = Buffer.from(caption.eol === '\r\n' ? caption.text.replace(/\r?\n/g, '\r\n') : caption.text, 'utf8');
  return caption.bom ? Buffer.concat([UTF8_BOM, body]) : body;
}

/** Reads and decodes a caption file. */
export function readCaptionFile(file: string): CaptionText {
  return decodeCaption(readFileSync(file));
}

/**
 * Writes `text` to a caption file, keeping the existing file's BOM and line endings, line by line: line
 * n keeps the ending line n had, added lines end as the file's first line does (`style` for a new
 * file). A symbolic link is written through (the link stays). Returns false, without touching the
 * file, when its text would not change.
 */
export function writeCaptionFile(
  file: string,
  text: string,
  style: Pick<CaptionText, 'bom' | 'eol'> = { bom: false, eol: '\n' },
): boolean {
  let existing: Buffer | undefined;
  try {
    existing = readFileSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const current = existing ? decodeCaptionExact(existing) : undefined;
  const normalized = text.replace(/\r\n/g, '\n');
  if (current && current.raw.replace(/\r\n/g, '\n') === normalized) return false;
  const raw = current
    ? withEndingsOf(normalized, current.raw)
    : encodeCaption({ text: normalized, bom: false, eol: style.eol }).toString('utf8');
  writeFileAtomic(existing ? linkTarget(file) : file, encodeCaptionExact({ raw, bom: current?.bom ?? style.bom }));
  return true;
}

/** Writes caption bytes exactly as given (a batch's planned bytes, an undo's saved ones), atomically, through a symbolic link. */
export function writeCaptionBytes(file: string, bytes: Uint8Array): void {
  writeFileAtomic(linkTarget(file), bytes);
}

/** `text` (LF line breaks) with the line endings of `raw`, line by line; added lines end as raw's first line. */
export function withEndingsOf(text: string, raw: string): string {
  const endings = raw.match(/\r?\n/g) ?? [];
  const fallback = endings[0] ?? '\n';
  let n = 0;
  return text.replace(/\n/g, () => endings[n++] ?? fallback);
}

function firstInvalidUtf8(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length;) {
    const b = bytes[i]!;
    const length = b < 0x80 ? 1 : b >= 0xc2 && b < 0xe0 ? 2 : b >= 0xe0 && b < 0xf0 ? 3 : b >= 0xf0 && b < 0xf5 ? 4 : 0;
    if (length === 0) return i;
    for (let k = 1; k < length; k++) if (((bytes[i + k] ?? 0) & 0xc0) !== 0x80) return i;
    i += length;
  }
  return bytes.length;
}
