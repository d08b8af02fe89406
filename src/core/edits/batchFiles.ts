/**
 * What batch apply, undo and redo share: reading files as bytes, the index rows of written files,
 * and stopping cleanly when the disk fills up (one message saying what was done and how to finish).
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Database } from 'better-sqlite3';
import { decodeCaption, encodeCaption } from '../caption/captionFile.ts';
import type { CaptionText } from '../caption/captionFile.ts';

/** Why a batch, undo or redo stopped before its end, and how far it got. */
export interface BatchStop {
  /** `disk-full`: a file could not be written; `index`: the files are written, the index could not be updated. */
  reason: 'disk-full' | 'index';
  /** Files written before it stopped, out of those it had to write. */
  written: number;
  planned: number;
  /** Whether the index holds what was written. */
  indexUpdated: boolean;
  /** The underlying error, in one sentence. */
  cause: string;
}

/** How the front end words the commands a stop message points to. */
export interface StopHints {
  /** How to undo the last batch (`tagbench undo DIR`, Undo Last Batch Edit). */
  undo: string;
  /** How to bring the index up to date (`tagbench index DIR`, Index Workspace). */
  index: string;
}

/** Whether an error means the disk (or the user's quota) is full: the kernel's or SQLite's. */
export function isDiskFull(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT' || code === 'SQLITE_FULL';
}

/** Whether an error comes from the index database (SQLite), not from the files. */
export function isIndexError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_');
}

/** An index update that must not undo the files written before it: a failure is returned (files stay the truth). */
export function updateIndex(db: Database, update: () => void): string | undefined {
  try {
    db.transaction(update).immediate();
    return undefined;
  } catch (err) {
    if (!isIndexError(err) && !isDiskFull(err)) throw err;
    return oneSentence(err);
  }
}

/** One message for a stop: what was done, how to undo or finish it, and whether the index follows. */
export function stopMessage(stop: BatchStop, what: 'batch' | 'undo' | 'redo', hints: StopHints): string {
  const indexNote = stop.indexUpdated
    ? ''
    : ` The index could not be updated (${stop.cause.replace(/\.$/, '')}); ${hints.index} brings it up to date.`;
  if (stop.reason === 'index') return `All ${stop.planned} files were written.${indexNote}`;
  const done = `The disk filled up after ${stop.written} of ${stop.planned} files were ${what === 'undo' ? 'restored' : 'changed'}`;
  if (what === 'undo')
    return `${done}. Free some space and undo again to finish: files already restored are left as they are.${indexNote}`;
  if (what === 'redo')
    return `${done}. ${hints.undo} puts them back, or free some space and redo again to finish.${indexNote}`;
  return `${done}. ${hints.undo} puts them back, or free some space and run the same batch again to finish it.${indexNote}`;
}

/** The error of a write that could not even start (the journal): nothing was changed. */
export class BatchNotStartedError extends Error {
  constructor(cause: unknown) {
    super(
      `${isDiskFull(cause) ? 'The disk is full' : oneSentence(cause).replace(/\.$/, '')}: the journal could not be written, so nothing was changed. ` +
        'Free some space and try again.',
      { cause },
    );
    this.name = 'BatchNotStartedError';
  }
}

/** A file's bytes, or null when it does not exist. */
export function readBytes(file: string): Buffer | null {
  try {
    return readFileSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/** A file's text as UTF-8, or null when it does not exist. */
export function readRaw(file: string): string | null {
  return readBytes(file)?.toString('utf8') ?? null;
}

/** The bytes a caption's text gives in its style, or null for no file. */
export function captionBytes(text: string | null, style: Pick<CaptionText, 'bom' | 'eol'>): Buffer | null {
  return text === null ? null : encodeCaption({ text, ...style });
}

/** A caption file's text (LF line breaks), null when it does not exist, a marker when it is not UTF-8. */
export function readCaptionText(file: string): string | null {
  const bytes = readBytes(file);
  if (bytes === null) return null;
  try {
    return decodeCaption(bytes).text;
  } catch {
    return '\u0000undecodable';
  }
}

/** Whether two files' bytes are the same (null: no file). */
export function sameBytes(a: Buffer | null, b: Buffer | null): boolean {
  return a === null || b === null ? a === b : a.equals(b);
}

/** A written caption's index row. */
export function captionState(
  root: string,
  path: string,
  text: string,
): { path: string; size: number; mtimeMs: number; text: string } {
  const stat = statSync(join(root, path));
  return { path, size: stat.size, mtimeMs: Math.trunc(stat.mtimeMs), text };
}

/** A written sidecar's index row. */
export function sidecarState(
  root: string,
  path: string,
  json: string,
): { path: string; size: number; mtimeMs: number; json: string } {
  const stat = statSync(join(root, path));
  return { path, size: stat.size, mtimeMs: Math.trunc(stat.mtimeMs), json };
}

function oneSentence(err: unknown): string {
  const message = ((err as Error)?.message || String(err)).split('\n')[0]!;
  return message.endsWith('.') ? message : `${message}.`;
}
