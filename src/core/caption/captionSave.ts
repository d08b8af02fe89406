/**
 * An editor's save of one image's caption (the image editor's Ctrl+S): under the dataset's edit lock,
 * waited for without blocking the thread (the extension host stays responsive while a batch runs
 * elsewhere), the caption is written only if it still holds the bytes the editor read (or agreed to
 * overwrite), by the link rule of writeTarget.ts; its sidecar's tags follow it, then whatever else
 * belongs to the save (review statuses, a crop) is written in the same hold of the lock.
 */
import { readFileSync } from 'node:fs';
import { relative, sep } from 'node:path';
import { writeCaptionFile } from './captionFile.ts';
import type { CaptionText } from './captionFile.ts';
import { syncSidecarTags } from '../sidecar/sidecarTags.ts';
import { withEditLockAsync } from '../edits/editLock.ts';
import { checkWritable } from '../edits/writeTarget.ts';

/** One caption save. */
export interface CaptionSave {
  /** The dataset's root (for the edit lock and the link rule); none for an image outside any dataset, where no other Tagbench writer can be. */
  root: string | undefined;
  /** The caption file and the image's sidecar (absolute paths). */
  captionFile: string;
  sidecarFile: string;
  /** The caption text to save (LF or CRLF line breaks; the file keeps its own endings). */
  text: string;
  /** BOM and line endings for a caption file that does not exist yet. */
  style: Pick<CaptionText, 'bom' | 'eol'>;
  /** The bytes the editor read or the user agreed to overwrite (null: no file): other bytes on disk now are not overwritten. */
  expected: Buffer | null;
  /** More writes of the same save (sidecar review statuses, a crop), run under the lock after the caption. */
  alsoWrite?: () => void;
  /** How long to wait for another writer (default: the lock's). */
  timeoutMs?: number;
}

/** The caption changed on disk since the editor read it: nothing was written. */
export class CaptionChangedError extends Error {
  /** The bytes on disk now (null: the file is gone). */
  readonly now: Buffer | null;
  constructor(file: string, now: Buffer | null) {
    super(`${file} changed on disk since it was read; it was not overwritten.`);
    this.name = 'CaptionChangedError';
    this.now = now;
  }
}

/** Saves a caption (see the module comment); resolves with the caption's bytes as saved (null: no file). */
export async function saveCaption(save: CaptionSave): Promise<Buffer | null> {
  return withSaveLock(save.root, save.timeoutMs, () => {
    if (save.root !== undefined)
      checkWritable(save.root, [datasetPath(save.root, save.captionFile), datasetPath(save.root, save.sidecarFile)]);
    const now = readBytes(save.captionFile);
    if (!(now === null ? save.expected === null : save.expected !== null && now.equals(save.expected)))
      throw new CaptionChangedError(save.captionFile, now);
    if (!(save.text === '' && now === null)) writeCaptionFile(save.captionFile, save.text, save.style);
    syncSidecarTags(save.sidecarFile, save.text);
    save.alsoWrite?.();
    return readBytes(save.captionFile);
  });
}

/**
 * Runs an editor save's writes (`fn`, synchronous) under the dataset's edit lock, waited for without
 * blocking the thread; directly for an image outside any dataset.
 */
export async function withSaveLock<T>(
  root: string | undefined,
  timeoutMs: number | undefined,
  fn: () => T,
): Promise<T> {
  if (root === undefined) return fn();
  return withEditLockAsync(
    root,
    { purpose: 'a caption editor save', ...(timeoutMs !== undefined ? { timeoutMs } : {}) },
    fn,
  );
}

function datasetPath(root: string, file: string): string {
  return relative(root, file).split(sep).join('/');
}

function readBytes(file: string): Buffer | null {
  try {
    return readFileSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}
