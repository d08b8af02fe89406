/**
 * Caption edits as a batch applies them: each works on the caption's comma-separated parts, keeping
 * every untouched part exactly as written (escapes, case, spacing inside it). A caption of several
 * lines is edited line by line, each line as a caption of its own (sd-scripts reads the first line,
 * or one at random with enable_wildcard; OneTrainer one at random), and every line keeps its own
 * line ending (LF or CRLF) and, when untouched, its exact text. Tags are matched by key (case, `_` vs
 * space, `\(` escapes do not matter).
 */
import { dropEmptiedLines, joinCaptionLines, splitCaptionLines, tagKey, withParts } from '../../shared/tags.ts';
import type { AddTagsAction, RemoveTagsAction, ReplaceTagAction, SetPrefixAction } from '../../shared/batchAction.ts';
import { applyTagRules, normalizeTags } from '../tags/tagHygiene.ts';
import type { NormalizeOptions } from '../tags/tagHygiene.ts';
import { compileTagRules } from '../tags/tagRules.ts';
import type { TagRules } from '../tags/tagRules.ts';
import { BoundedRegex } from './safeRegex.ts';

/** A caption edit: one of the gallery's (src/shared/batchAction.ts), or a normalization or tag rules the host plans. */
export type CaptionEdit =
  | AddTagsAction
  | RemoveTagsAction
  | ReplaceTagAction
  | SetPrefixAction
  | { kind: 'normalize'; options: NormalizeOptions }
  /** Rules from a rules file or tag database; `frequencies` (tag key -> images) is for `sort: frequency`. */
  | { kind: 'applyRules'; rules: TagRules; frequencies?: Record<string, number> };

/**
 * Applies an edit to caption text (null: no caption yet), line by line; returns the new text, or the
 * same string when nothing changes. Lines without tags (blank lines) are left alone, except in a caption
 * with no tags at all, whose first line takes what an edit adds. A line the edit leaves without tags goes.
 */
export function editCaption(caption: string | null, edit: CaptionEdit): string {
  const text = caption ?? '';
  const lines = splitCaptionLines(text);
  const tagged = lines.some((line) => line.parts.length > 0);
  let changed = false;
  const next = lines.map((line, i) => {
    if (line.parts.length === 0 && (tagged || i > 0)) return line;
    const parts = editParts(line.parts, edit);
    if (parts === line.parts) return line;
    changed = true;
    return withParts(line, parts);
  });
  return changed ? joinCaptionLines(dropEmptiedLines(lines, next)) : text;
}

/** The edited parts, or the same array when nothing changes. */
function editParts(parts: string[], edit: CaptionEdit): string[] {
  const keys = parts.map(tagKey);
  switch (edit.kind) {
    case 'addTags': {
      const seen = new Set(keys);
      const added: string[] = [];
      for (const tag of edit.tags.map((t) => t.trim()).filter(Boolean)) {
        const key = tagKey(tag);
        if (!seen.has(key)) {
          seen.add(key);
          added.push(tag);
        }
      }
      if (added.length === 0) return parts;
      return edit.position === 'start' ? [...added, ...parts] : [...parts, ...added];
    }
    case 'removeTags': {
      const remove = new Set(edit.tags.map(tagKey));
      const kept = parts.filter((_, i) => !remove.has(keys[i]!));
      return kept.length === parts.length ? parts : kept;
    }
    case 'replaceTag': {
      let changed = false;
      const out: string[] = [];
      const seen = new Set<string>();
      if (edit.regex) {
        const replacedParts = compileRegex(edit.find).replaceEach(parts, edit.replace);
        for (const [i, part] of parts.entries()) {
          const replaced = replacedParts[i]!.trim();
          if (replaced !== part) changed = true;
          const key = tagKey(replaced);
          if (replaced === '' || seen.has(key)) {
            changed = true;
            continue;
          }
          seen.add(key);
          out.push(replaced);
        }
      } else {
        const findKey = tagKey(edit.find);
        const replacement = edit.replace.trim();
        for (let i = 0; i < parts.length; i++) {
          const value = keys[i] === findKey ? replacement : parts[i]!;
          if (value !== parts[i]) changed = true;
          const key = tagKey(value);
          if (value === '' || seen.has(key)) {
            changed = true;
            continue;
          }
          seen.add(key);
          out.push(value);
        }
      }
      return changed ? out : parts;
    }
    case 'setPrefix': {
      const prefix = edit.prefix.trim();
      if (prefix === '') return parts;
      const key = tagKey(prefix);
      if (keys[0] === key && parts[0] === prefix && !keys.slice(1).includes(key)) return parts;
      return [prefix, ...parts.filter((_, i) => keys[i] !== key)];
    }
    case 'normalize':
      return sameParts(parts, normalizeTags(parts, edit.options));
    case 'applyRules':
      return sameParts(parts, applyTagRules(parts, compileTagRules(edit.rules), frequencyMap(edit.frequencies)));
  }
}

/** `next`, or `parts` itself when they hold the same strings in the same order. */
function sameParts(parts: string[], next: string[]): string[] {
  return next.length === parts.length && next.every((p, i) => p === parts[i]) ? parts : next;
}

const frequencyMaps = new WeakMap<Record<string, number>, Map<string, number>>();

/** A batch's frequencies as a map, made once per batch rather than once per caption. */
function frequencyMap(frequencies: Record<string, number> | undefined): Map<string, number> | undefined {
  if (!frequencies) return undefined;
  let map = frequencyMaps.get(frequencies);
  if (!map) {
    map = new Map(Object.entries(frequencies));
    frequencyMaps.set(frequencies, map);
  }
  return map;
}

/** Compiles a user's regular expression for replaceTag (bounded in time), with a clear error when it is invalid. */
export function compileRegex(source: string): BoundedRegex {
  try {
    return new BoundedRegex(source, 'gu');
  } catch (err) {
    throw new SyntaxError(
      `Invalid regular expression /${source}/: ${(err as Error).message.replace(/^Invalid regular expression: (?:\/.*\/[a-z]*: )?/, '')}`,
      { cause: err },
    );
  }
}
