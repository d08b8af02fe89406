/**
 * Caption edits as a batch applies them: each works on the caption's comma-separated parts, keeping
 * every untouched part exactly as written (escapes, case, spacing inside it) and the final newline.
 * Tags are matched by key (case, `_` vs space, `\(` escapes do not matter).
 */
import { joinCaption, splitCaption, tagKey } from '../../shared/tags.ts';
import { applyTagRules, normalizeTags } from '../tags/tagHygiene.ts';
import type { NormalizeOptions } from '../tags/tagHygiene.ts';
import { compileTagRules } from '../tags/tagRules.ts';
import type { TagRules } from '../tags/tagRules.ts';
import { BoundedRegex } from './safeRegex.ts';

/** A caption edit. */
export type CaptionEdit =
  | { kind: 'addTags'; tags: string[]; position: 'start' | 'end' }
  | { kind: 'removeTags'; tags: string[] }
  | { kind: 'replaceTag'; find: string; replace: string; regex: boolean }
  | { kind: 'setPrefix'; prefix: string }
  | { kind: 'normalize'; options: NormalizeOptions }
  /** Rules from a rules file or tag database; `frequencies` (tag key -> images) is for `sort: frequency`. */
  | { kind: 'applyRules'; rules: TagRules; frequencies?: Record<string, number> };

/** Applies an edit to caption text (null: no caption yet); returns the new text, or the same string when nothing changes. */
export function editCaption(caption: string | null, edit: CaptionEdit): string {
  const text = caption ?? '';
  const { parts, ending } = splitCaption(text);
  const next = editParts(parts, edit);
  return next === parts ? text : joinCaption({ parts: next, ending });
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
    throw new SyntaxError(`Invalid regular expression /${source}/: ${(err as Error).message.replace(/^Invalid regular expression: (?:\/.*\/[a-z]*: )?/, '')}`, { cause: err });
  }
}
