/**
 * The index rows a batch edit, undo or redo is about to make stale, noted in
 * `.tagbench/journal/index-pending.json` before its files change and removed once the index matches
 * them. A writer killed in between (or stopped by a full disk) leaves the note; the next batch, undo
 * or redo, under the same edit lock, first brings those rows up to date from the files, so the index
 * never stays behind files Tagbench itself wrote. (An index run catches up on every file anyway.)
 */
import { existsSync, mkdirSync, readFileSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { Database } from 'better-sqlite3';
import { writeFileAtomic } from '../atomicWrite.ts';
import { sidecarPathFor } from '../dataset/filePairing.ts';
import { ImageStore } from '../index/imageStore.ts';
import { readCaption, readSidecarState, scannedFile } from '../index/imageFileReader.ts';
import { updateIndex } from './batchFiles.ts';

/** The files a writer is about to change (dataset-relative): captions (with their images' sidecars), and images it moves away. */
export interface PendingIndex {
  captions: string[];
  images: string[];
}

function noteFile(journalDir: string): string {
  return join(journalDir, 'index-pending.json');
}

/** Whether a writer left rows behind its files (a quick check before taking the edit lock). */
export function hasPendingIndex(journalDir: string): boolean {
  return existsSync(noteFile(journalDir));
}

/** Notes the rows about to go stale (atomically); throws when it cannot be written (nothing is touched then). */
export function notePendingIndex(journalDir: string, pending: PendingIndex): void {
  mkdirSync(journalDir, { recursive: true });
  writeFileAtomic(noteFile(journalDir), JSON.stringify(pending) + '\n');
}

/** The index matches the files again: the note goes. */
export function clearPendingIndex(journalDir: string): void {
  try {
    unlinkSync(noteFile(journalDir));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

/**
 * Brings the rows a killed writer left stale up to date from the files, then removes the note.
 * Call under the edit lock. Returns how many rows were refreshed; an index that cannot be written
 * keeps the note for the next writer.
 */
export function catchUpPendingIndex(root: string, journalDir: string, db: Database): number {
  if (!existsSync(noteFile(journalDir))) return 0;
  let pending: PendingIndex;
  try {
    const parsed = JSON.parse(readFileSync(noteFile(journalDir), 'utf8')) as Partial<PendingIndex>;
    pending = {
      captions: Array.isArray(parsed.captions) ? parsed.captions : [],
      images: Array.isArray(parsed.images) ? parsed.images : [],
    };
  } catch {
    // A torn note cannot be: it is written atomically. Anything else unreadable is left to the next index run.
    clearPendingIndex(journalDir);
    return 0;
  }
  const store = new ImageStore(db);
  const byCaption = db.prepare('SELECT id, path FROM images WHERE caption_path = ?');
  const byPath = db.prepare('SELECT id FROM images WHERE path = ?').pluck(true);
  let refreshed = 0;
  const problem = updateIndex(db, () => {
    for (const caption of pending.captions) {
      for (const { id, path } of byCaption.all(caption) as { id: number; path: string }[]) {
        store.setCaption(id, readCaption(root, scannedFile(root, caption), []));
        store.setSidecar(id, readSidecarState(root, scannedFile(root, sidecarPathFor(path)), []));
        refreshed++;
      }
    }
    for (const image of pending.images) {
      if (existsSync(join(root, image))) continue;
      for (const id of byPath.all(image) as number[]) {
        store.delete(id);
        refreshed++;
      }
    }
  });
  if (problem === undefined) clearPendingIndex(journalDir);
  return refreshed;
}
