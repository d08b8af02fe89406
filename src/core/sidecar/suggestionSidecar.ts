/**
 * The image editor's review of model suggestions as kept in the image's `<stem>.tagbench.json`
 * sidecar: reading the tag entries and held sentences for the editor, and writing changed review
 * statuses back atomically, leaving every other field as it is.
 */
import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '../atomicWrite.ts';
import { heldSentences, modelOf } from '../annotate/reviewSuggestions.ts';
import { formatSidecar, parseSidecar } from './sidecar.ts';
import type { SidecarTag } from './sidecar.ts';
import { splitCaption, tagKey } from '../../shared/tags.ts';
import type { SuggestionsView } from '../../shared/suggestionView.ts';

/** A sidecar's tag entries and captioning results, as the review needs them; why the sidecar cannot be used ('' when it can). */
export interface StoredReview {
  tags: SidecarTag[];
  annotations: unknown[];
  problem: string;
}

/** Reads the tag entries and annotations of `sidecarFile`: empty when there is no sidecar or it cannot be used. */
export function readStoredReview(sidecarFile: string): StoredReview {
  let bytes: Buffer;
  try {
    bytes = readFileSync(sidecarFile);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { tags: [], annotations: [], problem: '' };
    return { tags: [], annotations: [], problem: `${sidecarFile} cannot be read: ${(err as Error).message}` };
  }
  try {
    const sidecar = parseSidecar(bytes);
    return { tags: sidecar.tags ?? [], annotations: sidecar.annotations ?? [], problem: '' };
  } catch (err) {
    return { tags: [], annotations: [], problem: `${sidecarFile}: ${(err as Error).message}` };
  }
}

/** What the editor shows for review: the suggested entries and every captioning model's sentence. */
export function suggestionsView(tags: readonly SidecarTag[], annotations: readonly unknown[]): SuggestionsView {
  return {
    tags: tags
      .filter((t) => t.status === 'suggested')
      .map((t) => ({ name: t.name, model: modelOf(t), confidence: t.confidence ?? null })),
    sentences: heldSentences(annotations, ''),
  };
}

/** The entries of `current` whose review status differs from `saved` (matched by key). */
export function reviewChanges(saved: readonly SidecarTag[], current: readonly SidecarTag[]): SidecarTag[] {
  const before = new Map(saved.map((t) => [tagKey(t.name), t.status]));
  return current.filter(
    (t) =>
      (t.status === 'suggested' || t.status === 'rejected' || t.status === 'accepted') &&
      before.get(tagKey(t.name)) !== t.status,
  );
}

/**
 * Writes review statuses into the sidecar after its caption `caption` was saved (and the sidecar's
 * tags synced to it): a suggestion or rejection is set or recorded; an acceptance is set only on a
 * tag the caption has. Returns whether the file was written.
 */
export function writeReviewChanges(sidecarFile: string, changes: readonly SidecarTag[], caption: string): boolean {
  if (changes.length === 0) return false;
  let sidecar;
  try {
    sidecar = parseSidecar(readFileSync(sidecarFile));
  } catch (err) {
    throw new Error(
      `The review of suggestions was not saved: ${sidecarFile} cannot be used (${(err as Error).message}).`,
      { cause: err },
    );
  }
  const inCaption = new Set(splitCaption(caption).parts.map(tagKey));
  const tags = (sidecar.tags ?? []).map((t) => ({ ...t }));
  const byKey = new Map(tags.map((t) => [tagKey(t.name), t]));
  for (const change of changes) {
    const key = tagKey(change.name);
    const entry = byKey.get(key);
    if (change.status === 'accepted') {
      if (entry && inCaption.has(key)) entry.status = 'accepted';
    } else if (entry) {
      if (!inCaption.has(key)) entry.status = change.status;
    } else if (!inCaption.has(key)) {
      const added = { ...change };
      tags.push(added);
      byKey.set(key, added);
    }
  }
  const next = formatSidecar({ ...sidecar, tags });
  writeFileAtomic(sidecarFile, next);
  return true;
}
