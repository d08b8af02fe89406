/** Where a caret goes when the text around it is replaced from outside. */

// A caret before the changed span stays, one after it shifts with it, one inside it goes to its end.
/** The offset in `next` for a caret at `caret` in `previous`. */
export function mapCaret(previous: string, next: string, caret: number): number {
  let start = 0;
  const max = Math.min(previous.length, next.length);
  while (start < max && previous[start] === next[start]) start++;
  let end = 0;
  while (end < max - start && previous[previous.length - 1 - end] === next[next.length - 1 - end]) end++;
  if (caret <= start) return caret;
  if (caret >= previous.length - end) return Math.max(0, next.length - (previous.length - caret));
  return next.length - end;
}
