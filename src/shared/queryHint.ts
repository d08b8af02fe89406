/** What a search says about a tag term that matches no image: the closest known tags. Pure: shared by the core and the webviews. */

/** A tag term of a query that no image has, where it is in the query, and the known tags closest to it (most used first). */
export interface UnmatchedTerm {
  /** The term as written in the query (`blo`, `-blo`, `blonde hair`). */
  term: string;
  /** 0-based offset and length of the term in the query text. */
  position: number;
  length: number;
  /** The tag the term is read as (its key: `blonde hair`). */
  key: string;
  suggestions: { tag: string; count: number }[];
}

/** `No images have "blo"; did you mean "blonde hair" (34)?`, naming up to three tags. */
export function unmatchedMessage(unmatched: UnmatchedTerm): string {
  const shown = unmatched.suggestions.slice(0, 3).map((s) => `"${s.tag}" (${s.count.toLocaleString('en-US')})`);
  let message = `No images have "${unmatched.term}"`;
  if (shown.length > 0) {
    const list = shown.length === 1 ? shown[0]! : `${shown.slice(0, -1).join(', ')} or ${shown[shown.length - 1]}`;
    message += `; did you mean ${list}?`;
  } else {
    message += '.';
  }
  if (unmatched.key === 'and') message += ' Write AND in capitals to join terms.';
  return message;
}
