/** Tags as they appear in captions: comma-separated, with `\(` `\)` escaping prompt parentheses. Pure: shared by the core and the webviews. */

/** Splits caption text into its tags: the comma-separated parts, trimmed, unescaped, empty ones dropped. */
export function parseTags(caption: string): string[] {
  const tags: string[] = [];
  for (const part of caption.split(',')) {
    const tag = unescapeTag(part.trim());
    if (tag !== '') tags.push(tag);
  }
  return tags;
}

/** `kiyohime \(fate\)` -> `kiyohime (fate)`. Other backslashes are kept as written. */
export function unescapeTag(text: string): string {
  return text.includes('\\') ? text.replace(/\\([()])/g, '$1') : text;
}

/** `kiyohime (fate)` -> `kiyohime \(fate\)`, the form prompt-based trainers expect. */
export function escapeTag(tag: string): string {
  return tag.replace(/(?<!\\)([()])/g, '\\$1');
}

/**
 * The key a tag is matched by: lower case, underscores as spaces, runs of spaces collapsed.
 * `Blue_Eyes` and `blue eyes` share the key `blue eyes`. Emoticons made only of symbols and
 * underscores (`^_^`, `>_<`) keep their underscores.
 */
export function tagKey(tag: string): string {
  const lower = unescapeTag(tag).toLowerCase().trim();
  if (!/[\p{L}\p{N}]/u.test(lower)) return lower;
  return lower.replace(/_/g, ' ').replace(/\s+/g, ' ');
}

/** A caption as its comma-separated parts, each trimmed but otherwise as written, plus its final line break. */
export interface CaptionParts {
  parts: string[];
  ending: string;
}

/** Splits caption text into raw parts (escapes kept) and its trailing line break. */
export function splitCaption(text: string): CaptionParts {
  const ending = /\r?\n$/.exec(text)?.[0] ?? '';
  const body = text.slice(0, text.length - ending.length);
  return { parts: body.split(',').map((p) => p.trim()).filter((p) => p !== ''), ending };
}

/** Joins raw parts back into caption text, `, `-separated. */
export function joinCaption({ parts, ending }: CaptionParts): string {
  return parts.join(', ') + ending;
}
