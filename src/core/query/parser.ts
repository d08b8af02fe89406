/**
 * The search query language: tokens to AST. Terms side by side are ANDed (`AND` in capitals says so
 * explicitly), `OR` (upper case) joins alternatives, `-` negates a term or a group; NOT binds tighter
 * than AND, AND tighter than OR. A `sort:` term applies to the whole query and may appear once,
 * outside any group.
 *
 * Words typed as a tag is shown (`blonde hair` for the tag `blonde_hair`): given `knownTag`, a run of
 * plain tag words side by side (no operator, field, phrase, wildcard or group between them; the first
 * may be negated) is read left to right, each time taking the longest run of words whose keys joined
 * by spaces are a known tag key; a word that starts no such run stays a tag of its own. `AND`
 * between words keeps them apart (`blonde AND hair`).
 *
 * A word that starts with ASCII letters followed by `:` `=` `!=` `<` `<=` `>` `>=` is a field
 * (`width>=1024`), and an unknown field name is an error; any other word is a tag, so `:3`, `:d`,
 * `^_^` and `>_<` are tags. A backslash makes the next character literal: `re\:zero` is a tag, and
 * `\*` is a literal asterisk where `*` is a wildcard.
 */
import type { BoolNode, CompareOp, NumericField, QueryAst, QueryNode, SortSpec, Span } from './ast.ts';
import { SORT_KEYS, sortKeyOf } from '../../shared/sortKeys.ts';
import { FIELD_START as FIELD, tokenize } from '../../shared/queryLexer.ts';
import type { Token } from '../../shared/queryLexer.ts';
import { QueryError } from '../../shared/queryError.ts';
import { tagKey } from '../../shared/tags.ts';

/** The order of results when a query has no `sort:` term. */
export const DEFAULT_SORT: SortSpec = { key: 'name', descending: false };

/** Limits that keep a query within SQLite's expression depth and the parser's recursion. */
const MAX_TERMS = 500;
const MAX_NESTING = 64;

/** How to parse: `knownTag` tells whether a tag key (`blonde hair`) is one images have, for words typed with spaces. */
export interface ParseOptions {
  knownTag?: (key: string) => boolean;
}

/** Most words one tag may be typed as (`a b c d e f g h`). */
const MAX_RUN = 8;

interface ParserState {
  tokens: Token[];
  knownTag: ((key: string) => boolean) | null;
  next: number;
  /** Open parentheses around the current token. */
  depth: number;
  /** Open parentheses and negations around the current token. */
  nesting: number;
  terms: number;
  sort: SortSpec | null;
}

/** Parses query text; throws QueryError (with the position of the problem) when it is malformed. */
export function parseQuery(query: string, options: ParseOptions = {}): QueryAst {
  const state: ParserState = {
    tokens: tokenize(query),
    knownTag: options.knownTag ?? null,
    next: 0,
    depth: 0,
    nesting: 0,
    terms: 0,
    sort: null,
  };
  const filter = parseOr(state);
  const extra = state.tokens[state.next];
  if (extra) throw QueryError.at('Unmatched ")"', extra.position, extra.length);
  return { filter, sort: state.sort ?? DEFAULT_SORT };
}

function parseOr(state: ParserState): QueryNode | null {
  const first = parseAnd(state);
  const children: QueryNode[] = first ? [first] : [];
  while (state.tokens[state.next]?.type === 'or') {
    const or = state.tokens[state.next++]!;
    if (!first) throw QueryError.at('Expected a search term before "OR"', or.position, or.length);
    const right = parseAnd(state);
    if (!right) throw QueryError.at('Expected a search term after "OR"', or.position, or.length);
    children.push(right);
  }
  return combine('or', children);
}

function parseAnd(state: ParserState): QueryNode | null {
  const children: QueryNode[] = [];
  let operands = 0;
  let and: Token | null = null;
  for (let token = state.tokens[state.next]; token; token = state.tokens[state.next]) {
    if (token.type === 'or' || token.type === 'rparen') break;
    if (token.type === 'and') {
      if (and) throw QueryError.at('Expected a search term after "AND"', and.position, and.length);
      if (operands === 0) throw QueryError.at('Expected a search term before "AND"', token.position, token.length);
      and = token;
      state.next++;
      continue;
    }
    const run = wordRun(state);
    if (run) children.push(...run);
    else {
      const node = parseUnary(state);
      if (node) children.push(node);
    }
    operands++;
    and = null;
  }
  if (and) throw QueryError.at('Expected a search term after "AND"', and.position, and.length);
  return combine('and', children);
}

/** A plain tag word (no field, no wildcard) and its key, or null. */
function plainWord(token: Token | undefined): { token: Token; key: string } | null {
  if (token?.type !== 'word' || FIELD.test(token.text)) return null;
  const node = tagNode(token.text, { position: token.position, length: token.length });
  return node.type === 'tag' ? { token, key: node.key } : null;
}

/**
 * With `knownTag`: two or more plain tag words side by side from here (the first may be negated), read
 * as tags by the longest-known-run rule (see the top of this file); null (nothing read) otherwise.
 */
function wordRun(state: ParserState): QueryNode[] | null {
  if (!state.knownTag) return null;
  let at = state.next;
  const not = state.tokens[at]?.type === 'not' ? state.tokens[at]! : null;
  if (not) at++;
  const words: { token: Token; key: string }[] = [];
  for (let word = plainWord(state.tokens[at]); word; word = plainWord(state.tokens[++at])) words.push(word);
  if (words.length < 2) return null;
  if (not && state.nesting >= MAX_NESTING) {
    throw QueryError.at(`Too deeply nested (at most ${MAX_NESTING} levels of parentheses and "-")`, not.position, 1);
  }
  for (const { token } of words) {
    if (++state.terms > MAX_TERMS)
      throw QueryError.at(`Too many terms (at most ${MAX_TERMS})`, token.position, token.length);
  }
  state.next = at;
  const nodes: QueryNode[] = [];
  for (let i = 0; i < words.length;) {
    let end = i;
    for (let j = Math.min(words.length, i + MAX_RUN) - 1; j > i; j--) {
      if (
        state.knownTag(
          words
            .slice(i, j + 1)
            .map((w) => w.key)
            .join(' '),
        )
      ) {
        end = j;
        break;
      }
    }
    const key = words
      .slice(i, end + 1)
      .map((w) => w.key)
      .join(' ');
    const node: QueryNode = { type: 'tag', key, ...spanOf(words[i]!.token, words[end]!.token) };
    nodes.push(i === 0 && not ? { type: 'not', child: node, ...spanOf(not, node) } : node);
    i = end + 1;
  }
  return nodes;
}

/** One operand: a term, a group, or either negated. Null for a `sort:` term, which filters nothing. */
function parseUnary(state: ParserState, negated = false): QueryNode | null {
  const token = state.tokens[state.next++]!;
  if ((token.type === 'not' || token.type === 'lparen') && state.nesting >= MAX_NESTING) {
    throw QueryError.at(`Too deeply nested (at most ${MAX_NESTING} levels of parentheses and "-")`, token.position, 1);
  }
  if (token.type === 'not') {
    const operand = state.tokens[state.next];
    if (!operand || operand.type === 'or' || operand.type === 'and' || operand.type === 'rparen') {
      throw QueryError.at('Expected a search term after "-"', token.position, token.length);
    }
    state.nesting++;
    const child = parseUnary(state, !negated);
    state.nesting--;
    if (!child) return null;
    return { type: 'not', child, ...spanOf(token, child) };
  }
  if (token.type === 'lparen') {
    state.depth++;
    state.nesting++;
    const inner = parseOr(state);
    state.depth--;
    state.nesting--;
    const close = state.tokens[state.next];
    if (close?.type !== 'rparen') throw QueryError.at('Missing ")" for "("', token.position, 1);
    state.next++;
    if (!inner)
      throw QueryError.at('Expected a search term inside "( )"', token.position, close.position + 1 - token.position);
    return { ...inner, ...spanOf(token, close) };
  }
  if (token.type === 'word' || token.type === 'phrase') {
    if (++state.terms > MAX_TERMS)
      throw QueryError.at(`Too many terms (at most ${MAX_TERMS})`, token.position, token.length);
    const term = parseTerm(token);
    if (term.kind === 'filter') return term.node;
    if (state.depth > 0) throw QueryError.at('"sort:" cannot be inside parentheses', token.position, token.length);
    if (state.sort) throw QueryError.at('Only one "sort:" is allowed', token.position, token.length);
    state.sort = { key: term.sort.key, descending: term.sort.descending !== negated };
    return null;
  }
  throw QueryError.at(
    token.type === 'or' ? 'Unexpected "OR"' : token.type === 'and' ? 'Unexpected "AND"' : 'Unmatched ")"',
    token.position,
    token.length,
  );
}

function combine(type: BoolNode['type'], children: QueryNode[]): QueryNode | null {
  if (children.length <= 1) return children[0] ?? null;
  const flat = children.flatMap((child) => (child.type === type ? child.children : [child]));
  return { type, children: flat, ...spanOf(children[0]!, children[children.length - 1]!) };
}

function spanOf(first: Span, last: Span): Span {
  return { position: first.position, length: last.position + last.length - first.position };
}

/** What one word or phrase means: a filter, or the query's sort order. */
type Term = { kind: 'filter'; node: QueryNode } | { kind: 'sort'; sort: SortSpec };

/** A field's value as written: unescaped text and where it is. */
interface FieldValue {
  text: string;
  position: number;
  length: number;
}

const NUMERIC_FIELDS: readonly NumericField[] = ['width', 'height', 'pixels', 'aspect', 'tags'];
const SHAPES = ['portrait', 'landscape', 'square'] as const;
const WILDCARD = '\uE001';
const LITERAL_STAR = '\uE000';

function parseTerm(token: Extract<Token, { type: 'word' | 'phrase' }>): Term {
  const span: Span = { position: token.position, length: token.length };
  if (token.type === 'phrase') return filter(textNode(token.text, false, span, { ...span, text: token.text }));
  const match = FIELD.exec(token.text);
  if (!match) return filter(tagNode(token.text, span));
  const [prefix, name, written] = match as unknown as [string, string, string];
  const field = name.toLowerCase();
  const op: CompareOp = written === ':' ? '=' : (written as CompareOp);
  const rest = token.text.slice(prefix.length);
  const value: FieldValue = token.quoted
    ? {
        text: token.quoted.text,
        position: token.quoted.position,
        length: token.position + token.length - token.quoted.position,
      }
    : { text: rest.replace(/\\(.)/gsu, '$1'), position: token.position + prefix.length, length: rest.length };
  if ((NUMERIC_FIELDS as readonly string[]).includes(field)) {
    if (field === 'aspect' && op === '=') {
      const shape = SHAPES.find((s) => s === value.text.toLowerCase());
      if (shape) return filter({ type: 'shape', shape, ...span });
    }
    const number = parseNumber(value, prefix, field === 'aspect' ? ', portrait, landscape or square' : '');
    return filter({ type: 'compare', field: field as NumericField, op, value: number, ...span });
  }
  if (field === 'score') {
    const number = parseSignedNumber(value, prefix);
    return filter({ type: 'score', op, value: number, ...span });
  }
  if (!['caption', 'ext', 'folder', 'has', 'sort', 'model', 'suggested'].includes(field)) {
    throw QueryError.at(`Unknown field "${name}"`, token.position, name.length);
  }
  if (op !== '=') throw QueryError.at(`Expected ":" after "${name}"`, token.position + name.length, written.length);
  switch (field) {
    case 'caption': {
      const prefixSearch = !token.quoted && /(?<!\\)\*$/.test(rest);
      const text = prefixSearch ? rest.slice(0, -1).replace(/\\(.)/gsu, '$1') : value.text;
      return filter(textNode(text, prefixSearch, span, value, prefix));
    }
    case 'ext': {
      const ext = requireText(value, prefix, 'an extension').toLowerCase().replace(/^\./, '');
      return filter({ type: 'ext', ext: ext === 'jpeg' ? 'jpg' : ext === 'tif' ? 'tiff' : ext, ...span });
    }
    case 'folder': {
      const folder = requireText(value, prefix, 'a folder name');
      if (folder.includes('/'))
        throw QueryError.at('"folder:" takes one folder name, without "/"', value.position, value.length);
      return filter({ type: 'folder', name: folder.toLowerCase(), ...span });
    }
    case 'has': {
      const what = value.text.toLowerCase();
      if (what === 'suggestions') return filter({ type: 'suggested', key: null, ...span });
      if (what !== 'caption') {
        throw QueryError.at(
          `Unknown value "${value.text}" for "has:" (use has:caption or has:suggestions)`,
          value.position,
          value.length,
        );
      }
      return filter({ type: 'hasCaption', ...span });
    }
    case 'model':
      return filter({ type: 'model', name: requireText(value, prefix, 'a model name').toLowerCase(), ...span });
    case 'suggested': {
      const key = tagKey(requireText(value, prefix, 'a tag'));
      return filter({ type: 'suggested', key, ...span });
    }
    default: {
      const descending = value.text.startsWith('-');
      const key = sortKeyOf(value.text.slice(descending ? 1 : 0));
      if (!key) {
        throw QueryError.at(
          `Unknown sort key "${value.text}" (use ${SORT_KEYS.join(', ')})`,
          value.position,
          value.length,
        );
      }
      return { kind: 'sort', sort: { key, descending } };
    }
  }
}

function filter(node: QueryNode): Term {
  return { kind: 'filter', node };
}

function textNode(text: string, prefix: boolean, span: Span, value: FieldValue, field = ''): QueryNode {
  if (text.trim() === '') {
    const what = field ? `Expected a word or "phrase" after "${field}"` : 'Empty phrase';
    throw QueryError.at(what, value.position, value.length);
  }
  return { type: 'text', text, prefix, ...span };
}

/** A tag term: its key as tagKey makes it, split at the wildcards if it has any. */
function tagNode(raw: string, span: Span): QueryNode {
  let text = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    const next = raw[i + 1];
    if (c === '\\' && next !== undefined) {
      i++;
      if (next === '*') text += LITERAL_STAR;
      else if (':<>=!"-'.includes(next)) text += next;
      else text += c + next;
    } else {
      text += c === '*' ? WILDCARD : c;
    }
  }
  const key = tagKey(text);
  if (key === '') throw QueryError.at('Empty tag', span.position, span.length);
  if (!key.includes(WILDCARD)) return { type: 'tag', key: key.replaceAll(LITERAL_STAR, '*'), ...span };
  const parts = key.split(WILDCARD).map((part) => part.replaceAll(LITERAL_STAR, '*'));
  return { type: 'tagPattern', parts, ...span };
}

function parseNumber(value: FieldValue, prefix: string, alternatives: string): number {
  const match = /^(\d+(?:\.\d*)?|\.\d+)([km]?)$/i.exec(value.text);
  if (!match) throw QueryError.at(`Expected a number${alternatives} after "${prefix}"`, value.position, value.length);
  const scale = { '': 1, k: 1e3, m: 1e6 }[match[2]!.toLowerCase() as '' | 'k' | 'm'];
  return Number(match[1]) * scale;
}

/** A score bound: scores may be negative or fractional (`score>=5.5`, `score<-1`). */
function parseSignedNumber(value: FieldValue, prefix: string): number {
  if (!/^-?(\d+(?:\.\d*)?|\.\d+)$/.test(value.text))
    throw QueryError.at(`Expected a number after "${prefix}"`, value.position, value.length);
  return Number(value.text);
}

function requireText(value: FieldValue, prefix: string, what: string): string {
  if (value.text.trim() === '') throw QueryError.at(`Expected ${what} after "${prefix}"`, value.position, value.length);
  return value.text;
}
