/**
 * Annotating a batch of dataset images with one annotator and writing each result into the image's
 * files: read the images, ask the annotator, merge each result (or record its failure). One item's
 * failure never stops the others.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AnnotationError } from './annotator.ts';
import type { AnnotationRequest, AnnotationResult, Annotator } from './annotator.ts';
import { applyAnnotation, readCaptionText, recordAnnotationFailure } from './annotationFiles.ts';
import type { AppliedAnnotation, ImageFiles } from './annotationFiles.ts';
import type { MergeOptions } from './mergeAnnotation.ts';
import { ItemFailed } from '../jobs/jobRunner.ts';
import type { ItemOutcome } from '../jobs/jobRunner.ts';

/** Where the images are. */
export interface AnnotateContext {
  root: string;
  captionExtension: string;
}

/** What one item came to. */
export type ItemAnnotation =
  | { state: 'done'; model: string; applied: AppliedAnnotation }
  | { state: 'failed'; failure: AnnotationError['failure']; error: string; retryable: boolean };

/** Annotates the images at `paths` (dataset-relative) and writes the results; one outcome per path. */
export async function annotateItems(
  annotator: Annotator,
  model: { kind: AnnotationResult['kind']; params: Record<string, unknown> },
  paths: readonly string[],
  ctx: AnnotateContext,
  merge: MergeOptions,
  signal?: AbortSignal,
): Promise<ItemAnnotation[]> {
  const outcomes: (ItemAnnotation | undefined)[] = paths.map(() => undefined);
  const requests: AnnotationRequest[] = [];
  const files: ImageFiles[] = [];
  const slots: number[] = [];
  paths.forEach((path, i) => {
    let image: Buffer;
    try {
      image = readFileSync(join(ctx.root, path));
    } catch (err) {
      outcomes[i] = failed(new AnnotationError('image', `The image cannot be read: ${(err as Error).message}.`));
      return;
    }
    const file = imageFiles(ctx, path, image);
    let caption: string | null;
    try {
      caption = readCaptionText(file);
    } catch (err) {
      outcomes[i] = failed(new AnnotationError('other', (err as Error).message));
      return;
    }
    requests.push({ path, image, caption });
    files.push(file);
    slots.push(i);
  });
  const results = requests.length > 0 ? await annotator.annotate(requests, signal) : [];
  if (signal?.aborted) {
    // Cancelled: nothing is written, and the items stay pending for a resumed run.
    const err = new Error('The annotation was cancelled.');
    err.name = 'AbortError';
    throw err;
  }
  results.forEach((result, j) => {
    outcomes[slots[j]!] = applyItemOutcome(annotator.id, model, files[j]!, result, merge);
  });
  return outcomes.map((o) => o ?? failed(new AnnotationError('other', 'The annotator gave no result for this image.')));
}

/** Writes one result into the image's files (or records its failure); never throws. */
export function applyItemOutcome(
  annotatorId: string,
  model: { kind: AnnotationResult['kind']; params: Record<string, unknown> },
  file: ImageFiles,
  result: AnnotationResult | AnnotationError,
  merge: MergeOptions,
): ItemAnnotation {
  if (result instanceof AnnotationError) {
    try {
      // A refused key says nothing about the image: only failures of the image itself are recorded.
      if (!result.retryable && result.name !== 'AnnotationCancelled' && result.failure !== 'auth')
        recordAnnotationFailure(file, { id: annotatorId, kind: model.kind, params: model.params }, result);
    } catch {
      // The sidecar is not valid: the item's own error says enough.
    }
    return failed(result);
  }
  try {
    return { state: 'done', model: result.model, applied: applyAnnotation(file, result, merge) };
  } catch (err) {
    return failed(new AnnotationError('other', (err as Error).message));
  }
}

/** The files of a dataset image, its bytes read (for their hash) by the caller. */
export function imageFiles(ctx: AnnotateContext, path: string, image: Buffer): ImageFiles {
  return {
    root: ctx.root,
    path,
    sha256: createHash('sha256').update(image).digest('hex'),
    captionExtension: ctx.captionExtension,
  };
}

function failed(error: AnnotationError): ItemAnnotation {
  return { state: 'failed', failure: error.failure, error: error.message, retryable: error.retryable };
}

/** A job item's outcome from an annotation: done with what it applied, or failed with its reason (and kind, kept with the item). */
export function itemOutcome(annotation: ItemAnnotation): ItemOutcome {
  if (annotation.state === 'failed') throw new ItemFailed(annotation.error, { failure: annotation.failure });
  return { state: 'done', result: { model: annotation.model, applied: annotation.applied } };
}
