/**
 * Tags as they appear in captions: separated by commas and line breaks (a tag at the end of a line is
 * a tag), with `\(` `\)` escaping prompt parentheses. Pure: shared by the core and the webviews.
 */

/** Splits caption text into its tags: the parts between commas and line breaks, trimmed, unescaped, empty ones dropped. */
export function parseTags(caption: string): string[] {
  const tags: string[] = [];
  for (const part of caption.split(/[,\n]/)) {
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

/** A caption as its parts (between commas and line breaks), each trimmed but otherwise as written, plus its final line break. */
export interface CaptionParts {
  parts: string[];
  ending: string;
}

/** Splits caption text into raw parts (escapes kept) of all its lines and its trailing line break. */
export function splitCaption(text: string): CaptionParts {
  const ending = /\r?\n$/.exec(text)?.[0] ?? '';
  const body = text.slice(0, text.length - ending.length);
  return {
    parts: body
      .split(/[,\n]/)
      .map((p) => p.trim())
      .filter((p) => p !== ''),
    ending,
  };
}

/** Joins raw parts back into one line of caption text, `, `-separated (rejoinCaption keeps a caption's lines). */
export function joinCaption({ parts, ending }: CaptionParts): string {
  return parts.join(', ') + ending;
}

/** One line of a caption: its text as written, its comma-separated parts, and its own line ending ('' on a last line without one). */
export interface CaptionLine {
  text: string;
  parts: string[];
  ending: '' | '\n' | '\r\n';
}

/** Splits caption text into lines, each with its own ending (LF or CRLF); joinCaptionLines gives the same text back. */
export function splitCaptionLines(text: string): CaptionLine[] {
  const lines: CaptionLine[] = [];
  let start = 0;
  while (start <= text.length) {
    const lf = text.indexOf('\n', start);
    const end = lf < 0 ? text.length : lf;
    const crlf = lf > start && text[lf - 1] === '\r';
    const line = text.slice(start, crlf ? end - 1 : end);
    lines.push({
      text: line,
      parts: line
        .split(',')
        .map((p) => p.trim())
        .filter((p) => p !== ''),
      ending: lf < 0 ? '' : crlf ? '\r\n' : '\n',
    });
    if (lf < 0) break;
    start = lf + 1;
    if (start === text.length) break;
  }
  return lines;
}

/** Joins lines back into caption text: a line whose parts are unchanged keeps its text as written, others are `, `-separated. */
export function joinCaptionLines(lines: readonly CaptionLine[]): string {
  return lines.map((line) => line.text + line.ending).join('');
}

/** A line with new parts: the same line when they are unchanged, else its parts `, `-separated with its own ending. */
export function withParts(line: CaptionLine, parts: readonly string[]): CaptionLine {
  if (parts.length === line.parts.length && parts.every((p, i) => p === line.parts[i])) return line;
  return { text: parts.join(', '), parts: [...parts], ending: line.ending };
}

/**
 * Lines after an edit (`next[i]` holds the new parts of `lines[i]`): a line that had parts and has
 * none left goes with its ending (the new last line taking the old last line's ending), unless no
 * line with parts would be left; lines that never had parts (blank lines) stay as they are.
 */
export function dropEmptiedLines(lines: readonly CaptionLine[], next: readonly CaptionLine[]): CaptionLine[] {
  const emptied = (i: number): boolean => lines[i]!.parts.length > 0 && next[i]!.parts.length === 0;
  const keepFirst = next.every((line, i) => line.parts.length === 0 || emptied(i))
    ? lines.findIndex((l) => l.parts.length > 0)
    : -1;
  const kept = next.filter((_, i) => !emptied(i) || i === keepFirst);
  const last = next[next.length - 1];
  if (kept.length > 0 && last && kept[kept.length - 1] !== last)
    kept[kept.length - 1] = { ...kept[kept.length - 1]!, ending: last.ending };
  return kept;
}

/**
 * The caption `original` with its parts replaced by `parts`, keeping its lines: a part that was in the
 * caption stays on its line, any other goes on the line of the part before it (the first line with
 * parts when it comes first); every line keeps its own ending, and untouched lines their exact text.
 */
export function rejoinCaption(original: string, parts: readonly string[]): string {
  const lines = splitCaptionLines(original);
  const home: { part: string; line: number }[] = lines.flatMap((line, i) =>
    line.parts.map((part) => ({ part, line: i })),
  );
  const used = new Set<number>();
  const firstLine = Math.max(
    0,
    lines.findIndex((l) => l.parts.length > 0),
  );
  const placed: string[][] = lines.map(() => []);
  let current = firstLine;
  for (const part of parts) {
    const found = home.findIndex((h, i) => !used.has(i) && h.part === part);
    if (found >= 0) {
      used.add(found);
      current = home[found]!.line;
    }
    placed[current]!.push(part);
  }
  const next = lines.map((line, i) => withParts(line, placed[i]!));
  return joinCaptionLines(dropEmptiedLines(lines, next));
}

/** Whether caption text has more than one line (a final line break alone does not count). */
export function hasSeveralLines(text: string | null | undefined): boolean {
  return !!text && text.replace(/\r?\n$/, '').includes('\n');
}
