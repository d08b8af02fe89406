/**
 * Undo and redo of batch edits, from the journal, under the dataset's edit lock. Undo puts back the
 * most recent applied batch byte for byte; redo applies again the batch undone last, until a new batch
 * is applied (as in editors). Each file is changed only when it still holds what the batch left
 * (undo) or found (redo): one changed since is a conflict, reported and left alone. The same link
 * rule as the batch holds (writeTarget.ts), and the index is updated right after the files.
 */
import { existsSync, mkdirSync, renameSync, unlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Database } from 'better-sqlite3';
import { writeCaptionBytes } from '../caption/captionFile.ts';
import { sidecarPathFor } from '../dataset/filePairing.ts';
import { TAGBENCH_DIR } from '../dataset/datasetLayout.ts';
import { ImageStore } from '../index/imageStore.ts';
import { readSidecarState, scannedFile } from '../index/imageFileReader.ts';
import { sidecarTagsFor } from '../sidecar/sidecarTags.ts';
import { writeFileAtomic } from '../atomicWrite.ts';
import { lastAppliedBatch, nextRedoBatch, popRedo, pushRedo, writeJournal } from './batchJournal.ts';
import type { JournalCaption, JournalEntry } from './batchJournal.ts';
import { withEditLock } from './editLock.ts';
import { catchUpPendingIndex, clearPendingIndex, notePendingIndex } from './pendingIndex.ts';
import { linkTarget, WriteTargets } from './writeTarget.ts';
import {
  BatchNotStartedError,
  captionBytes,
  captionState,
  isDiskFull,
  readBytes,
  readCaptionText,
  readRaw,
  updateIndex,
} from './batchFiles.ts';
import type { BatchResult, BatchRunOptions } from './batchEdit.ts';

/** Undoes the most recent batch that is not undone yet; undefined when there is none. */
export function undoLastBatch(root: string, db: Database, options: BatchRunOptions = {}): BatchResult | undefined {
  return withEditLock(root, lockOptions('undo', options), () => {
    catchUpPendingIndex(root, journalDir(root), db);
    const entry = lastAppliedBatch(journalDir(root));
    return entry ? replay(root, db, entry, 'undo') : undefined;
  });
}

/** Applies again the batch undone last (unless a new batch came since); undefined when there is none. */
export function redoLastBatch(root: string, db: Database, options: BatchRunOptions = {}): BatchResult | undefined {
  return withEditLock(root, lockOptions('redo', options), () => {
    catchUpPendingIndex(root, journalDir(root), db);
    const entry = nextRedoBatch(journalDir(root));
    return entry ? replay(root, db, entry, 'redo') : undefined;
  });
}

type Direction = 'undo' | 'redo';

/** One side of a journal record: what a file holds before (`from`) and after (`to`) the step. */
interface Side {
  text: string | null;
  bytes: Buffer | null;
}

/** Carries out an undo (journal `after` -> `before`) or a redo (`before` -> `after`) of one entry. */
function replay(root: string, db: Database, entry: JournalEntry, direction: Direction): BatchResult {
  const undo = direction === 'undo';
  const result: BatchResult = {
    id: entry.id,
    summary: `${undo ? 'Undid' : 'Redid'}: ${entry.summary}`,
    outcome: '',
    changed: 0,
    unchanged: 0,
    conflicts: [],
    moved: 0,
    sidecars: 0,
  };
  const writable = new WriteTargets(root);
  const store = new ImageStore(db);
  const imagesOf = db.prepare('SELECT id, path FROM images WHERE caption_path = ?');
  const done: { caption: JournalCaption; text: string | null }[] = [];
  const planned = entry.captions.length + entry.moves.length;
  const stop = (err: unknown): boolean => {
    if (!isDiskFull(err)) return false;
    result.stopped = {
      reason: 'disk-full',
      written: result.changed,
      planned,
      indexUpdated: true,
      cause: (err as Error).message,
    };
    return true;
  };
  const changedSince = `changed on disk ${undo ? 'after the batch' : 'since the undo'}; left as it is`;
  try {
    notePendingIndex(journalDir(root), {
      captions: entry.captions.map((c) => c.path),
      images: entry.moves.map((m) => m.from),
    });
  } catch (err) {
    throw new BatchNotStartedError(err);
  }
  for (const caption of entry.captions) {
    try {
      if (caption.sidecar && caption.before === caption.after && caption.afterBytes === undefined) {
        // A change of the sidecar alone (rejected suggestions): it is replayed unless it was edited since.
        const { path, before, after } = caption.sidecar;
        const [from, to] = undo ? [after, before] : [before, after];
        const refusal = writable.refusal(path);
        const now = refusal ? null : readRaw(join(root, path));
        if (refusal) result.conflicts.push({ path, reason: refusal });
        else if (now === to) result.unchanged++;
        else if (now !== from) result.conflicts.push({ path, reason: changedSince });
        else {
          writeFileAtomic(linkTarget(join(root, path)), to);
          done.push({ caption, text: caption.before });
          result.changed++;
          result.sidecars++;
        }
        continue;
      }
      const [from, to] = undo
        ? [side(caption, 'after'), side(caption, 'before')]
        : [side(caption, 'before'), side(caption, 'after')];
      const refusal = writable.refusal(caption.path);
      if (refusal) {
        result.conflicts.push({ path: caption.path, reason: refusal });
        continue;
      }
      const file = join(root, caption.path);
      const current = readCaptionText(file);
      if (current === to.text) {
        result.unchanged++;
      } else if (current !== from.text) {
        result.conflicts.push({ path: caption.path, reason: changedSince });
      } else {
        if (to.bytes === null) unlinkSync(file);
        else writeCaptionBytes(file, to.bytes);
        done.push({ caption, text: to.text });
        result.changed++;
        const images = (imagesOf.all(caption.path) as { id: number; path: string }[]).map((i) => i.path);
        result.sidecars += replaySidecar(root, writable, caption, images, direction);
      }
    } catch (err) {
      if (stop(err)) break;
      result.conflicts.push({ path: caption.path, reason: `cannot be written: ${(err as Error).message}` });
    }
  }
  const trashed: string[] = [];
  const moves = undo
    ? [...entry.moves].reverse().map((m) => ({ from: m.to, to: m.from, name: m.from }))
    : entry.moves.map((m) => ({ ...m, name: m.from }));
  for (const move of result.stopped ? [] : moves) {
    const from = join(root, move.from);
    const to = join(root, move.to);
    if (!existsSync(from)) continue;
    const refusal = writable.folderRefusal(move.name);
    if (refusal || existsSync(to)) {
      result.conflicts.push({
        path: move.name,
        reason:
          refusal ??
          (undo
            ? 'a file of that name exists again; the trashed one stays in the trash'
            : 'a file of that name is in the trash already'),
      });
      continue;
    }
    try {
      mkdirSync(dirname(to), { recursive: true });
      renameSync(from, to);
    } catch (err) {
      if (stop(err)) break;
      result.conflicts.push({ path: move.name, reason: `cannot be moved: ${(err as Error).message}` });
      continue;
    }
    if (!undo) trashed.push(move.from);
    result.moved++;
    result.changed++;
  }
  const indexProblem = updateIndex(db, () => {
    for (const { caption, text } of done) {
      for (const { id, path } of imagesOf.all(caption.path) as { id: number; path: string }[]) {
        store.setCaption(id, text === null ? null : captionState(root, caption.path, text));
        const sidecar = caption.sidecar?.path ?? sidecarPathFor(path);
        store.setSidecar(id, readSidecarState(root, scannedFile(root, sidecar), []));
      }
    }
    const byPath = db.prepare('SELECT id FROM images WHERE path = ?').pluck(true);
    for (const path of trashed) for (const id of byPath.all(path) as number[]) store.delete(id);
  });
  if (!indexProblem) clearPendingIndex(journalDir(root));
  if (indexProblem) {
    result.stopped ??= { reason: 'index', written: result.changed, planned, indexUpdated: false, cause: indexProblem };
    result.stopped.indexUpdated = false;
    result.stopped.cause = indexProblem;
  }
  if (!result.stopped || result.stopped.reason === 'index') {
    try {
      writeJournal(journalDir(root), { ...entry, status: undo ? 'undone' : 'applied' });
      if (undo) pushRedo(journalDir(root), entry.id);
      else popRedo(journalDir(root), entry.id);
    } catch (err) {
      if (!isDiskFull(err)) throw err;
      result.stopped = {
        reason: 'disk-full',
        written: result.changed,
        planned,
        indexUpdated: !indexProblem,
        cause: (err as Error).message,
      };
    }
  }
  result.outcome = `${result.summary} (${result.changed} file${result.changed === 1 ? '' : 's'} ${undo ? 'restored' : 'changed again'})`;
  return result;
}

/** A journal record's caption before or after the batch: its text, and the exact bytes to write for it. */
function side(caption: JournalCaption, which: 'before' | 'after'): Side {
  const text = caption[which];
  const exact = which === 'before' ? caption.beforeBytes : caption.afterBytes;
  return { text, bytes: exact !== undefined ? Buffer.from(exact, 'base64') : captionBytes(text, caption) };
}

/**
 * Replays the sidecar of a replayed caption: to the journal's other version when the one it left is
 * still on disk; edited since (or journalled before batches recorded sidecars), its tags follow the
 * caption. Returns how many sidecars were written.
 */
function replaySidecar(
  root: string,
  writable: WriteTargets,
  caption: JournalCaption,
  images: readonly string[],
  direction: Direction,
): number {
  const text = (direction === 'undo' ? caption.before : caption.after) ?? '';
  const follow = (path: string): number => {
    if (writable.refusal(path)) return 0;
    const file = join(root, path);
    const bytes = readBytes(file);
    const next = bytes && sidecarTagsFor(bytes, text);
    if (!next) return 0;
    writeFileAtomic(linkTarget(file), next);
    return 1;
  };
  if (caption.sidecar) {
    const { path, before, after } = caption.sidecar;
    const [from, to] = direction === 'undo' ? [after, before] : [before, after];
    if (writable.refusal(path)) return 0;
    const now = readRaw(join(root, path));
    if (now === from) {
      writeFileAtomic(linkTarget(join(root, path)), to);
      return 1;
    }
    return now === null ? 0 : follow(path);
  }
  return images.reduce((n, image) => n + follow(sidecarPathFor(image)), 0);
}

function journalDir(root: string): string {
  return join(root, TAGBENCH_DIR, 'journal');
}

function lockOptions(what: Direction, options: BatchRunOptions): { purpose: string; timeoutMs?: number } {
  return {
    purpose: options.purpose ?? `${what} of a batch edit`,
    ...(options.lockTimeoutMs !== undefined ? { timeoutMs: options.lockTimeoutMs } : {}),
  };
}
