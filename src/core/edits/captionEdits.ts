/**
 * Caption edits as a batch applies them: each works on the caption's comma-separated parts, keeping
 * every untouched part exactly as written (escapes, case, spacing inside it) and the final newline.
 * Tags are matched by key (case, `_` vs space, `\(` escapes do not matter).
 */
import { joinCaption, splitCaption, tagKey } from '../../shared/tags.ts';

/** A caption edit. */
export type CaptionEdit =
  | { kind: 'addTags'; tags: string[]; position: 'start' | 'end' }
  | { kind: 'removeTags'; tags: string[] }
  | { kind: 'replaceTag'; find: string; replace: string; regex: boolean }
  | { kind: 'setPrefix'; prefix: string };

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
        const pattern = compileRegex(edit.find);
        for (const part of parts) {
          const replaced = part.replace(pattern, edit.replace).trim();
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
  }
}

/** Compiles a user's regular expression for replaceTag, with a clear error when it is invalid. */
export function compileRegex(source: string): RegExp {
  try {
    return new RegExp(source, 'gu');
  } catch (err) {
    throw new SyntaxError(`Invalid regular expression /${source}/: ${(err as Error).message.replace(/^Invalid regular expression: /, '')}`, { cause: err });
  }
}
