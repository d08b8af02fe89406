/**
 * Merging what a model said into an image's caption and its sidecar's tag provenance, by an explicit
 * strategy: `append` new tags, `replace` the tags models added before, or hold everything for
 * `review`. Hand-written tags are never removed or rewritten, a tag the user rejected is never added
 * again, and a hand-written caption is never replaced by a model's sentence (the sentence is held
 * for review instead). Pure: the caller reads and writes the files.
 */
import {
  escapeTag,
  hasSeveralLines,
  joinCaption,
  rejoinCaption,
  splitCaption,
  tagKey,
  unescapeTag,
} from '../../shared/tags.ts';
import type { SidecarTag } from '../sidecar/sidecar.ts';
import type { AnnotationResult } from './annotator.ts';

/** How results go into captions. */
export type MergeStrategy = 'append' | 'replace' | 'review';

/** A run's merge settings. */
export interface MergeOptions {
  strategy: MergeStrategy;
  /** Write tags with spaces (`long hair`, the default) or as the model spells them (`long_hair`). */
  underscores: 'spaces' | 'keep';
  /** Tags never added (matched by key). */
  exclude: string[];
}

/** The default merge settings: append, spaces, nothing excluded. */
export const DEFAULT_MERGE: MergeOptions = { strategy: 'append', underscores: 'spaces', exclude: [] };

/** Who last wrote the caption text as a whole (a model's sentence), so `replace` can tell it from a hand edit. */
export interface CaptionOrigin {
  source: string;
  text: string;
}

/** An image's state before the merge. */
export interface MergeInput {
  caption: string | null;
  tags: readonly SidecarTag[] | undefined;
  captionOrigin: CaptionOrigin | undefined;
}

/** The merge's outcome: the new state and what changed. */
export interface MergeOutcome {
  caption: string | null;
  tags: SidecarTag[];
  captionOrigin: CaptionOrigin | undefined;
  added: string[];
  removed: string[];
  suggested: string[];
  /** The model's sentence was not written because the caption is the user's (held for review). */
  captionHeld: boolean;
}

/** The spelling a model tag gets in a caption: spaces for underscores (emoticons kept), parentheses escaped. */
export function captionSpelling(tag: string, underscores: MergeOptions['underscores']): string {
  const spaced = underscores === 'spaces' && /[\p{L}\p{N}]/u.test(tag) ? tag.replace(/_/g, ' ') : tag;
  return escapeTag(spaced);
}

/** Merges one result into the caption and tag provenance. */
export function mergeAnnotation(input: MergeInput, result: AnnotationResult, options: MergeOptions): MergeOutcome {
  const source = `model:${result.model}`;
  const { parts, ending } = splitCaption(input.caption ?? '');
  const entries = new Map<string, SidecarTag>();
  for (const tag of input.tags ?? []) entries.set(tagKey(tag.name), { ...tag });
  const exclude = new Set(options.exclude.map(tagKey));
  const proposed = (result.tags ?? []).filter((t) => t.category !== 'rating' && !exclude.has(tagKey(t.name)));
  // Tags in the caption the sidecar does not know are the user's (only tag results track tags).
  if (proposed.length > 0) {
    for (const part of parts) {
      const key = tagKey(part);
      if (!entries.has(key)) entries.set(key, { name: unescapeTag(part), source: 'user' });
    }
  }
  const outcome: MergeOutcome = {
    caption: input.caption,
    tags: [],
    captionOrigin: input.captionOrigin,
    added: [],
    removed: [],
    suggested: [],
    captionHeld: false,
  };
  let nextParts = parts;
  const proposedKeys = new Set(proposed.map((t) => tagKey(t.name)));

  if (options.strategy === 'replace') {
    // Earlier model tags leave the caption unless this model proposes them again; hand tags stay.
    nextParts = parts.filter((part) => {
      const entry = entries.get(tagKey(part));
      const fromModel = entry !== undefined && entry.source.startsWith('model:') && entry.status !== 'rejected';
      if (fromModel && !proposedKeys.has(tagKey(part))) {
        outcome.removed.push(unescapeTag(part));
        entries.delete(tagKey(part));
        return false;
      }
      return true;
    });
  }
  // Suggestions this model made earlier and no longer makes are stale.
  for (const [key, entry] of entries) {
    if (entry.source === source && entry.status === 'suggested' && !proposedKeys.has(key)) entries.delete(key);
  }
  const inCaption = new Set(nextParts.map(tagKey));
  const added: string[] = [];
  for (const tag of proposed) {
    const key = tagKey(tag.name);
    const entry = entries.get(key);
    if (entry?.status === 'rejected') continue;
    if (inCaption.has(key)) {
      // Already there: a model's entry gets the new confidence; a hand tag stays the user's.
      if (entry && entry.source.startsWith('model:'))
        entries.set(key, { ...entry, source, confidence: round(tag.confidence), category: tag.category });
      continue;
    }
    const name = unescapeTag(captionSpelling(tag.name, options.underscores));
    if (options.strategy === 'review') {
      entries.set(key, {
        name,
        source,
        category: tag.category,
        confidence: round(tag.confidence),
        status: 'suggested',
      });
      outcome.suggested.push(name);
    } else {
      entries.set(key, { name, source, category: tag.category, confidence: round(tag.confidence), status: 'accepted' });
      added.push(captionSpelling(tag.name, options.underscores));
      inCaption.add(key);
      outcome.added.push(name);
    }
  }
  nextParts = [...nextParts, ...added];
  mergeSentence(result, options, input, outcome, nextParts, ending, entries);
  outcome.tags = orderEntries(entries, outcome.caption ?? '');
  return outcome;
}

/** Puts a captioning model's sentence into the caption where the strategy and the caption's origin allow. */
function mergeSentence(
  result: AnnotationResult,
  options: MergeOptions,
  input: MergeInput,
  outcome: MergeOutcome,
  parts: string[],
  ending: string,
  entries: Map<string, SidecarTag>,
): void {
  const sentence = result.caption?.trim();
  const tagsChanged =
    parts.length !== splitCaption(input.caption ?? '').parts.length ||
    outcome.added.length > 0 ||
    outcome.removed.length > 0;
  const withTags = (): string | null => {
    if (!tagsChanged) return input.caption;
    // A caption of several lines keeps its lines and their endings (new tags go on the last line with tags).
    if (hasSeveralLines(input.caption)) return rejoinCaption(input.caption!, parts);
    return joinCaption({ parts, ending: ending || (parts.length > 0 ? '\n' : '') });
  };
  if (!sentence) {
    outcome.caption = withTags();
    return;
  }
  const source = `model:${result.model}`;
  const current = input.caption ?? '';
  const blank = splitCaption(current).parts.length === 0;
  const modelWritten = input.captionOrigin !== undefined && input.captionOrigin.text === current;
  if (options.strategy === 'review') {
    outcome.caption = withTags();
    outcome.captionHeld = true;
    return;
  }
  if (blank || (options.strategy === 'replace' && modelWritten)) {
    // A blank caption gets the tags just added; a model-written one is rewritten from this result.
    const tagParts = modelWritten && !blank ? proposedParts(result, options, entries) : parts;
    const text = `${[...tagParts, sentence].join(', ')}${ending || '\n'}`;
    outcome.caption = text;
    outcome.captionOrigin = { source, text };
    return;
  }
  // A caption the user wrote: keep it, with any new tags, and hold the sentence for review.
  outcome.caption = withTags();
  outcome.captionHeld = true;
}

/** The result's tags as caption parts, without the ones the user rejected or excluded. */
function proposedParts(result: AnnotationResult, options: MergeOptions, entries: Map<string, SidecarTag>): string[] {
  const exclude = new Set(options.exclude.map(tagKey));
  return (result.tags ?? [])
    .filter(
      (t) =>
        t.category !== 'rating' && !exclude.has(tagKey(t.name)) && entries.get(tagKey(t.name))?.status !== 'rejected',
    )
    .map((t) => captionSpelling(t.name, options.underscores));
}

/** Entries in caption order first, then suggestions and rejections. */
function orderEntries(entries: Map<string, SidecarTag>, caption: string): SidecarTag[] {
  const ordered: SidecarTag[] = [];
  const seen = new Set<string>();
  for (const part of splitCaption(caption).parts) {
    const key = tagKey(part);
    const entry = entries.get(key);
    if (entry && !seen.has(key)) {
      seen.add(key);
      ordered.push(entry.status === 'suggested' ? { ...entry, status: 'accepted' } : entry);
    }
  }
  for (const [key, entry] of entries) {
    if (!seen.has(key) && (entry.status === 'suggested' || entry.status === 'rejected')) ordered.push(entry);
  }
  return ordered;
}

function round(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}
