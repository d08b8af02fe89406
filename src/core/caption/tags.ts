/** Tags as they appear in captions: comma-separated, with `\(` `\)` escaping prompt parentheses. */

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
