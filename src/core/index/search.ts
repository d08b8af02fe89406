/**
 * Searching the index with the query language: a page of matching images with keyset paging, the
 * total count, and tag frequencies. A query is evaluated to a bitmap of matching ids (matchSet.ts);
 * the page then comes either from walking the sort order's index and testing ids against the bitmap
 * (when matches are common), or from sorting the matching ids themselves (when they are few).
 */
import type { Database } from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { parseTags } from '../../shared/tags.ts';
import type { SortSpec } from '../query/ast.ts';
import { compileQuery, SORT_COLUMNS } from '../query/compile.ts';
import type { CompiledQuery } from '../query/compile.ts';
import { QueryError } from '../../shared/queryError.ts';
import type { UnmatchedTerm } from '../../shared/queryHint.ts';
import { hasMatch, matchFilter, matchedIds } from './matchSet.ts';
import type { MatchSet } from './matchSet.ts';
import { parseIndexQuery, unmatchedTerms } from './queryTags.ts';
import { cachedStatement } from './statementCache.ts';

export { tagStats } from './tagStats.ts';
export type { TagStats } from './tagStats.ts';

/**
 * Paging of searchImages: `limit` (default 100, at most 10000), `offset` rows skipped, `cursor` to
 * continue; `unmatched` also reports the query's tag terms no image has, with the closest tags.
 */
export interface SearchOptions {
  limit?: number;
  offset?: number;
  cursor?: string;
  unmatched?: boolean;
}

/** One matching image. `caption` is as stored with trailing whitespace trimmed; `tags` in caption order. */
export interface SearchItem {
  id: number;
  path: string;
  width: number;
  height: number;
  caption: string | null;
  tags: string[];
  sha256: string;
  ext: string;
  mtimeMs: number;
  size: number;
}

/** A page of results, the number of all matches, and the cursor of the next page (null after the last). */
export interface SearchResult {
  total: number;
  items: SearchItem[];
  nextCursor: string | null;
  /** With the `unmatched` option: the tag terms no image has, each with the closest known tags. */
  unmatched?: UnmatchedTerm[];
}

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 10_000;
/** Cost of sorting one matching id, in index rows walked and tested against the bitmap (measured). */
const SORT_COST_PER_MATCH = 5;
const MATCH_FUNCTION = 'tagbench_match';

interface PageRow {
  id: number;
  path: string;
  width: number;
  height: number;
  caption: string | null;
  sha256: string;
  ext: string;
  mtime_ms: number;
  size: number;
  sort_value: string | number;
}

/**
 * The images matching `query`, one page of them in the query's sort order. Words typed with spaces
 * that spell a known tag are read as that tag (parseIndexQuery). Throws QueryError for a bad query or cursor.
 */
export function searchImages(db: Database, query: string, options: SearchOptions = {}): SearchResult {
  const limit = Math.min(MAX_LIMIT, nonNegativeInteger(options.limit ?? DEFAULT_LIMIT, 'limit'));
  const offset = nonNegativeInteger(options.offset ?? 0, 'offset');
  const ast = parseIndexQuery(db, query);
  const compiled = compileQuery(ast);
  const fingerprint = queryFingerprint(compiled);
  const after = options.cursor !== undefined ? decodeCursor(options.cursor, fingerprint, ast.sort) : null;
  const page = db.transaction((): SearchResult => {
    let set: MatchSet | null = null;
    let total: number;
    let totalImages: number;
    if (ast.filter) {
      ({ set, count: total, totalImages } = matchFilter(db, ast.filter));
    } else {
      total = totalImages = cachedStatement(db, 'SELECT count(*) FROM images').pluck(true).get() as number;
    }
    if (total === 0 || limit === 0) return { total, items: [], nextCursor: null };
    const rows = pageRows(db, set, { total, totalImages, limit, offset, after, sort: ast.sort });
    const items = rows.slice(0, limit).map(toItem);
    const last = rows[limit - 1];
    const nextCursor = rows.length > limit && last ? encodeCursor(fingerprint, last.sort_value, last.id) : null;
    return { total, items, nextCursor };
  })();
  return options.unmatched ? { ...page, unmatched: unmatchedTerms(db, query, ast) } : page;
}

interface PageRequest {
  total: number;
  totalImages: number;
  limit: number;
  offset: number;
  after: Cursor | null;
  sort: SortSpec;
}

/** Up to limit + 1 rows of the page (the extra one tells whether there is a next page). */
function pageRows(db: Database, set: MatchSet | null, page: PageRequest): PageRow[] {
  const { column, index } = SORT_COLUMNS[page.sort.key];
  const direction = page.sort.descending ? 'DESC' : 'ASC';
  const conditions: string[] = [];
  const params: unknown[] = [];
  let source = `INDEXED BY ${index}`;
  const walked = Math.min(page.totalImages, ((page.offset + page.limit + 1) * page.totalImages) / page.total);
  const sortMatches = set !== null && page.total * SORT_COST_PER_MATCH < walked;
  if (set && sortMatches) {
    source = 'NOT INDEXED';
    conditions.push('i.id IN (SELECT value FROM json_each(?))');
    params.push(JSON.stringify(matchedIds(db, set)));
  } else if (set) {
    conditions.push(`${MATCH_FUNCTION}(i.id)`);
  }
  if (page.after) {
    conditions.push(`(i.${column}, i.id) ${page.sort.descending ? '<' : '>'} (?, ?)`);
    params.push(page.after.value, page.after.id);
  }
  const sql = `SELECT i.id, i.path, i.width, i.height, i.caption, i.sha256, i.ext, i.mtime_ms, i.size,
    i.${column} AS sort_value FROM images i ${source}
    ${conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : ''}
    ORDER BY i.${column} ${direction}, i.id ${direction} LIMIT ? OFFSET ?`;
  const run = (): PageRow[] => cachedStatement(db, sql).all(...params, page.limit + 1, page.offset) as PageRow[];
  return set && !sortMatches ? withMatchSet(db, set, run) : run();
}

const currentSets = new WeakMap<Database, { set: MatchSet | null }>();

/** Runs `body` with `tagbench_match(id)` testing ids against `set` (the function is registered once per connection). */
function withMatchSet<T>(db: Database, set: MatchSet, body: () => T): T {
  let holder = currentSets.get(db);
  if (!holder) {
    const created: { set: MatchSet | null } = { set: null };
    db.function(MATCH_FUNCTION, { deterministic: false, directOnly: true }, (id: unknown) =>
      created.set && typeof id === 'number' && hasMatch(created.set, id) ? 1 : 0,
    );
    currentSets.set(db, (holder = created));
  }
  const previous = holder.set;
  holder.set = set;
  try {
    return body();
  } finally {
    holder.set = previous;
  }
}

function toItem(row: PageRow): SearchItem {
  return {
    id: row.id,
    path: row.path,
    width: row.width,
    height: row.height,
    caption: row.caption === null ? null : row.caption.trimEnd(),
    tags: row.caption === null ? [] : parseTags(row.caption),
    sha256: row.sha256,
    ext: row.ext,
    mtimeMs: row.mtime_ms,
    size: row.size,
  };
}

interface Cursor {
  value: string | number;
  id: number;
}

/** A short hash of what a query matches and how it is sorted, carried in its cursors. */
function queryFingerprint(compiled: CompiledQuery): string {
  const canonical = JSON.stringify([compiled.where, compiled.params, compiled.sort.key, compiled.sort.descending]);
  return createHash('sha256').update(canonical).digest('base64url').slice(0, 12);
}

function encodeCursor(fingerprint: string, value: string | number, id: number): string {
  return Buffer.from(JSON.stringify([fingerprint, value, id])).toString('base64url');
}

function decodeCursor(cursor: string, fingerprint: string, sort: SortSpec): Cursor {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    decoded = null;
  }
  const valueType = sort.key === 'name' ? 'string' : 'number';
  if (
    !Array.isArray(decoded) ||
    decoded.length !== 3 ||
    typeof decoded[1] !== valueType ||
    !Number.isSafeInteger(decoded[2])
  ) {
    throw new QueryError('Invalid cursor', 0, 0);
  }
  if (decoded[0] !== fingerprint) throw new QueryError('The cursor belongs to a different query', 0, 0);
  return { value: decoded[1] as string | number, id: decoded[2] as number };
}

function nonNegativeInteger(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 0)
    throw new RangeError(`${name} must be a non-negative integer, not ${value}`);
  return value;
}
