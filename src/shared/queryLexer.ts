/**
 * Splits search query text into tokens: the one lexer of the query language, used by the core's
 * parser and by the gallery for editing query text (completion, sort terms, adding tag terms).
 * Parentheses group only when they stand alone: a `(` that starts a token, or a `)` that starts a
 * token or closes no `(` of its own word. So `kiyohime_(fate)` is one word, and
 * `(a OR kiyohime_(fate))` is a group around two words. `OR` and `AND` in capitals are operators.
 */
import { QueryError } from './queryError.ts';

/** A `"..."` value written right after `field:` (`folder:"3_alice style"`). */
export interface QuotedValue {
  text: string;
  position: number;
}

/** One token with its span in the query text. */
export type Token =
  | { type: 'lparen' | 'rparen' | 'or' | 'and' | 'not'; position: number; length: number }
  | { type: 'word'; text: string; quoted: QuotedValue | null; position: number; length: number }
  | { type: 'phrase'; text: string; position: number; length: number };

/** How to tokenize: `tolerant` never throws (for text being typed): an unclosed quote runs to the end, a lone `-` is skipped. */
export interface TokenizeOptions {
  tolerant?: boolean;
}

/** `field:`, `field>=`...: the letters and operator that make a word a field (a `"` may follow). */
export const FIELD_PREFIX = /^[A-Za-z]+(?:>=|<=|!=|[:=<>])$/;

/** The start of a field term: its name and operator (`width>=1024`: `width`, `>=`). */
export const FIELD_START = /^([A-Za-z]+)(>=|<=|!=|[:=<>])/;

/** Tokenizes a query; throws QueryError for an unterminated quote or a `-` with nothing after it (unless tolerant). */
export function tokenize(query: string, options: TokenizeOptions = {}): Token[] {
  const tolerant = options.tolerant ?? false;
  const tokens: Token[] = [];
  let i = 0;
  while (i < query.length) {
    const c = query[i]!;
    if (isSpace(c)) {
      i++;
    } else if (c === '(' || c === ')') {
      tokens.push({ type: c === '(' ? 'lparen' : 'rparen', position: i, length: 1 });
      i++;
    } else if (c === '-') {
      if (i + 1 >= query.length || isSpace(query[i + 1]!)) {
        if (!tolerant) throw QueryError.at('Expected a search term after "-"', i, 1);
      } else {
        tokens.push({ type: 'not', position: i, length: 1 });
      }
      i++;
    } else if (c === '"') {
      const quoted = readQuoted(query, i, tolerant);
      tokens.push({ type: 'phrase', text: quoted.text, position: i, length: quoted.end - i });
      i = quoted.end;
    } else {
      const word = readWord(query, i, tolerant);
      tokens.push(word);
      i = word.position + word.length;
    }
  }
  return tokens;
}

function readWord(query: string, start: number, tolerant: boolean): Token {
  let i = start;
  let depth = 0;
  let quoted: QuotedValue | null = null;
  while (i < query.length) {
    const c = query[i]!;
    if (isSpace(c)) break;
    if (c === '\\' && i + 1 < query.length && !isSpace(query[i + 1]!)) {
      i += 2;
      continue;
    }
    if (c === '(') depth++;
    else if (c === ')') {
      if (depth === 0) break;
      depth--;
    } else if (c === '"' && FIELD_PREFIX.test(query.slice(start, i))) {
      const value = readQuoted(query, i, tolerant);
      quoted = { text: value.text, position: i };
      const text = query.slice(start, i);
      return { type: 'word', text, quoted, position: start, length: value.end - start };
    }
    i++;
  }
  const text = query.slice(start, i);
  if (text === 'OR') return { type: 'or', position: start, length: 2 };
  if (text === 'AND') return { type: 'and', position: start, length: 3 };
  return { type: 'word', text, quoted, position: start, length: i - start };
}

/** Reads `"..."` starting at the opening quote; `\"` and `\\` are escapes inside it. */
function readQuoted(query: string, open: number, tolerant: boolean): { text: string; end: number } {
  let text = '';
  let i = open + 1;
  while (i < query.length) {
    const c = query[i]!;
    if (c === '\\' && (query[i + 1] === '"' || query[i + 1] === '\\')) {
      text += query[i + 1];
      i += 2;
    } else if (c === '"') {
      const next = query[i + 1];
      if (!tolerant && next !== undefined && next !== ')' && !isSpace(next)) {
        throw QueryError.at('Expected a space after the closing quote', i + 1, 1);
      }
      return { text, end: i + 1 };
    } else {
      text += c;
      i++;
    }
  }
  if (tolerant) return { text, end: query.length };
  throw QueryError.at('Missing closing quote for "', open, 1);
}

function isSpace(c: string): boolean {
  return /\s/.test(c);
}
