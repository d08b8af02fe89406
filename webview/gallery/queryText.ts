/**
 * Edits of query text that the gallery makes for the user: terms for tags, adding a term, and
 * reading or rewriting the `sort:` term. Words are found by the query language's own lexer (in its
 * tolerant mode, as the text may be half typed); the host still parses every query.
 */
import { sortKeyOf } from '../../src/shared/sortKeys.ts';
import type { SortKey } from '../../src/shared/sortKeys.ts';
import { FIELD_START, tokenize } from '../../src/shared/queryLexer.ts';

/** The order a query asks for. */
export interface SortOrder {
  key: SortKey;
  descending: boolean;
}

/** A word of query text (leading `-` included) with its span and how many groups it is inside. */
export interface QueryWord {
  text: string;
  start: number;
  end: number;
  depth: number;
}

const SORT_TERM = /^(-?)sort:(-?)([A-Za-z]+)$/i;

/** The query term that matches exactly `tag`: spaces as `_`, and escapes where the tag would read as syntax. */
export function tagTerm(tag: string): string {
  const text = tag.trim();
  if (text === 'OR' || text === 'AND') return text.toLowerCase();
  const field = FIELD_START.exec(text);
  let out = '';
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      if (!/\s/.test(text[i - 1] ?? '')) out += '_';
      continue;
    }
    if (i === 0 && (c === '-' || c === '"' || c === '(')) out += '\\';
    else if (field && i === field[1]!.length) out += '\\';
    else if (c === '*') out += '\\';
    if (c === '(' && i > 0) depth++;
    else if (c === ')') {
      if (depth === 0) out += '\\';
      else depth--;
    }
    out += c;
  }
  return out;
}

/**
 * `query` with `term` added (ANDed). A term already there is kept once, and its opposite (`smile`
 * for `-smile`) is replaced. A query with a top-level `OR` is put in parentheses first so the new
 * term applies to all of it.
 */
export function addTerm(query: string, term: string): string {
  const words = queryWords(query).filter((w) => w.depth === 0);
  const lower = term.toLowerCase();
  const opposite = lower.startsWith('-') ? lower.slice(1) : `-${lower}`;
  if (words.some((w) => w.text.toLowerCase() === lower)) return query;
  const clash = words.find((w) => w.text.toLowerCase() === opposite);
  if (clash) return query.slice(0, clash.start) + term + query.slice(clash.end);
  if (!words.some((w) => w.text === 'OR')) return joinTerms(query.trim(), term);
  const sorts = words.filter((w) => SORT_TERM.test(w.text));
  const rest = removeWords(query, sorts).trim();
  const group = rest.endsWith('\\') ? `(${rest} )` : `(${rest})`;
  return [group, term, ...sorts.map((w) => w.text)].join(' ');
}

/** The order `query` asks for with its `sort:` term (name, ascending without one). */
export function sortOf(query: string): SortOrder {
  for (const word of queryWords(query)) {
    if (word.depth !== 0) continue;
    const match = SORT_TERM.exec(word.text);
    const key = match ? sortKeyOf(match[3]!) : undefined;
    if (match && key) return { key, descending: (match[1] === '-') !== (match[2] === '-') };
  }
  return { key: 'name', descending: false };
}

/** `query` with its `sort:` term rewritten for `order` (and left out for the default, name ascending). */
export function withSort(query: string, order: SortOrder): string {
  const sorts = queryWords(query).filter((w) => w.depth === 0 && SORT_TERM.test(w.text));
  const rest = removeWords(query, sorts).trim();
  if (order.key === 'name' && !order.descending) return rest;
  return joinTerms(rest, `sort:${order.descending ? '-' : ''}${order.key}`);
}

function joinTerms(query: string, term: string): string {
  if (query === '') return term;
  return query.endsWith('\\') ? `${query}  ${term}` : `${query} ${term}`;
}

/** `query` without `words` (and the space before each). */
function removeWords(query: string, words: QueryWord[]): string {
  let out = query;
  for (const word of [...words].sort((a, b) => b.start - a.start)) {
    let start = word.start;
    while (start > 0 && /\s/.test(out[start - 1]!)) start--;
    out = out.slice(0, start) + (start === 0 ? out.slice(word.end).trimStart() : out.slice(word.end));
  }
  return out;
}

/** The words and phrases of `query` in order (operators included), as the query lexer splits them; `-` right before one is part of it. */
export function queryWords(query: string): QueryWord[] {
  const words: QueryWord[] = [];
  let depth = 0;
  let negation: number | null = null;
  for (const token of tokenize(query, { tolerant: true })) {
    if (token.type === 'not') {
      negation ??= token.position;
      continue;
    }
    if (token.type === 'lparen') depth++;
    else if (token.type === 'rparen') depth = Math.max(0, depth - 1);
    else {
      const start = negation ?? token.position;
      const end = token.position + token.length;
      words.push({ text: query.slice(start, end), start, end, depth });
    }
    negation = null;
  }
  return words;
}
