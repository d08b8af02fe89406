/**
 * Tag rules files: JSON with a blacklist, aliases, implications, a trigger word, a sort order and
 * optional normalization, validated with messages that name the field and its line. Aliases are
 * resolved transitively (`a -> b -> c` becomes `a -> c`) and implications are closed (a tag brings
 * every ancestor), both refusing cycles. Keys starting with `_` are comments. A rules file may name a
 * tagcomplete CSV (`tagDatabase`, relative to the rules file) for its aliases and categories.
 */
import { readFileSync } from 'node:fs';
import { dirname, extname, resolve } from 'node:path';
import { tagKey } from '../../shared/tags.ts';
import { blacklistMatcher, TAG_SORT_ORDERS } from './tagHygiene.ts';
import type { NormalizeOptions, TagSortOrder } from './tagHygiene.ts';
import { parseTagcompleteCsv } from './tagcompleteCsv.ts';
import type { TagDatabase } from './tagcompleteCsv.ts';
import type { TagCategory } from '../../shared/tagCategory.ts';

/** Validated rules as plain data (they travel inside batch actions): aliases resolved, implications closed. */
export interface TagRules {
  /** Tags to drop, as written; `*` matches any run of characters. */
  blacklist: string[];
  /** Tag key -> the final tag it is rewritten to. */
  aliases: Record<string, string>;
  /** Tag key -> every tag it implies, nearest first. */
  implications: Record<string, string[]>;
  trigger: string | null;
  sort: TagSortOrder;
  normalize: NormalizeOptions | null;
  /** Tag key -> category, from a tag database (for `sort: category`). */
  categories?: Record<string, TagCategory>;
  /** Where the rules came from, for messages and batch summaries. */
  source?: string;
}

/** Rules ready to apply: the same, as maps. */
export interface CompiledTagRules {
  aliases: ReadonlyMap<string, string>;
  implications: ReadonlyMap<string, readonly string[]>;
  isBlacklisted: (key: string) => boolean;
  trigger: string | null;
  sort: TagSortOrder;
  normalize: NormalizeOptions | null;
  categories: ReadonlyMap<string, TagCategory>;
}

/** A rules file that cannot be used, with the field and line at fault where known. */
export class TagRulesError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TagRulesError';
  }
}

const FIELDS = new Set(['blacklist', 'aliases', 'implications', 'trigger', 'sort', 'normalize', 'tagDatabase']);
const NORMALIZE_FIELDS = new Set(['separator', 'lowercase', 'escapeParentheses', 'keepCase']);

/** Rules that change nothing. */
export function emptyTagRules(): TagRules {
  return { blacklist: [], aliases: {}, implications: {}, trigger: null, sort: 'none', normalize: null };
}

/** Parses and validates a rules file's JSON text; `source` names it in errors. The `tagDatabase` field is returned, not loaded. */
export function parseTagRules(text: string, source = 'rules'): TagRules & { tagDatabase?: string } {
  let data: unknown;
  try {
    data = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new TagRulesError(
      `${source}${jsonErrorLine(text, err as Error)} is not valid JSON: ${jsonErrorMessage(err as Error)}`,
    );
  }
  const fail = (path: (string | number)[], message: string): never => {
    const line = lineOfPath(text, path);
    throw new TagRulesError(`${source}${line ? `, line ${line}` : ''}: ${formatPath(path)} ${message}`);
  };
  if (!isObject(data)) return fail([], 'must be a JSON object.');
  for (const key of Object.keys(data)) {
    if (!key.startsWith('_') && !FIELDS.has(key))
      fail([key], `is not a rules field (expected ${[...FIELDS].join(', ')}; fields starting with "_" are comments).`);
  }
  const rules = emptyTagRules();
  rules.source = source;

  const blacklist = data['blacklist'] ?? [];
  if (!Array.isArray(blacklist)) fail(['blacklist'], 'must be a list of tags.');
  (blacklist as unknown[]).forEach((tag, i) => {
    if (typeof tag !== 'string' || tagKey(tag) === '') fail(['blacklist', i], 'must be a non-empty tag.');
  });
  rules.blacklist = (blacklist as string[]).map((t) => t.trim());

  const aliases = data['aliases'] ?? {};
  if (!isObject(aliases)) fail(['aliases'], 'must be an object of "from": "to" tags.');
  const aliasPairs: [string, string][] = [];
  for (const [from, to] of Object.entries(aliases as Record<string, unknown>)) {
    if (tagKey(from) === '') fail(['aliases', from], 'is an empty tag.');
    if (typeof to !== 'string' || tagKey(to) === '') fail(['aliases', from], 'must map to a non-empty tag.');
    aliasPairs.push([from, (to as string).trim()]);
  }
  rules.aliases = resolveAliases(aliasPairs, (from, message) => fail(['aliases', from], message));

  const implications = data['implications'] ?? {};
  if (!isObject(implications)) fail(['implications'], 'must be an object of "tag": ["implied tag", ...].');
  const implicationPairs: [string, string[]][] = [];
  for (const [child, parents] of Object.entries(implications as Record<string, unknown>)) {
    if (tagKey(child) === '') fail(['implications', child], 'is an empty tag.');
    const list = typeof parents === 'string' ? [parents] : parents;
    if (!Array.isArray(list)) fail(['implications', child], 'must be a list of tags.');
    (list as unknown[]).forEach((p, i) => {
      if (typeof p !== 'string' || tagKey(p) === '') fail(['implications', child, i], 'must be a non-empty tag.');
    });
    implicationPairs.push([child, (list as string[]).map((p) => p.trim())]);
  }
  rules.implications = closeImplications(implicationPairs, rules.aliases, (child, message) =>
    fail(['implications', child], message),
  );

  const trigger = data['trigger'] ?? null;
  if (trigger !== null && (typeof trigger !== 'string' || trigger.includes(',')))
    fail(['trigger'], 'must be one tag (no commas), or null.');
  rules.trigger = typeof trigger === 'string' && trigger.trim() !== '' ? trigger.trim() : null;

  const sort = data['sort'] ?? 'none';
  if (typeof sort !== 'string' || !TAG_SORT_ORDERS.includes(sort as TagSortOrder))
    fail(['sort'], `must be one of ${TAG_SORT_ORDERS.join(', ')}.`);
  rules.sort = sort as TagSortOrder;

  const normalize = data['normalize'] ?? null;
  if (normalize !== null) {
    if (normalize === true) rules.normalize = { separator: 'space', lowercase: true, escapeParentheses: null };
    else if (!isObject(normalize))
      fail(['normalize'], 'must be true or an object with separator, lowercase, escapeParentheses, keepCase.');
    else {
      for (const key of Object.keys(normalize))
        if (!NORMALIZE_FIELDS.has(key))
          fail(['normalize', key], `is not a normalize option (expected ${[...NORMALIZE_FIELDS].join(', ')}).`);
      const separator = normalize['separator'] ?? 'space';
      if (separator !== 'space' && separator !== 'underscore' && separator !== 'keep')
        fail(['normalize', 'separator'], 'must be "space", "underscore" or "keep".');
      const lowercase = normalize['lowercase'] ?? true;
      if (typeof lowercase !== 'boolean') fail(['normalize', 'lowercase'], 'must be true or false.');
      const escape = normalize['escapeParentheses'] ?? null;
      if (escape !== null && typeof escape !== 'boolean')
        fail(['normalize', 'escapeParentheses'], 'must be true, false or null (as written).');
      const keepCase = normalize['keepCase'] ?? [];
      if (!Array.isArray(keepCase) || keepCase.some((t) => typeof t !== 'string'))
        fail(['normalize', 'keepCase'], 'must be a list of tags.');
      rules.normalize = {
        separator: separator as NormalizeOptions['separator'],
        lowercase: lowercase as boolean,
        escapeParentheses: escape as boolean | null,
        keepCase: keepCase as string[],
      };
    }
  }

  const tagDatabase = data['tagDatabase'];
  if (tagDatabase !== undefined && (typeof tagDatabase !== 'string' || tagDatabase.trim() === ''))
    fail(['tagDatabase'], 'must be the path of a tagcomplete CSV file.');
  return typeof tagDatabase === 'string' ? { ...rules, tagDatabase } : rules;
}

/**
 * Resolves alias pairs transitively: tag key -> final target. An alias whose target has the same key
 * only fixes the spelling. Two spellings of one tag mapped to different targets, and cycles, are refused.
 */
export function resolveAliases(
  pairs: readonly (readonly [string, string])[],
  fail: (from: string, message: string) => never = throwing,
): Record<string, string> {
  const direct = new Map<string, { from: string; to: string }>();
  for (const [from, to] of pairs) {
    const key = tagKey(from);
    const earlier = direct.get(key);
    if (earlier && tagKey(earlier.to) !== tagKey(to))
      fail(from, `conflicts with "${earlier.from}" (the same tag) mapped to "${earlier.to}".`);
    direct.set(key, { from, to });
  }
  const resolved = new Map<string, string>();
  for (const [key, { from }] of direct) {
    const chain = [key];
    let target = direct.get(key)!.to;
    for (;;) {
      const next = tagKey(target);
      if (next === chain[chain.length - 1]) break;
      if (chain.includes(next)) {
        fail(from, `is part of an alias cycle: ${[...chain, next].map((k) => `"${k}"`).join(' -> ')}.`);
      }
      const step = direct.get(next);
      if (!step) break;
      chain.push(next);
      target = step.to;
    }
    resolved.set(key, target);
  }
  return Object.fromEntries(resolved);
}

/**
 * Closes implications over aliases: tag key -> every tag it implies, directly or through its
 * parents, nearest first. A tag that ends up implying itself is a cycle and refused.
 */
export function closeImplications(
  pairs: readonly (readonly [string, readonly string[]])[],
  aliases: Readonly<Record<string, string>> = {},
  fail: (child: string, message: string) => never = throwing,
): Record<string, string[]> {
  const canonical = (tag: string): string => (Object.hasOwn(aliases, tagKey(tag)) ? aliases[tagKey(tag)]! : tag);
  const direct = new Map<string, { child: string; parents: string[] }>();
  for (const [child, parents] of pairs) {
    const key = tagKey(canonical(child));
    const entry = direct.get(key) ?? { child, parents: [] };
    for (const parent of parents) {
      const p = canonical(parent);
      if (!entry.parents.some((q) => tagKey(q) === tagKey(p))) entry.parents.push(p);
    }
    direct.set(key, entry);
  }
  const closed = new Map<string, string[]>();
  const visiting: string[] = [];
  const visit = (key: string): string[] => {
    const done = closed.get(key);
    if (done) return done;
    const entry = direct.get(key);
    if (!entry) return [];
    if (visiting.includes(key)) {
      const cycle = [...visiting.slice(visiting.indexOf(key)), key];
      fail(
        direct.get(cycle[0]!)!.child,
        `is part of an implication cycle: ${cycle.map((k) => `"${k}"`).join(' -> ')}.`,
      );
    }
    visiting.push(key);
    const out: string[] = [];
    const seen = new Set<string>([key]);
    const add = (tag: string): void => {
      const k = tagKey(tag);
      if (seen.has(k)) return;
      seen.add(k);
      out.push(tag);
    };
    for (const parent of entry.parents) {
      if (tagKey(parent) === key) fail(entry.child, 'implies itself.');
      add(parent);
    }
    for (const parent of entry.parents) for (const ancestor of visit(tagKey(parent))) add(ancestor);
    visiting.pop();
    closed.set(key, out);
    return out;
  };
  for (const key of direct.keys()) visit(key);
  // Keyed by the canonical tag: captions have their aliases rewritten before implications apply.
  return Object.fromEntries(closed);
}

/** Rules from a tag database alone: its aliases, and categories for sorting. */
export function rulesFromTagDatabase(db: TagDatabase, source?: string): TagRules {
  return { ...emptyTagRules(), aliases: db.aliases, categories: categoriesOf(db), ...(source ? { source } : {}) };
}

/** Rules with a tag database's aliases (the rules' own win) and categories added. */
export function withTagDatabase(rules: TagRules, db: TagDatabase): TagRules {
  const aliases = new Map(Object.entries(db.aliases));
  for (const [key, target] of Object.entries(rules.aliases)) aliases.set(key, target);
  return { ...rules, aliases: Object.fromEntries(aliases), categories: { ...categoriesOf(db), ...rules.categories } };
}

/**
 * Loads rules from a file: JSON rules (with their `tagDatabase`, if any, loaded too) or, for a
 * `.csv`, a tagcomplete tag database used as rules (its aliases and categories).
 */
export function loadTagRulesFile(file: string): TagRules {
  const text = readText(file);
  if (extname(file).toLowerCase() === '.csv') return rulesFromTagDatabase(parseTagcompleteCsv(text, file), file);
  const { tagDatabase, ...rules } = parseTagRules(text, file);
  if (tagDatabase === undefined) return rules;
  const csv = resolve(dirname(file), tagDatabase);
  return withTagDatabase(rules, parseTagcompleteCsv(readText(csv), csv));
}

const compiledCache = new WeakMap<TagRules, CompiledTagRules>();

/** The rules as maps, made once per rules object. */
export function compileTagRules(rules: TagRules): CompiledTagRules {
  const cached = compiledCache.get(rules);
  if (cached) return cached;
  const compiled: CompiledTagRules = {
    aliases: new Map(Object.entries(rules.aliases)),
    implications: new Map(Object.entries(rules.implications)),
    isBlacklisted: blacklistMatcher(rules.blacklist),
    trigger: rules.trigger,
    sort: rules.sort,
    normalize: rules.normalize,
    categories: new Map(Object.entries(rules.categories ?? {})),
  };
  compiledCache.set(rules, compiled);
  return compiled;
}

function categoriesOf(db: TagDatabase): Record<string, TagCategory> {
  return Object.fromEntries(db.entries.map((e) => [tagKey(e.name), e.category]));
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new TagRulesError(
      code === 'ENOENT' ? `${file} does not exist.` : `${file} cannot be read: ${(err as Error).message}`,
    );
  }
}

function throwing(tag: string, message: string): never {
  throw new TagRulesError(`"${tag}" ${message}`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function formatPath(path: readonly (string | number)[]): string {
  if (path.length === 0) return 'the file';
  const [head, ...rest] = path;
  return String(head) + rest.map((p) => (typeof p === 'number' ? `[${p}]` : `[${JSON.stringify(p)}]`)).join('');
}

/** The line a field is on, found by looking for each key of the path in turn (a good guess, not a JSON parser). */
function lineOfPath(text: string, path: readonly (string | number)[]): number | undefined {
  let at = 0;
  for (const part of path) {
    if (typeof part === 'number') continue;
    const match = new RegExp(`${JSON.stringify(part).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*:`, 'u').exec(
      text.slice(at),
    );
    if (!match) return undefined;
    at += match.index;
  }
  return path.length === 0 ? undefined : lineAt(text, at);
}

/** `, line N` for where a JSON text stops being valid: from the error's position, or the longest prefix some valid JSON could start with. */
function jsonErrorLine(text: string, err: Error): string {
  const position = /at position (\d+)/.exec(err.message);
  if (position) return `, line ${lineAt(text, Number(position[1]))}`;
  const viable = (length: number): boolean => {
    try {
      JSON.parse(text.slice(0, length));
      return true;
    } catch (e) {
      const message = (e as Error).message;
      const at = /at position (\d+)/.exec(message);
      return /end of JSON input|Unterminated string/.test(message) || (at !== null && Number(at[1]) >= length);
    }
  };
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (viable(mid)) lo = mid;
    else hi = mid - 1;
  }
  return `, line ${lineAt(text, lo)}`;
}

/** V8's JSON error without its quoted excerpt and position (the line is given separately). */
function jsonErrorMessage(err: Error): string {
  const message = err.message
    .replace(/, (\.\.\.)?"[\s\S]*" is not valid JSON$/, '')
    .replace(/ in JSON at position \d+.*$/, '')
    .replace(/^JSON\.parse: /, '');
  return message.endsWith('.') ? message : `${message}.`;
}

function lineAt(text: string, index: number): number {
  let line = 1;
  for (let i = 0; i < index && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}
