/**
 * What the chips do to a caption's raw parts (see splitCaption): each edit returns new parts and
 * keeps every other part exactly as written. Tags are matched by tagKey, shown with unescapeTag.
 */
import { escapeTag, tagKey, unescapeTag } from '../../src/shared/tags.ts';
import { typedTags } from '../shared/typedTags.ts';

/** New parts, and the indexes of existing parts that an added tag already matched. */
export interface TagEditResult {
  parts: string[];
  duplicates: number[];
}

/** The index of the part whose key matches `tag`, or -1. */
export function findTag(parts: readonly string[], tag: string): number {
  const key = tagKey(tag);
  return parts.findIndex((part) => tagKey(part) === key);
}

const escapedParen = /\\[()]/;
const bareParen = /(?<!\\)[()]/;

// A tag keeps its own escapes; otherwise its parentheses are bare when the caption writes them bare,
// and escaped when it escapes them or has none (the form prompt-based trainers expect).
/** The raw form a tag typed or picked in display form (`kiyohime (fate)`) takes in this caption. */
export function rawTagFor(parts: readonly string[], tag: string): string {
  if (escapedParen.test(tag) || !/[()]/.test(tag)) return tag;
  const bare = parts.some((p) => bareParen.test(p));
  const escaped = parts.some((p) => escapedParen.test(p));
  return bare && !escaped ? tag : escapeTag(tag);
}

/** Adds tags at the end, skipping those already present (reported as duplicates) or repeated. */
export function addTags(parts: readonly string[], tags: readonly string[]): TagEditResult {
  const next = [...parts];
  const duplicates: number[] = [];
  for (const tag of tags) {
    const at = findTag(next, tag);
    if (at >= 0) {
      if (at < parts.length && !duplicates.includes(at)) duplicates.push(at);
      continue;
    }
    next.push(rawTagFor(parts, tag));
  }
  return { parts: next, duplicates };
}

/** Removes the part at `index`. */
export function removeTag(parts: readonly string[], index: number): string[] {
  return parts.filter((_, i) => i !== index);
}

/** Moves the part at `from` so that it ends up at index `to`. */
export function moveTag(parts: readonly string[], from: number, to: number): string[] {
  const next = [...parts];
  const [moved] = next.splice(from, 1);
  if (moved === undefined) return next;
  next.splice(Math.max(0, Math.min(to, next.length)), 0, moved);
  return next;
}

/** The final index of a part dropped before (or after) the part at `target`. */
export function dropIndex(from: number, target: number, after: boolean): number {
  const insertAt = after ? target + 1 : target;
  return from < insertAt ? insertAt - 1 : insertAt;
}

// A tag whose display is unchanged keeps the raw part; new text is escaped the way the old part was.
// Tags other parts already have are left out and reported (as indexes in the new parts).
/** Replaces the part at `index` with the tags of `text` (display form, split at commas; empty removes it). */
export function replaceTag(parts: readonly string[], index: number, text: string): TagEditResult {
  const original = parts[index];
  if (original === undefined) return { parts: [...parts], duplicates: [] };
  const others = parts.filter((_, i) => i !== index);
  const replacement: string[] = [];
  const duplicates: number[] = [];
  for (const tag of typedTags(text)) {
    if (tag === unescapeTag(original) || tag === original) {
      if (findTag(replacement, tag) < 0) replacement.push(original);
      continue;
    }
    const existing = findTag(parts, tag);
    if (existing >= 0 && existing !== index) {
      if (!duplicates.includes(existing)) duplicates.push(existing);
      continue;
    }
    if (findTag(replacement, tag) >= 0) continue;
    replacement.push(rawForEdit(original, others, tag));
  }
  const shift = replacement.length - 1;
  return {
    parts: [...parts.slice(0, index), ...replacement, ...parts.slice(index + 1)],
    duplicates: duplicates.map((d) => (d > index ? d + shift : d)),
  };
}

/** The raw form of an edited tag: escaped like the part it replaces, else like the caption. */
function rawForEdit(original: string, others: readonly string[], tag: string): string {
  if (escapedParen.test(tag) || !/[()]/.test(tag)) return tag;
  if (escapedParen.test(original)) return escapeTag(tag);
  if (bareParen.test(original)) return tag;
  return rawTagFor(others, tag);
}
