/**
 * Batch edits of a dataset: plan (read every caption, compute its new bytes: this is the preview), and
 * apply under the dataset's edit lock: journal first, then files, then the index. Under the lock every
 * file is checked again against the bytes it was planned from: one that changed since (another writer,
 * an editor) is a conflict, reported and left alone, never overwritten. An edit keeps each line's own
 * ending and a caption's untouched bytes. Files behind a symbolic link that leaves the dataset are
 * never written (writeTarget.ts). A full disk stops the batch cleanly: what was written stays journalled,
 * so undo puts it back or a re-run finishes it. Undo and redo are in batchUndo.ts.
 */
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Database } from 'better-sqlite3';
import {
  CaptionDecodeError,
  decodeCaptionExact,
  encodeCaptionExact,
  eolOf,
  writeCaptionBytes,
} from '../caption/captionFile.ts';
import { captionPathFor, sidecarPathFor } from '../dataset/filePairing.ts';
import { TAGBENCH_DIR } from '../dataset/datasetLayout.ts';
import { ImageStore } from '../index/imageStore.ts';
import { sidecarTagsFor } from '../sidecar/sidecarTags.ts';
import { SidecarError } from '../sidecar/sidecar.ts';
import { writeFileAtomic } from '../atomicWrite.ts';
import { describeBatch, describeBatchOutcome } from '../../shared/batchAction.ts';
import type { TrashAction } from '../../shared/batchAction.ts';
import { editCaption } from './captionEdits.ts';
import type { CaptionEdit } from './captionEdits.ts';
import { RegexTimeoutError } from './safeRegex.ts';
import { reviewImage } from './reviewBatch.ts';
import type { ReviewSuggestionsAction } from './reviewBatch.ts';
import { clearRedo, newBatchId, writeJournal } from './batchJournal.ts';
import type { JournalCaption, JournalEntry, JournalMove } from './batchJournal.ts';
import { withEditLock } from './editLock.ts';
import { catchUpPendingIndex, clearPendingIndex, hasPendingIndex, notePendingIndex } from './pendingIndex.ts';
import { linkTarget, WriteTargets } from './writeTarget.ts';
import {
  BatchNotStartedError,
  captionBytes,
  captionState,
  isDiskFull,
  readBytes,
  readRaw,
  sameBytes,
  sidecarState,
  updateIndex,
} from './batchFiles.ts';
import type { BatchStop } from './batchFiles.ts';

/** An image a batch applies to. */
export interface BatchTarget {
  id: number;
  path: string;
}

/**
 * A batch action: a caption edit, a review of model suggestions (caption and sidecar), or moving the
 * images (with caption and sidecar) to Tagbench's trash.
 */
export type BatchAction = CaptionEdit | ReviewSuggestionsAction | TrashAction;

/** One caption's planned change, with the exact bytes it was planned from and the exact bytes it gets. */
export interface PlannedCaption {
  imageId: number;
  imagePath: string;
  path: string;
  /** The text before and after, with LF line breaks (for previews and the journal). */
  before: string | null;
  after: string;
  bytes: Buffer | null;
  afterBytes: Buffer;
  bom: boolean;
  eol: '\n' | '\r\n';
  /** A sidecar change planned with the caption's (a suggestion review); its `before` must still be on disk to apply. */
  sidecar?: { path: string; before: string; after: string };
  /** The suggestions a review accepts or rejects here. */
  reviewed?: { accepted: string[]; rejected: string[] };
}

/** A planned batch: what the preview shows and what apply carries out. */
export interface BatchPlan {
  id: string;
  action: BatchAction;
  summary: string;
  /** Images the batch was asked to touch. */
  files: number;
  captions: PlannedCaption[];
  /** Images to move to the trash (for the trash action). */
  trash: BatchTarget[];
  /** Captions that cannot be edited (not UTF-8, unreadable, behind a link leaving the dataset), with the reason. */
  skipped: { path: string; reason: string }[];
}

/** What applying, undoing or redoing a batch did. */
export interface BatchResult {
  id: string;
  /** The batch's description (`Remove "beard" from 7 images`; an undo's is `Undid: ...`). */
  summary: string;
  /** What it did, counting what changed: `Removed "beard" from 2 of 7 images`. */
  outcome: string;
  changed: number;
  unchanged: number;
  conflicts: { path: string; reason: string }[];
  /** Images moved in or out of the dataset: the index needs a rescan to see them. */
  moved: number;
  /** Sidecars whose tag provenance was brought in step with the captions (or restored by an undo). */
  sidecars: number;
  /** Set when it stopped before its end (a full disk) or could not update the index: how far it got. */
  stopped?: BatchStop;
}

/** How a batch, undo or redo waits for the dataset's edit lock. */
export interface BatchRunOptions {
  /** What the lock holder is, for another writer's message (default: the batch's summary). */
  purpose?: string;
  lockTimeoutMs?: number;
}

const CHANGED_SINCE_READ = 'changed on disk since it was read; left as it is';

/** Plans a batch: reads each target's caption and computes its new bytes. Nothing is written. */
export function planBatch(
  root: string,
  targets: readonly BatchTarget[],
  action: BatchAction,
  captionExtension: string,
): BatchPlan {
  const plan: BatchPlan = {
    id: newBatchId(),
    action,
    summary: describeBatch(action, targets.length),
    files: targets.length,
    captions: [],
    trash: [],
    skipped: [],
  };
  const writable = new WriteTargets(root);
  if (action.kind === 'trash') {
    for (const target of targets) {
      const refusal = writable.folderRefusal(target.path);
      if (refusal) plan.skipped.push({ path: target.path, reason: refusal });
      else plan.trash.push(target);
    }
    return plan;
  }
  for (const target of targets) {
    const path = captionPathFor(target.path, captionExtension);
    const refusal = writable.refusal(path);
    if (refusal) {
      plan.skipped.push({ path, reason: refusal });
      continue;
    }
    let bytes: Buffer | null = null;
    try {
      bytes = readFileSync(join(root, path));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        plan.skipped.push({ path, reason: `cannot be read: ${(err as Error).message}` });
        continue;
      }
    }
    let exact = { raw: '', bom: false };
    if (bytes) {
      try {
        exact = decodeCaptionExact(bytes);
      } catch (err) {
        plan.skipped.push({ path, reason: err instanceof CaptionDecodeError ? err.message : String(err) });
        continue;
      }
    }
    const eol = eolOf(exact.raw);
    const planned = (raw: string): PlannedCaption => ({
      imageId: target.id,
      imagePath: target.path,
      path,
      before: bytes ? lf(exact.raw) : null,
      after: lf(raw),
      bytes,
      afterBytes: raw === exact.raw && bytes ? bytes : encodeCaptionExact({ raw, bom: exact.bom }),
      bom: exact.bom,
      eol,
    });
    if (action.kind === 'reviewSuggestions') {
      const sidecarPath = sidecarPathFor(target.path);
      const sidecarBytes = readBytes(join(root, sidecarPath));
      if (!sidecarBytes) continue;
      const sidecarRefusal = writable.refusal(sidecarPath);
      if (sidecarRefusal) {
        plan.skipped.push({ path: sidecarPath, reason: sidecarRefusal });
        continue;
      }
      let reviewed;
      try {
        reviewed = reviewImage(exact.raw, sidecarBytes, action);
      } catch (err) {
        if (!(err instanceof SidecarError)) throw err;
        plan.skipped.push({ path: sidecarPath, reason: err.message });
        continue;
      }
      if (!reviewed) continue;
      plan.captions.push({
        ...planned(reviewed.caption),
        sidecar: { path: sidecarPath, before: sidecarBytes.toString('utf8'), after: reviewed.sidecar },
        reviewed: { accepted: reviewed.accepted, rejected: reviewed.rejected },
      });
      continue;
    }
    let edited: string;
    try {
      edited = editCaption(bytes ? exact.raw : null, action);
    } catch (err) {
      throw err instanceof RegexTimeoutError ? err.on(path) : err;
    }
    const change = planned(edited);
    if (touchesCaption(change)) plan.captions.push(change);
  }
  return plan;
}

/** Whether a plan has nothing to write: applying it writes no journal entry either, and leaves undo and redo as they are. */
export function isEmptyPlan(plan: BatchPlan): boolean {
  return plan.captions.length === 0 && plan.trash.length === 0;
}

/**
 * Applies a planned batch under the dataset's edit lock: journal, then files, then index rows. Throws
 * BatchNotStartedError when the journal cannot be written (nothing is touched then), and
 * EditLockTimeoutError when another writer holds the lock for the whole wait.
 */
export function applyBatch(root: string, db: Database, plan: BatchPlan, options: BatchRunOptions = {}): BatchResult {
  const result: BatchResult = {
    id: plan.id,
    summary: plan.summary,
    outcome: '',
    changed: 0,
    unchanged: plan.files - plan.captions.length - plan.trash.length - plan.skipped.length,
    conflicts: [...plan.skipped],
    moved: 0,
    sidecars: 0,
  };
  const lock = {
    purpose: options.purpose ?? plan.summary,
    ...(options.lockTimeoutMs !== undefined ? { timeoutMs: options.lockTimeoutMs } : {}),
  };
  if (isEmptyPlan(plan)) {
    // Nothing to write; rows a killed writer left behind its files are still brought up to date.
    const journalDir = join(root, TAGBENCH_DIR, 'journal');
    if (hasPendingIndex(journalDir)) withEditLock(root, lock, () => catchUpPendingIndex(root, journalDir, db));
    return { ...result, outcome: describeBatchOutcome(plan.action, 0, plan.files) };
  }
  withEditLock(root, lock, () => applyLocked(root, db, plan, result));
  result.outcome = describeBatchOutcome(plan.action, result.changed, plan.files);
  return result;
}

function applyLocked(root: string, db: Database, plan: BatchPlan, result: BatchResult): void {
  const journalDir = join(root, TAGBENCH_DIR, 'journal');
  catchUpPendingIndex(root, journalDir, db);
  const writable = new WriteTargets(root);
  const moves: JournalMove[] = [];
  const trashMoves = new Map<BatchTarget, JournalMove[]>();
  for (const target of plan.trash) {
    const refusal = writable.folderRefusal(target.path);
    if (refusal) {
      result.conflicts.push({ path: target.path, reason: refusal });
      continue;
    }
    trashMoves.set(target, movesOf(root, plan.id, target.path));
    moves.push(...trashMoves.get(target)!);
  }
  const entry: JournalEntry = {
    tagbench: 1,
    id: plan.id,
    at: new Date().toISOString(),
    summary: plan.summary,
    status: 'applied',
    captions: plan.captions.map((c) => journalCaption(root, c)),
    moves,
  };
  try {
    notePendingIndex(journalDir, {
      captions: plan.captions.map((c) => c.path),
      images: [...trashMoves.keys()].map((t) => t.path),
    });
    writeJournal(journalDir, entry);
  } catch (err) {
    throw new BatchNotStartedError(err);
  }
  clearRedo(journalDir);

  const store = new ImageStore(db);
  const written: { id: number; path: string; text: string }[] = [];
  const sidecarsWritten: { id: number; path: string; json: string }[] = [];
  const planned = plan.captions.length + plan.trash.length;
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
  for (const [i, change] of plan.captions.entries()) {
    const captionChange = touchesCaption(change);
    const problem =
      (captionChange ? writable.refusal(change.path) : undefined) ??
      (captionChange && !sameBytes(readBytes(join(root, change.path)), change.bytes) ? CHANGED_SINCE_READ : undefined);
    if (problem) {
      result.conflicts.push({ path: change.path, reason: problem });
      continue;
    }
    if (change.sidecar) {
      const sidecarProblem =
        writable.refusal(change.sidecar.path) ??
        (readRaw(join(root, change.sidecar.path)) !== change.sidecar.before ? CHANGED_SINCE_READ : undefined);
      if (sidecarProblem) {
        result.conflicts.push({ path: change.sidecar.path, reason: sidecarProblem });
        continue;
      }
    }
    try {
      if (captionChange) {
        writeCaptionBytes(join(root, change.path), change.afterBytes);
        written.push({ id: change.imageId, path: change.path, text: change.after });
      }
      result.changed++;
      const sidecar = entry.captions[i]!.sidecar;
      if (sidecar && !writable.refusal(sidecar.path) && readRaw(join(root, sidecar.path)) === sidecar.before) {
        writeFileAtomic(linkTarget(join(root, sidecar.path)), sidecar.after);
        sidecarsWritten.push({ id: change.imageId, path: sidecar.path, json: sidecar.after });
        result.sidecars++;
      }
    } catch (err) {
      if (stop(err)) break;
      result.conflicts.push({ path: change.path, reason: `cannot be written: ${(err as Error).message}` });
    }
  }
  const trashed: BatchTarget[] = [];
  for (const [target, targetMoves] of result.stopped ? [] : trashMoves) {
    try {
      for (const move of targetMoves) {
        if (!existsSync(join(root, move.from))) continue;
        mkdirSync(dirname(join(root, move.to)), { recursive: true });
        renameSync(join(root, move.from), join(root, move.to));
      }
      trashed.push(target);
      result.changed++;
      result.moved++;
    } catch (err) {
      if (stop(err)) break;
      result.conflicts.push({ path: target.path, reason: `cannot be moved to the trash: ${(err as Error).message}` });
    }
  }
  const indexProblem = updateIndex(db, () => {
    for (const w of written) store.setCaption(w.id, captionState(root, w.path, w.text));
    for (const w of sidecarsWritten) store.setSidecar(w.id, sidecarState(root, w.path, w.json));
    for (const t of trashed) store.delete(t.id);
  });
  if (!indexProblem) clearPendingIndex(journalDir);
  if (indexProblem) {
    result.stopped ??= { reason: 'index', written: result.changed, planned, indexUpdated: false, cause: indexProblem };
    result.stopped.indexUpdated = false;
    result.stopped.cause = indexProblem;
  }
}

/** A caption's journal record: its text before and after, and exact bytes where the text does not give them back. */
function journalCaption(root: string, c: PlannedCaption): JournalCaption {
  const style = { bom: c.bom, eol: c.eol };
  const after = touchesCaption(c) ? c.after : c.before;
  const exact: Pick<JournalCaption, 'beforeBytes' | 'afterBytes'> = {};
  if (c.bytes && !sameBytes(captionBytes(c.before, style), c.bytes)) exact.beforeBytes = c.bytes.toString('base64');
  if (touchesCaption(c) && !sameBytes(captionBytes(c.after, style), c.afterBytes))
    exact.afterBytes = c.afterBytes.toString('base64');
  return {
    path: c.path,
    before: c.before,
    after,
    bom: c.bom,
    eol: c.eol,
    ...exact,
    ...(c.sidecar ? { sidecar: c.sidecar } : sidecarChange(root, c)),
  };
}

/** The files that go to the trash with an image: itself, its caption and its sidecar, when they exist. */
function movesOf(root: string, batchId: string, imagePath: string): JournalMove[] {
  const related = [
    imagePath,
    sidecarPathFor(imagePath),
    ...['.txt', '.caption'].map((ext) => captionPathFor(imagePath, ext)),
  ];
  return [...new Set(related)]
    .filter((p) => existsSync(join(root, p)))
    .map((from) => ({ from, to: `${TAGBENCH_DIR}/trash/${batchId}/${from}` }));
}

/** The sidecar change a caption change brings (tag provenance in step with the new text), for the journal. */
function sidecarChange(
  root: string,
  change: PlannedCaption,
): { sidecar?: { path: string; before: string; after: string } } {
  const path = sidecarPathFor(change.imagePath);
  const bytes = readBytes(join(root, path));
  if (!bytes) return {};
  const after = sidecarTagsFor(bytes, change.after);
  return after === null ? {} : { sidecar: { path, before: bytes.toString('utf8'), after } };
}

/** Whether a planned change writes the caption (a suggestion rejection changes the sidecar alone). */
function touchesCaption(change: PlannedCaption): boolean {
  return change.after !== (change.before ?? '') || (change.bytes !== null && !change.afterBytes.equals(change.bytes));
}

function lf(text: string): string {
  return text.replace(/\r\n/g, '\n');
}
