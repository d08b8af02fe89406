/**
 * Batch edits of a dataset: plan (read every caption, compute the new text: this is the preview),
 * apply (journal first, then files, then the index), and undo the last batch. A file that changed on
 * disk since it was read is reported as a conflict and left alone, on apply and on undo.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, unlinkSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Database } from 'better-sqlite3';
import { CaptionDecodeError, decodeCaption, writeCaptionFile } from '../caption/captionFile.ts';
import { captionPathFor, sidecarPathFor } from '../dataset/filePairing.ts';
import { TAGBENCH_DIR } from '../dataset/datasetLayout.ts';
import { ImageStore } from '../index/imageStore.ts';
import { readSidecarState } from '../index/imageFileReader.ts';
import { scannedFile } from '../index/refreshImageFiles.ts';
import { sidecarTagsFor, syncSidecarTags } from '../sidecar/sidecarTags.ts';
import { SidecarError } from '../sidecar/sidecar.ts';
import { writeFileAtomic } from '../atomicWrite.ts';
import { editCaption } from './captionEdits.ts';
import type { CaptionEdit } from './captionEdits.ts';
import { RegexTimeoutError } from './safeRegex.ts';
import { describeReview, reviewImage } from './reviewBatch.ts';
import type { ReviewSuggestionsAction } from './reviewBatch.ts';
import { lastAppliedBatch, newBatchId, writeJournal } from './batchJournal.ts';
import type { JournalCaption, JournalEntry, JournalMove } from './batchJournal.ts';

/** An image a batch applies to. */
export interface BatchTarget {
  id: number;
  path: string;
}

/**
 * A batch action: a caption edit, a review of model suggestions (caption and sidecar), or moving the
 * images (with caption and sidecar) to Tagbench's trash.
 */
export type BatchAction = CaptionEdit | ReviewSuggestionsAction | { kind: 'trash' };

/** One caption's planned change, with the exact bytes it was planned from. */
export interface PlannedCaption {
  imageId: number;
  imagePath: string;
  path: string;
  before: string | null;
  after: string;
  bytes: Buffer | null;
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
  /** Captions that cannot be edited (not UTF-8, unreadable), with the reason. */
  skipped: { path: string; reason: string }[];
}

/** What applying or undoing a batch did. */
export interface BatchResult {
  id: string;
  summary: string;
  changed: number;
  unchanged: number;
  conflicts: { path: string; reason: string }[];
  /** Images moved in or out of the dataset: the index needs a rescan to see them. */
  moved: number;
  /** Sidecars whose tag provenance was brought in step with the captions (or restored by an undo). */
  sidecars: number;
}

/** Plans a batch: reads each target's caption and computes its new text. Nothing is written. */
export function planBatch(root: string, targets: readonly BatchTarget[], action: BatchAction, captionExtension: string): BatchPlan {
  const plan: BatchPlan = { id: newBatchId(), action, summary: describe(action, targets.length), files: targets.length, captions: [], trash: [], skipped: [] };
  if (action.kind === 'trash') {
    plan.trash = [...targets];
    return plan;
  }
  for (const target of targets) {
    const path = captionPathFor(target.path, captionExtension);
    let bytes: Buffer | null = null;
    try {
      bytes = readFileSync(join(root, path));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        plan.skipped.push({ path, reason: `cannot be read: ${(err as Error).message}` });
        continue;
      }
    }
    let decoded = { text: '', bom: false, eol: '\n' as '\n' | '\r\n' };
    if (bytes) {
      try {
        decoded = decodeCaption(bytes);
      } catch (err) {
        plan.skipped.push({ path, reason: err instanceof CaptionDecodeError ? err.message : String(err) });
        continue;
      }
    }
    const before = bytes ? decoded.text : null;
    const planned: PlannedCaption = { imageId: target.id, imagePath: target.path, path, before, after: before ?? '', bytes, bom: decoded.bom, eol: decoded.eol };
    if (action.kind === 'reviewSuggestions') {
      const sidecarPath = sidecarPathFor(target.path);
      const sidecarBytes = readBytes(join(root, sidecarPath));
      if (!sidecarBytes) continue;
      let reviewed;
      try {
        reviewed = reviewImage(before ?? '', sidecarBytes, action);
      } catch (err) {
        if (!(err instanceof SidecarError)) throw err;
        plan.skipped.push({ path: sidecarPath, reason: err.message });
        continue;
      }
      if (!reviewed) continue;
      plan.captions.push({ ...planned, after: reviewed.caption, sidecar: { path: sidecarPath, before: sidecarBytes.toString('utf8'), after: reviewed.sidecar },
        reviewed: { accepted: reviewed.accepted, rejected: reviewed.rejected } });
      continue;
    }
    try {
      planned.after = editCaption(before, action);
    } catch (err) {
      throw err instanceof RegexTimeoutError ? err.on(path) : err;
    }
    if (touchesCaption(planned)) plan.captions.push(planned);
  }
  return plan;
}

/** Applies a planned batch: journal, then files, then index rows. */
export function applyBatch(root: string, db: Database, plan: BatchPlan): BatchResult {
  const journalDir = join(root, TAGBENCH_DIR, 'journal');
  const result: BatchResult = { id: plan.id, summary: plan.summary, changed: 0, unchanged: plan.files - plan.captions.length - plan.trash.length - plan.skipped.length, conflicts: [...plan.skipped], moved: 0, sidecars: 0 };
  const moves: JournalMove[] = plan.trash.flatMap((t) => trashMoves(root, plan.id, t.path));
  const entry: JournalEntry = {
    tagbench: 1, id: plan.id, at: new Date().toISOString(), summary: plan.summary, status: 'applied',
    captions: plan.captions.map((c) => ({
      path: c.path, before: c.before, after: touchesCaption(c) ? c.after : c.before, bom: c.bom, eol: c.eol,
      ...(c.sidecar ? { sidecar: c.sidecar } : sidecarChange(root, c)),
    })),
    moves,
  };
  writeJournal(journalDir, entry);

  const store = new ImageStore(db);
  const written: { id: number; path: string; text: string }[] = [];
  const sidecarsWritten: { id: number; path: string; json: string }[] = [];
  for (const [i, change] of plan.captions.entries()) {
    const captionChange = touchesCaption(change);
    if (captionChange && !sameBytes(readBytes(join(root, change.path)), change.bytes)) {
      result.conflicts.push({ path: change.path, reason: 'changed on disk since it was read; left as it is' });
      continue;
    }
    if (change.sidecar && readRaw(join(root, change.sidecar.path)) !== change.sidecar.before) {
      result.conflicts.push({ path: change.sidecar.path, reason: 'changed on disk since it was read; left as it is' });
      continue;
    }
    if (captionChange) {
      writeCaptionFile(join(root, change.path), change.after, { bom: change.bom, eol: change.eol });
      written.push({ id: change.imageId, path: change.path, text: change.after });
    }
    result.changed++;
    const sidecar = entry.captions[i]!.sidecar;
    if (sidecar && readRaw(join(root, sidecar.path)) === sidecar.before) {
      writeFileAtomic(join(root, sidecar.path), sidecar.after);
      sidecarsWritten.push({ id: change.imageId, path: sidecar.path, json: sidecar.after });
      result.sidecars++;
    }
  }
  const trashed = new Set<string>();
  for (const move of moves) {
    if (!existsSync(join(root, move.from))) continue;
    mkdirSync(dirname(join(root, move.to)), { recursive: true });
    renameSync(join(root, move.from), join(root, move.to));
    trashed.add(move.from);
  }
  db.transaction(() => {
    for (const w of written) store.setCaption(w.id, captionState(root, w.path, w.text));
    for (const w of sidecarsWritten) store.setSidecar(w.id, sidecarState(root, w.path, w.json));
    for (const t of plan.trash) {
      if (trashed.has(t.path)) {
        store.delete(t.id);
        result.changed++;
        result.moved++;
      }
    }
  })();
  return result;
}

/** Undoes the most recent batch that is not undone yet; undefined when there is none. */
export function undoLastBatch(root: string, db: Database): BatchResult | undefined {
  const journalDir = join(root, TAGBENCH_DIR, 'journal');
  const entry = lastAppliedBatch(journalDir);
  if (!entry) return undefined;
  const result: BatchResult = { id: entry.id, summary: `Undid: ${entry.summary}`, changed: 0, unchanged: 0, conflicts: [], moved: 0, sidecars: 0 };
  const store = new ImageStore(db);
  const restored: JournalCaption[] = [];
  const imagesOf = db.prepare('SELECT path FROM images WHERE caption_path = ?').pluck(true);
  for (const caption of entry.captions) {
    if (caption.sidecar && caption.before === caption.after) {
      // A change of the sidecar alone (rejected suggestions): it goes back unless it was edited since.
      const now = readRaw(join(root, caption.sidecar.path));
      if (now === caption.sidecar.before) {
        result.unchanged++;
      } else if (now !== caption.sidecar.after) {
        result.conflicts.push({ path: caption.sidecar.path, reason: 'changed on disk after the batch; left as it is' });
      } else {
        writeFileAtomic(join(root, caption.sidecar.path), caption.sidecar.before);
        restored.push(caption);
        result.changed++;
        result.sidecars++;
      }
      continue;
    }
    const file = join(root, caption.path);
    const current = readText(file);
    if (current === caption.before) {
      result.unchanged++;
    } else if (current !== caption.after) {
      result.conflicts.push({ path: caption.path, reason: 'changed on disk after the batch; left as it is' });
    } else {
      if (caption.before === null) unlinkSync(file);
      else writeCaptionFile(file, caption.before, { bom: caption.bom, eol: caption.eol });
      restored.push(caption);
      result.changed++;
      result.sidecars += restoreSidecar(root, caption, imagesOf.all(caption.path) as string[]);
    }
  }
  for (const move of [...entry.moves].reverse()) {
    const from = join(root, move.to);
    const to = join(root, move.from);
    if (!existsSync(from)) continue;
    if (existsSync(to)) {
      result.conflicts.push({ path: move.from, reason: 'a file of that name exists again; the trashed one stays in the trash' });
      continue;
    }
    mkdirSync(dirname(to), { recursive: true });
    renameSync(from, to);
    result.moved++;
    result.changed++;
  }
  const ids = db.prepare('SELECT id, path FROM images WHERE caption_path = ?');
  db.transaction(() => {
    for (const caption of restored) {
      for (const { id, path } of ids.all(caption.path) as { id: number; path: string }[]) {
        store.setCaption(id, caption.before === null ? null : captionState(root, caption.path, caption.before));
        const sidecar = caption.sidecar?.path ?? sidecarPathFor(path);
        store.setSidecar(id, readSidecarState(root, scannedFile(root, sidecar), []));
      }
    }
  })();
  writeJournal(journalDir, { ...entry, status: 'undone' });
  return result;
}

/** The files that go to the trash with an image: itself, its caption and its sidecar, when they exist. */
function trashMoves(root: string, batchId: string, imagePath: string): JournalMove[] {
  const related = [imagePath, sidecarPathFor(imagePath), ...['.txt', '.caption'].map((ext) => captionPathFor(imagePath, ext))];
  return [...new Set(related)]
    .filter((p) => existsSync(join(root, p)))
    .map((from) => ({ from, to: `${TAGBENCH_DIR}/trash/${batchId}/${from}` }));
}

/**
 * Puts back the sidecar of a restored caption: as it was before the batch when the batch's version is
 * still on disk; edited since (or journalled before batches recorded sidecars), its tags follow the
 * restored caption. Returns how many sidecars were written.
 */
function restoreSidecar(root: string, caption: JournalCaption, images: readonly string[]): number {
  if (caption.sidecar) {
    const file = join(root, caption.sidecar.path);
    const now = readRaw(file);
    if (now === caption.sidecar.after) {
      writeFileAtomic(file, caption.sidecar.before);
      return 1;
    }
    return now !== null && syncSidecarTags(file, caption.before ?? '') ? 1 : 0;
  }
  return images.filter((image) => syncSidecarTags(join(root, sidecarPathFor(image)), caption.before ?? '')).length;
}

/** The sidecar change a caption change brings (tag provenance in step with the new text), for the journal. */
function sidecarChange(root: string, change: PlannedCaption): { sidecar?: { path: string; before: string; after: string } } {
  const path = sidecarPathFor(change.imagePath);
  const bytes = readBytes(join(root, path));
  if (!bytes) return {};
  const after = sidecarTagsFor(bytes, change.after);
  return after === null ? {} : { sidecar: { path, before: bytes.toString('utf8'), after } };
}

function sidecarState(root: string, path: string, json: string): { path: string; size: number; mtimeMs: number; json: string } {
  const stat = statSync(join(root, path));
  return { path, size: stat.size, mtimeMs: Math.trunc(stat.mtimeMs), json };
}

function captionState(root: string, path: string, text: string): { path: string; size: number; mtimeMs: number; text: string } {
  const stat = statSync(join(root, path));
  return { path, size: stat.size, mtimeMs: Math.trunc(stat.mtimeMs), text };
}

function readBytes(file: string): Buffer | null {
  try {
    return readFileSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/** Whether a planned change writes the caption (a suggestion rejection changes the sidecar alone). */
function touchesCaption(change: PlannedCaption): boolean {
  return change.after !== (change.before ?? '');
}

function readRaw(file: string): string | null {
  return readBytes(file)?.toString('utf8') ?? null;
}

function readText(file: string): string | null {
  const bytes = readBytes(file);
  if (bytes === null) return null;
  try {
    return decodeCaption(bytes).text;
  } catch {
    return '\u0000undecodable';
  }
}

function sameBytes(a: Buffer | null, b: Buffer | null): boolean {
  return a === null || b === null ? a === b : a.equals(b);
}

function describe(action: BatchAction, count: number): string {
  const images = `${count} image${count === 1 ? '' : 's'}`;
  const list = (tags: string[]): string => tags.map((t) => `"${t}"`).join(', ');
  switch (action.kind) {
    case 'addTags': return `Add ${list(action.tags)} to ${images}`;
    case 'removeTags': return `Remove ${list(action.tags)} from ${images}`;
    case 'replaceTag': return `Replace ${action.regex ? `/${action.find}/` : `"${action.find}"`} with "${action.replace}" in ${images}`;
    case 'setPrefix': return `Put "${action.prefix}" first in ${images}`;
    case 'normalize': return `Normalize the tags of ${images}`;
    case 'applyRules': return `Apply tag rules${action.rules.source ? ` from ${basename(action.rules.source)}` : ''} to ${images}`;
    case 'reviewSuggestions': return describeReview(action, images);
    case 'trash': return `Move ${images} to the Tagbench trash`;
  }
}
