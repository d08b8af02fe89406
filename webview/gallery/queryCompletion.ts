/**
 * Completion in the gallery's query box: what is being typed at the caret (found with the query
 * lexer), and what may complete it: tags with their counts (also a tag typed with spaces, `long h`
 * for `long hair`), field names (`width>=`, `has:`, `sort:`, `folder:`, `model:`...), the values of
 * fields (sort keys, `has:` and `aspect:` words, folders, extensions, models, suggested tags from the
 * index), and the operators `OR` and `AND`. A `-` before the word is kept.
 */
import type { TagSuggestion } from '../../src/protocol/galleryProtocol.ts';
import { FIELD_CHOICES, FIELD_HINTS, VALUE_FIELDS } from '../../src/shared/queryFields.ts';
import type { ValueField } from '../../src/shared/queryFields.ts';
import { FIELD_START as FIELD, tokenize } from '../../src/shared/queryLexer.ts';
import type { Token } from '../../src/shared/queryLexer.ts';
import { tagTerm } from './queryText.ts';
import { SORT_KEYS } from '../../src/shared/sortKeys.ts';

/** The word being typed: it spans `start`..`end` (after any `-`), `text` is the part before the caret. */
export interface CompletionContext {
  start: number;
  end: number;
  text: string;
  /** Words right before it, side by side with it (a tag may be typed with spaces): nearest last. */
  before: { text: string; start: number }[];
  /** True when an operator may come here (a term is before it). */
  afterTerm: boolean;
}

/** One completion: what the list shows, and the text that replaces the word from `start` to the word's end. */
export interface QueryCompletion {
  kind: 'tag' | 'field' | 'value' | 'operator';
  label: string;
  detail: string;
  insert: string;
  start: number;
  /** A field name: the list opens again for its values once it is in. */
  reopen: boolean;
}

/** Where completions come from: the index's tags and the values of fields. */
export interface CompletionSources {
  tags(prefix: string): Promise<TagSuggestion[]>;
  values(field: ValueField, prefix: string): Promise<{ value: string; count: number }[]>;
}

/** Most words before the caret tried as the start of a tag typed with spaces. */
const MAX_BEFORE = 3;

/** What is typed at `caret`, or null where nothing completes (inside a phrase or a quoted value). */
export function completionContext(query: string, caret: number): CompletionContext | null {
  const tokens = tokenize(query, { tolerant: true });
  const index = tokens.findIndex((t) => t.position < caret && caret <= t.position + t.length);
  const token = index >= 0 ? tokens[index]! : undefined;
  if (token && token.type !== 'word' && token.type !== 'or' && token.type !== 'and' && token.type !== 'not')
    return null;
  if (token?.type === 'word' && token.quoted) return null;
  const following = tokens.findIndex((t) => t.position >= caret);
  const previous = tokens.slice(0, index >= 0 ? index : following >= 0 ? following : tokens.length);
  if (!token || token.type === 'not') {
    return { start: caret, end: caret, text: '', before: [], afterTerm: !token && endsTerm(previous.at(-1)) };
  }
  const text = query.slice(token.position, caret);
  const negated = previous.at(-1)?.type === 'not';
  const before: CompletionContext['before'] = [];
  if (!negated) {
    for (let i = previous.length - 1; i >= 0 && before.length < MAX_BEFORE; i--) {
      const word = previous[i]!;
      if (word.type !== 'word' || FIELD.test(word.text) || word.text.includes('*')) break;
      before.unshift({ text: word.text, start: word.position });
      if (previous[i - 1]?.type === 'not') break;
    }
  }
  return {
    start: token.position,
    end: token.position + token.length,
    text,
    before,
    afterTerm: !negated && endsTerm(previous.at(-1)),
  };
}

/** Whether a term ends with this token (so an operator may follow). */
function endsTerm(token: Token | undefined): boolean {
  return token?.type === 'word' || token?.type === 'phrase' || token?.type === 'rparen';
}

/** The completions of what is typed, best first. */
export async function queryCompletions(
  context: CompletionContext,
  sources: CompletionSources,
): Promise<QueryCompletion[]> {
  const field = FIELD.exec(context.text);
  if (field)
    return valueCompletions(context, field[1]!.toLowerCase(), field[0], context.text.slice(field[0].length), sources);
  const lower = context.text.toLowerCase();
  const fields: QueryCompletion[] = FIELD_HINTS.filter((f) => f.text.startsWith(lower) && f.text !== lower).map(
    (f) => ({
      kind: 'field',
      label: f.text,
      detail: f.description,
      insert: f.text,
      start: context.start,
      reopen: true,
    }),
  );
  const operators: QueryCompletion[] =
    context.afterTerm && context.text !== ''
      ? ['OR', 'AND']
          .filter((op) => op.startsWith(context.text) && op !== context.text)
          .map((op) => ({
            kind: 'operator',
            label: op,
            detail: op === 'OR' ? 'either side' : 'both sides',
            insert: op,
            start: context.start,
            reopen: false,
          }))
      : [];
  const tags = await tagCompletions(context, sources);
  const fieldsFirst = lower.length >= 2 && fields.length > 0;
  return fieldsFirst ? [...fields, ...tags, ...operators] : [...tags, ...fields, ...operators];
}

/** Tags completing the word, or the longest run of words before it and the word (`long h` completes to `long_hair`). */
async function tagCompletions(context: CompletionContext, sources: CompletionSources): Promise<QueryCompletion[]> {
  for (let n = context.before.length; n >= 0; n--) {
    const words = context.before.slice(context.before.length - n);
    const prefix = [...words.map((w) => w.text), context.text].join(' ');
    if (n > 0 && prefix.trim() === '') continue;
    const found = await sources.tags(prefix);
    if (found.length === 0 && n > 0) continue;
    const start = words[0]?.start ?? context.start;
    return found.map((s) => ({
      kind: 'tag',
      label: s.alias !== undefined ? `${s.alias} → ${s.tag}` : s.tag,
      detail:
        s.count === 0 && s.postCount ? `${s.postCount.toLocaleString('en-US')} posts` : s.count.toLocaleString('en-US'),
      insert: tagTerm(s.tag),
      start,
      reopen: false,
    }));
  }
  return [];
}

async function valueCompletions(
  context: CompletionContext,
  field: string,
  written: string,
  typed: string,
  sources: CompletionSources,
): Promise<QueryCompletion[]> {
  const value = (text: string, detail: string): QueryCompletion => ({
    kind: 'value',
    label: text,
    detail,
    insert: `${written}${fieldValue(text)}`,
    start: context.start,
    reopen: false,
  });
  if (field === 'sort') {
    const descending = typed.startsWith('-') ? '-' : '';
    const key = typed.slice(descending.length).toLowerCase();
    return SORT_KEYS.filter((k) => k.startsWith(key) && k !== key).map((k) =>
      value(`${descending}${k}`, descending ? 'descending' : ''),
    );
  }
  const choices = FIELD_CHOICES[field];
  if (choices)
    return choices
      .filter((c) => c.startsWith(typed.toLowerCase()) && c !== typed.toLowerCase())
      .map((c) => value(c, ''));
  const valueField = VALUE_FIELDS.find((f) => f === field);
  if (!valueField) return [];
  const found = await sources.values(valueField, typed);
  return found
    .filter((v) => v.value !== typed)
    .map((v) => ({
      ...value(v.value, v.count.toLocaleString('en-US')),
      insert: `${written}${valueField === 'suggested' ? tagTerm(v.value) : fieldValue(v.value)}`,
    }));
}

/** A field value as query text: quoted when it holds a space, a quote or a backslash. */
function fieldValue(text: string): string {
  return /[\s"\\()]/.test(text) ? `"${text.replace(/["\\]/g, (c) => `\\${c}`)}"` : text;
}

/**
 * `query` with a completion in place of the word it completes (up to the word's `end`), and where the
 * caret goes: after it, and after a space added when it is a whole term and nothing follows.
 */
export function applyCompletion(
  query: string,
  completion: QueryCompletion,
  end: number,
): { query: string; caret: number } {
  const rest = query.slice(end);
  const space = !completion.reopen && !/^\s/.test(rest) ? ' ' : '';
  const text = completion.insert + space;
  return { query: query.slice(0, completion.start) + text + rest, caret: completion.start + text.length };
}
