/**
 * Reviewing what models suggested (the `review` merge strategy): accepting a suggestion appends it to
 * the caption in caption spelling and marks its sidecar entry accepted; rejecting one marks it
 * rejected (models never add it again) and leaves the caption alone. A held caption sentence can be
 * taken too. Every other part of the caption stays exactly as written, final line break included.
 * Pure: the caller reads and writes the files.
 */
import { splitCaption, splitCaptionLines, tagKey } from '../../shared/tags.ts';
import { editCaption } from '../edits/captionEdits.ts';
import type { SidecarTag } from '../sidecar/sidecar.ts';
import { captionSpelling } from './mergeAnnotation.ts';
import type { MergeOptions } from './mergeAnnotation.ts';

/** A caption and its sidecar's tag entries, before or after a review step. */
export interface ReviewState {
  caption: string;
  tags: readonly SidecarTag[];
}

/** A review step's outcome: the new state, and the names it accepted and rejected. */
export interface ReviewOutcome {
  caption: string;
  tags: SidecarTag[];
  accepted: string[];
  rejected: string[];
}

/** A captioning model's sentence that was held for review. */
export interface HeldSentence {
  model: string;
  text: string;
}

/** The model id of a `model:<id>` source, or '' for other sources. */
export function modelOf(tag: SidecarTag): string {
  return tag.source.startsWith('model:') ? tag.source.slice('model:'.length) : '';
}

/** Suggestions still waiting for review: status `suggested` and not (yet) in the caption, first entry per key. */
export function pendingSuggestions(state: ReviewState): SidecarTag[] {
  const inCaption = new Set(splitCaption(state.caption).parts.map(tagKey));
  const seen = new Set<string>();
  return state.tags.filter((tag) => {
    const key = tagKey(tag.name);
    if (tag.status !== 'suggested' || inCaption.has(key) || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Accepts the pending suggestions with these keys (tagKey of their names). */
export function acceptSuggestions(
  state: ReviewState,
  keys: readonly string[],
  underscores: MergeOptions['underscores'] = 'spaces',
): ReviewOutcome {
  const wanted = new Set(keys.map(tagKey));
  return accept(
    state,
    pendingSuggestions(state).filter((t) => wanted.has(tagKey(t.name))),
    underscores,
  );
}

/** Rejects the pending suggestions with these keys. */
export function rejectSuggestions(state: ReviewState, keys: readonly string[]): ReviewOutcome {
  const wanted = new Set(keys.map(tagKey));
  return reject(
    state,
    pendingSuggestions(state).filter((t) => wanted.has(tagKey(t.name))),
  );
}

/** Accepts every pending suggestion at or above `threshold` confidence (suggestions without one are left). */
export function acceptAbove(
  state: ReviewState,
  threshold: number,
  underscores: MergeOptions['underscores'] = 'spaces',
): ReviewOutcome {
  return accept(
    state,
    pendingSuggestions(state).filter((t) => t.confidence !== undefined && t.confidence >= threshold),
    underscores,
  );
}

/** Accepts every pending suggestion of one model (its id, without `model:`). */
export function acceptModel(
  state: ReviewState,
  model: string,
  underscores: MergeOptions['underscores'] = 'spaces',
): ReviewOutcome {
  return accept(
    state,
    pendingSuggestions(state).filter((t) => modelOf(t) === model),
    underscores,
  );
}

/** Rejects every suggestion still pending. */
export function rejectRest(state: ReviewState): ReviewOutcome {
  return reject(state, pendingSuggestions(state));
}

/**
 * Takes a held sentence into the caption: a blank caption becomes the sentence, otherwise it is
 * appended as the last part. Nothing changes when the caption already holds it.
 */
export function useSentence(state: ReviewState, sentence: string): ReviewOutcome {
  const text = sentence.trim();
  const unchanged: ReviewOutcome = { caption: state.caption, tags: [...state.tags], accepted: [], rejected: [] };
  if (text === '' || state.caption.includes(text)) return unchanged;
  return { ...unchanged, caption: appendParts(state.caption, [text]) };
}

/** Sentences of captioning models in the sidecar's annotations that the caption does not hold, one per model. */
export function heldSentences(annotations: readonly unknown[] | undefined, caption: string): HeldSentence[] {
  const held = new Map<string, string>();
  for (const entry of annotations ?? []) {
    if (typeof entry !== 'object' || entry === null) continue;
    const { model, result, error } = entry as { model?: unknown; result?: { caption?: unknown }; error?: unknown };
    const text = typeof result?.caption === 'string' ? result.caption.trim() : '';
    if (typeof model !== 'string' || error !== undefined || text === '' || caption.includes(text)) continue;
    held.set(model, text);
  }
  return [...held].map(([model, text]) => ({ model, text }));
}

function accept(
  state: ReviewState,
  chosen: readonly SidecarTag[],
  underscores: MergeOptions['underscores'],
): ReviewOutcome {
  const keys = new Set(chosen.map((t) => tagKey(t.name)));
  const tags = state.tags.map((t) =>
    t.status === 'suggested' && keys.has(tagKey(t.name)) ? { ...t, status: 'accepted' as const } : { ...t },
  );
  const parts = chosen.map((t) => captionSpelling(t.name, underscores));
  // In a caption of several lines, an accepted tag goes on every line with tags, as an added tag does.
  const severalLines = splitCaptionLines(state.caption).filter((line) => line.parts.length > 0).length > 1;
  const caption =
    parts.length === 0
      ? state.caption
      : severalLines
        ? editCaption(state.caption, { kind: 'addTags', tags: parts, position: 'end' })
        : appendParts(state.caption, parts);
  return { caption, tags, accepted: chosen.map((t) => t.name), rejected: [] };
}

function reject(state: ReviewState, chosen: readonly SidecarTag[]): ReviewOutcome {
  const keys = new Set(chosen.map((t) => tagKey(t.name)));
  const tags = state.tags.map((t) =>
    t.status === 'suggested' && keys.has(tagKey(t.name)) ? { ...t, status: 'rejected' as const } : { ...t },
  );
  return { caption: state.caption, tags, accepted: [], rejected: chosen.map((t) => t.name) };
}

/** The caption with `parts` added at the end, `, `-separated; what is written before them is kept as it is. */
function appendParts(caption: string, parts: readonly string[]): string {
  const ending = /\r?\n$/.exec(caption)?.[0] ?? '';
  const body = caption.slice(0, caption.length - ending.length);
  if (splitCaption(body).parts.length === 0) return `${parts.join(', ')}${ending || '\n'}`;
  // Only separators left dangling at the end (`solo, `) are dropped, so the new parts follow one `, `.
  return `${body.replace(/[\s,]+$/, '')}, ${parts.join(', ')}${ending}`;
}
