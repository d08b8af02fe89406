/**
 * Tag hygiene on one caption's tag list: pure functions over the caption's parts as written
 * (`kiyohime \(fate\)` keeps its escapes until told otherwise). Tags are matched by tagKey, so case,
 * `_` vs space and escapes never make two tags different. Each function returns a new array.
 */
import { escapeTag, tagKey, unescapeTag } from '../../shared/tags.ts';
import type { TagCategory } from '../../shared/tagCategory.ts';
import type { CompiledTagRules } from './tagRules.ts';

/** How `normalize` rewrites each tag. */
export interface NormalizeOptions {
  /** `space`: `blue_eyes` -> `blue eyes`; `underscore`: the reverse; `keep`: as written. Emoticons such as `^_^` and `o_o` keep theirs. */
  separator: 'space' | 'underscore' | 'keep';
  /** Lower-case every tag except those listed in `keepCase`. */
  lowercase: boolean;
  /** true: `\(` `\)` as prompt-based trainers expect; false: bare parentheses; null: as written. */
  escapeParentheses: boolean | null;
  /** Tags whose case is kept as written (matched by key), e.g. `OK` or a trigger word. */
  keepCase?: readonly string[];
}

/** The normalization a caption gets unless told otherwise: spaces, lower case, escapes as written. */
export const DEFAULT_NORMALIZE: Readonly<NormalizeOptions> = Object.freeze({
  separator: 'space',
  lowercase: true,
  escapeParentheses: null,
});

/** How tags are ordered after the trigger word. */
export type TagSortOrder = 'none' | 'frequency' | 'category' | 'alpha';

/** Every sort order, for validation. */
export const TAG_SORT_ORDERS: readonly TagSortOrder[] = ['none', 'frequency', 'category', 'alpha'];

/** How tags a rule adds (alias targets, implied parents) are written, to match the caption around them. */
export interface TagStyle {
  separator: 'space' | 'underscore' | 'keep';
  escapeParentheses: boolean | null;
}

/** What sorting needs besides the tags: dataset frequencies and categories, both keyed by tagKey. */
export interface SortContext {
  frequencies?: ReadonlyMap<string, number>;
  categories?: ReadonlyMap<string, TagCategory>;
}

/** Category order for `sort: category`: who and what first, then the rest, tags of no known category last. */
export const CATEGORY_ORDER: readonly TagCategory[] = [
  'character',
  'copyright',
  'artist',
  'general',
  'meta',
  'rating',
  'other',
];

/** Whether a tag is an emoticon whose underscores belong to it: only symbols (`^_^`, `>_<`), or one character each side (`o_o`, `x_x`). */
export function isEmoticon(tag: string): boolean {
  const text = unescapeTag(tag).trim();
  return !/[\p{L}\p{N}]/u.test(text) || /^[^\s_]_[^\s_]$/u.test(text);
}

/** One tag normalized: spacing collapsed, separator style, case, escapes. */
export function normalizeTag(tag: string, options: NormalizeOptions, keepCase?: ReadonlySet<string>): string {
  let text = tag.trim().replace(/\s+/g, ' ');
  if (!isEmoticon(text)) {
    if (options.separator === 'space') text = text.replace(/_+/g, ' ').replace(/ +/g, ' ').trim();
    else if (options.separator === 'underscore') text = text.replace(/ /g, '_');
  }
  if (options.lowercase && !(keepCase ?? keepCaseSet(options)).has(tagKey(text))) text = text.toLowerCase();
  return styleEscapes(text, options.escapeParentheses);
}

/** Every tag normalized, then duplicates (by key) dropped, first kept. */
export function normalizeTags(tags: readonly string[], options: NormalizeOptions): string[] {
  const keepCase = keepCaseSet(options);
  return dedupeTags(tags.map((t) => normalizeTag(t, options, keepCase)).filter((t) => t !== ''));
}

/** The tags without repeats by key, each first occurrence kept as written. */
export function dedupeTags(tags: readonly string[]): string[] {
  const seen = new Set<string>();
  return tags.filter((tag) => {
    const key = tagKey(tag);
    if (key === '' || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The tags except those a blacklist entry matches (by key; `*` in an entry matches any run of characters). */
export function removeBlacklisted(tags: readonly string[], blacklist: readonly string[]): string[] {
  if (blacklist.length === 0) return [...tags];
  const matches = blacklistMatcher(blacklist);
  return tags.filter((t) => !matches(tagKey(t)));
}

/** A predicate on tag keys for blacklist entries: exact keys in a set, `*` patterns as one regular expression. */
export function blacklistMatcher(blacklist: readonly string[]): (key: string) => boolean {
  const exact = new Set<string>();
  const patterns: string[] = [];
  for (const entry of blacklist) {
    if (entry.includes('*'))
      patterns.push(
        entry
          .split('*')
          .map((p) => tagKey(p).replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
          .join('.*'),
      );
    else exact.add(tagKey(entry));
  }
  const regex = patterns.length ? new RegExp(`^(?:${patterns.join('|')})$`, 'u') : undefined;
  return (key) => exact.has(key) || (regex !== undefined && regex.test(key));
}

/** Tags with aliases replaced by their targets (written in `style`); untouched tags stay as written. */
export function applyAliases(tags: readonly string[], aliases: ReadonlyMap<string, string>, style: TagStyle): string[] {
  return tags.map((tag) => {
    const target = aliases.get(tagKey(tag));
    if (target === undefined) return tag;
    return target === tag ? tag : formatTag(target, style);
  });
}

/** Tags followed by every tag they imply that is not there yet (nor refused by `refuse`), in `style`. */
export function addImplied(
  tags: readonly string[],
  implications: ReadonlyMap<string, readonly string[]>,
  style: TagStyle,
  refuse: (key: string) => boolean = () => false,
): string[] {
  const present = new Set(tags.map(tagKey));
  const out = [...tags];
  for (const tag of tags) {
    for (const parent of implications.get(tagKey(tag)) ?? []) {
      const key = tagKey(parent);
      if (present.has(key) || refuse(key)) continue;
      present.add(key);
      out.push(formatTag(parent, style));
    }
  }
  return out;
}

/** The trigger word first, as written, once; other spellings of it dropped. */
export function putTriggerFirst(tags: readonly string[], trigger: string | null | undefined): string[] {
  const word = trigger?.trim();
  if (!word) return [...tags];
  const key = tagKey(word);
  return [word, ...tags.filter((t) => tagKey(t) !== key)];
}

/** Tags sorted (stably) by dataset frequency, category or alphabet; a leading trigger word stays first. */
export function sortTags(
  tags: readonly string[],
  order: TagSortOrder,
  context: SortContext = {},
  trigger?: string | null,
): string[] {
  if (order === 'none' || tags.length < 2) return [...tags];
  const triggerKey = trigger?.trim() ? tagKey(trigger) : undefined;
  const head = triggerKey !== undefined && tagKey(tags[0]!) === triggerKey ? [tags[0]!] : [];
  const rest = tags.slice(head.length).map((tag, index) => ({ tag, index, key: tagKey(tag) }));
  const rank = (key: string): number => {
    const category = context.categories?.get(key);
    return category === undefined ? CATEGORY_ORDER.length : CATEGORY_ORDER.indexOf(category);
  };
  rest.sort((a, b) => {
    let by = 0;
    if (order === 'frequency') by = (context.frequencies?.get(b.key) ?? 0) - (context.frequencies?.get(a.key) ?? 0);
    else if (order === 'category') by = rank(a.key) - rank(b.key);
    else if (order === 'alpha') by = a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
    return by || a.index - b.index;
  });
  return [...head, ...rest.map((r) => r.tag)];
}

/** The separator and escape style a caption already uses, so tags added to it look like their neighbours. */
export function inferStyle(tags: readonly string[]): TagStyle {
  let underscores = 0;
  let spaces = 0;
  let escaped = 0;
  let bare = 0;
  for (const tag of tags) {
    if (!isEmoticon(tag)) {
      if (/[^\s_]_[^\s_]/u.test(tag)) underscores++;
      if (tag.trim().includes(' ')) spaces++;
    }
    if (/\\[()]/.test(tag)) escaped++;
    if (/(?<!\\)[()]/.test(tag) && !isEmoticon(tag)) bare++;
  }
  return {
    separator: underscores > 0 && spaces === 0 ? 'underscore' : spaces > 0 && underscores === 0 ? 'space' : 'keep',
    escapeParentheses: escaped > 0 && bare === 0 ? true : bare > 0 && escaped === 0 ? false : null,
  };
}

/** A tag written in a style (separator and escapes only; case as given). */
export function formatTag(tag: string, style: TagStyle): string {
  let text = tag.trim();
  if (!isEmoticon(text)) {
    if (style.separator === 'space') text = text.replace(/_/g, ' ');
    else if (style.separator === 'underscore') text = text.replace(/ /g, '_');
  }
  return styleEscapes(text, style.escapeParentheses);
}

/**
 * A caption's tags with rules applied, in this order: normalize (when the rules ask), aliases,
 * blacklist, implied parents, duplicates dropped, trigger word first, sort.
 */
export function applyTagRules(
  tags: readonly string[],
  rules: CompiledTagRules,
  frequencies?: ReadonlyMap<string, number>,
): string[] {
  let out = rules.normalize ? normalizeTags(tags, rules.normalize) : [...tags];
  const style: TagStyle = rules.normalize
    ? { separator: rules.normalize.separator, escapeParentheses: rules.normalize.escapeParentheses }
    : inferStyle(out);
  out = applyAliases(out, rules.aliases, style);
  out = out.filter((t) => !rules.isBlacklisted(tagKey(t)));
  out = addImplied(out, rules.implications, style, rules.isBlacklisted);
  out = dedupeTags(out);
  out = putTriggerFirst(out, rules.trigger);
  return sortTags(
    out,
    rules.sort,
    { ...(frequencies ? { frequencies } : {}), categories: rules.categories },
    rules.trigger,
  );
}

function keepCaseSet(options: NormalizeOptions): Set<string> {
  return new Set((options.keepCase ?? []).map(tagKey));
}

function styleEscapes(text: string, escape: boolean | null): string {
  if (escape === null) return text;
  return escape ? escapeTag(text) : unescapeTag(text);
}
