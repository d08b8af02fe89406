/**
 * Writing an annotation into an image's files: the caption (by the run's merge strategy) first, then
 * the sidecar with the result and its provenance (model, version, parameters, time, raw scores,
 * score, embedding). A failure is recorded in the sidecar too, unless the model already has a
 * result for the image. A sidecar that is not valid is never overwritten: the item fails instead.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { decodeCaption, writeCaptionFile } from '../caption/captionFile.ts';
import { captionPathFor, sidecarPathFor } from '../dataset/filePairing.ts';
import { formatSidecar, parseSidecar } from '../sidecar/sidecar.ts';
import type { Sidecar } from '../sidecar/sidecar.ts';
import { writeFileAtomic } from '../atomicWrite.ts';
import { withEditLock } from '../edits/editLock.ts';
import { checkWritable, linkTarget } from '../edits/writeTarget.ts';
import type { AnnotationError, AnnotationResult } from './annotator.ts';
import { mergeAnnotation } from './mergeAnnotation.ts';
import type { CaptionOrigin, MergeOptions } from './mergeAnnotation.ts';

/** The sidecar field recording who wrote the caption text as a whole: `{source, sha256}` of the text. */
const ORIGIN_FIELD = 'captionOrigin';

/** Where an image is and how its caption file is named. */
export interface ImageFiles {
  root: string;
  /** Dataset-relative image path. */
  path: string;
  /** SHA-256 of the image bytes (for a new sidecar). */
  sha256: string;
  captionExtension: string;
}

/** What applying one result did. */
export interface AppliedAnnotation {
  added: string[];
  removed: string[];
  suggested: string[];
  captionHeld: boolean;
  captionChanged: boolean;
  score?: number;
  rating?: string;
}

/** The current caption text of an image, or null when it has none (undecodable captions throw). */
export function readCaptionText(files: ImageFiles): string | null {
  const bytes = readOptional(join(files.root, captionPathFor(files.path, files.captionExtension)));
  return bytes ? decodeCaption(bytes).text : null;
}

/** How long an annotation waits for another writer (a batch edit) to finish with the dataset's files. */
const LOCK_TIMEOUT_MS = 5 * 60_000;

/** Runs one image's read-modify-write under the dataset's edit lock, refusing files behind links that leave the dataset. */
function underLock<T>(files: ImageFiles, write: () => T): T {
  return withEditLock(files.root, { purpose: 'annotation', timeoutMs: LOCK_TIMEOUT_MS }, () => {
    checkWritable(files.root, [captionPathFor(files.path, files.captionExtension), sidecarPathFor(files.path)]);
    return write();
  });
}

/** Merges a result into the caption and writes it with its provenance into the sidecar. */
export function applyAnnotation(files: ImageFiles, result: AnnotationResult, merge: MergeOptions): AppliedAnnotation {
  return underLock(files, () => applyLocked(files, result, merge));
}

function applyLocked(files: ImageFiles, result: AnnotationResult, merge: MergeOptions): AppliedAnnotation {
  const captionFile = join(files.root, captionPathFor(files.path, files.captionExtension));
  const sidecarFile = join(files.root, sidecarPathFor(files.path));
  const sidecar = readSidecarForUpdate(sidecarFile, files);
  const captionBytes = readOptional(captionFile);
  const decoded = captionBytes ? decodeCaption(captionBytes) : null;
  const caption = decoded?.text ?? null;
  const outcome = mergeAnnotation(
    { caption, tags: sidecar.tags, captionOrigin: originOf(sidecar, caption) },
    result,
    merge,
  );
  let captionChanged = false;
  if (outcome.caption !== null && outcome.caption !== caption) {
    captionChanged = writeCaptionFile(captionFile, outcome.caption, {
      bom: decoded?.bom ?? false,
      eol: decoded?.eol ?? '\n',
    });
  }
  const next: Sidecar = { ...sidecar };
  if (outcome.tags.length > 0 || sidecar.tags !== undefined) next.tags = outcome.tags;
  if (outcome.captionOrigin && outcome.captionOrigin !== originOf(sidecar, caption)) {
    next[ORIGIN_FIELD] = { source: outcome.captionOrigin.source, sha256: sha256Text(outcome.captionOrigin.text) };
  }
  if (result.kind === 'score' && result.score !== undefined) {
    const name = typeof result.params.scoreName === 'string' ? result.params.scoreName : 'aesthetic';
    next.scores = { ...sidecar.scores, [name]: { value: result.score, model: result.model, at: result.at } };
  }
  next.annotations = upsert(sidecar.annotations, result.model, result.kind, storedResult(result));
  writeFileAtomic(linkTarget(sidecarFile), formatSidecar(next));
  return {
    added: outcome.added,
    removed: outcome.removed,
    suggested: outcome.suggested,
    captionHeld: outcome.captionHeld,
    captionChanged,
    ...(result.score !== undefined ? { score: result.score } : {}),
    ...(result.rating ? { rating: result.rating.name } : {}),
  };
}

/** Records a failed annotation in the sidecar, unless the model already has a result for the image. */
export function recordAnnotationFailure(
  files: ImageFiles,
  model: { id: string; kind: AnnotationResult['kind']; params: Record<string, unknown> },
  error: AnnotationError,
): void {
  underLock(files, () => recordFailureLocked(files, model, error));
}

function recordFailureLocked(
  files: ImageFiles,
  model: { id: string; kind: AnnotationResult['kind']; params: Record<string, unknown> },
  error: AnnotationError,
): void {
  const sidecarFile = join(files.root, sidecarPathFor(files.path));
  const sidecar = readSidecarForUpdate(sidecarFile, files);
  const existing = (sidecar.annotations ?? []) as { model?: string; kind?: string; error?: string }[];
  if (existing.some((a) => a.model === model.id && a.kind === model.kind && a.error === undefined)) return;
  const entry = {
    model: model.id,
    kind: model.kind,
    at: new Date().toISOString(),
    params: model.params,
    error: error.message,
    failure: error.failure,
  };
  writeFileAtomic(
    linkTarget(sidecarFile),
    formatSidecar({ ...sidecar, annotations: upsert(sidecar.annotations, model.id, model.kind, entry) }),
  );
}

/** The sidecar to update: the existing one, or a new one; an invalid one throws (it is never overwritten). */
function readSidecarForUpdate(file: string, files: ImageFiles): Sidecar {
  const bytes = readOptional(file);
  if (!bytes) return { tagbench: 1, image: { sha256: files.sha256, file: basename(files.path) } };
  try {
    return parseSidecar(bytes);
  } catch (err) {
    throw new Error(
      `${(err as Error).message.replace(/\.$/, '')}; fix or delete ${sidecarPathFor(files.path)} to annotate this image.`,
      { cause: err },
    );
  }
}

/** The caption's origin when the sidecar says a model wrote exactly this text. */
function originOf(sidecar: Sidecar, caption: string | null): CaptionOrigin | undefined {
  const stored = sidecar[ORIGIN_FIELD] as { source?: unknown; sha256?: unknown } | undefined;
  if (!stored || typeof stored.source !== 'string' || caption === null) return undefined;
  return stored.sha256 === sha256Text(caption)
    ? { source: stored.source, text: caption }
    : { source: stored.source, text: '\u0000' };
}

/** The result as the sidecar keeps it (the embedding as base64 little-endian float32). */
function storedResult(result: AnnotationResult): Record<string, unknown> {
  const stored: Record<string, unknown> = {};
  if (result.tags)
    stored.tags = result.tags.map((t) => ({
      name: t.name,
      category: t.category,
      confidence: Math.round(t.confidence * 10_000) / 10_000,
    }));
  if (result.rating) stored.rating = result.rating;
  if (result.caption !== undefined) stored.caption = result.caption;
  if (result.score !== undefined) stored.score = result.score;
  if (result.raw) stored.raw = result.raw;
  if (result.embedding) {
    const bytes = Buffer.from(result.embedding.buffer, result.embedding.byteOffset, result.embedding.byteLength);
    stored.embedding = { dtype: 'float32', dim: result.embedding.length, base64: bytes.toString('base64') };
  }
  if (result.usage) stored.usage = result.usage;
  return {
    model: result.model,
    version: result.version,
    kind: result.kind,
    at: result.at,
    params: result.params,
    result: stored,
  };
}

/** The annotation list with `entry` in place of the model's earlier entry of that kind. */
function upsert(list: unknown[] | undefined, model: string, kind: string, entry: Record<string, unknown>): unknown[] {
  const others = (list ?? []).filter((a) => {
    const e = a as { model?: unknown; kind?: unknown };
    return !(e.model === model && e.kind === kind);
  });
  return [...others, entry];
}

/** Decodes a stored embedding back into floats. */
export function decodeEmbedding(stored: { base64: string }): Float32Array {
  const bytes = Buffer.from(stored.base64, 'base64');
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

function sha256Text(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function readOptional(file: string): Buffer | null {
  try {
    return readFileSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}
