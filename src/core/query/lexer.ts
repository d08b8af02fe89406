/**
 * Splits query text into tokens. Parentheses group only when they stand alone: a `(` that starts a
 * token, or a `)` that starts a token or closes no `(` of its own word. So `kiyohime_(fate)` is one
 * word, and `(a OR kiyohime_(fate))` is a group around two words.
 */
import { QueryError } from './queryError.ts';

/** A `"..."` value written right after `field:` (`folder:"3_alice style"`). */
export interface QuotedValue {
  text: string;
  position: number;
}

/** One token with its span in the query text. */
export type Token =
  | { type: 'lparen' | 'rparen' | 'or' | 'not'; position: number; length: number }
  | { type: 'word'; text: string; quoted: QuotedValue | null; position: number; length: number }
  | { type: 'phrase'; text: string; position: number; length: number };

const FIELD_PREFIX = /^[A-Za-z]+(?:>=|<=|!=|[:=<>])$/;

/** Tokenizes a query; throws QueryError for an unterminated quote or a `-` with nothing after it. */
export function tokenize(query: string): Token[] {
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
        throw QueryError.at('Expected a search term after "-"', i, 1);
      }
      tokens.push({ type: 'not', position: i, length: 1 });
      i++;
    } else if (c === '"') {
      const quoted = readQuoted(query, i);
      tokens.push({ type: 'phrase', text: quoted.text, position: i, length: quoted.end - i });
      i = quoted.end;
    } else {
      const word = readWord(query, i);
      tokens.push(word);
      i = word.position + word.length;
    }
  }
  return tokens;
}

function readWord(query: string, start: number): Token {
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
      const value = readQuoted(query, i);
      quoted = { text: value.text, position: i };
      const text = query.slice(start, i);
      return { type: 'word', text, quoted, position: start, length: value.end - start };
    }
    i++;
  }
  const text = query.slice(start, i);
  if (text === 'OR') return { type: 'or', position: start, length: 2 };
  return { type: 'word', text, quoted, position: start, length: i - start };
}

/** Reads `"..."` starting at the opening quote; `\"` and `\\` are escapes inside it. */
function readQuoted(query: string, open: number): { text: string; end: number } {
  let text = '';
  let i = open + 1;
  while (i < query.length) {
    const c = query[i]!;
    if (c === '\\' && (query[i + 1] === '"' || query[i + 1] === '\\')) {
      text += query[i + 1];
      i += 2;
    } else if (c === '"') {
      const next = query[i + 1];
      if (next !== undefined && next !== ')' && !isSpace(next)) {
        throw QueryError.at('Expected a space after the closing quote', i + 1, 1);
      }
      return { text, end: i + 1 };
    } else {
      text += c;
      i++;
    }
  }
  throw QueryError.at('Missing closing quote for "', open, 1);
}

function isSpace(c: string): boolean {
  return /\s/.test(c);
}
