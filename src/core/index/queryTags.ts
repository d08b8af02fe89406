/**
 * The index's side of reading a query as users type it: which tag keys images have (so words typed
 * with spaces, `blonde hair`, are read as the tag they spell), and for a tag term no image has, the
 * closest known tags: those it starts, then those with a word it starts, then those within one or two
 * typing mistakes.
 */
import type { Database } from 'better-sqlite3';
import type { QueryAst, QueryNode, TagNode } from '../query/ast.ts';
import { parseQuery } from '../query/parser.ts';
import type { UnmatchedTerm } from '../../shared/queryHint.ts';
import { cachedStatement } from './statementCache.ts';

const KNOWN_SQL =
  'SELECT 1 FROM tags t WHERE t.key = ? AND EXISTS (SELECT 1 FROM image_tags it WHERE it.tag_id = t.id) LIMIT 1';
/** Keys meeting a condition on `t.key`, with the number of images having a tag of that key, most used first. */
const keyCounts = (condition: string): string => `SELECT t.key AS key, count(DISTINCT it.image_id) AS count
  FROM tags t JOIN image_tags it ON it.tag_id = t.id WHERE ${condition} GROUP BY t.key ORDER BY count DESC, t.key LIMIT 50`;
const NAME_SQL = `SELECT t.name FROM tags t WHERE t.key = ?
  ORDER BY (SELECT count(*) FROM image_tags it WHERE it.tag_id = t.id) DESC, t.name LIMIT 1`;
/** Tag terms reported per query, and tags suggested per term. */
const MAX_UNMATCHED = 5;
const MAX_SUGGESTIONS = 3;

/** Whether images have a tag with this key. */
export function isKnownTag(db: Database, key: string): boolean {
  return cachedStatement(db, KNOWN_SQL).pluck(true).get(key) !== undefined;
}

/** Parses a query against this index: a run of words that spells a known tag is read as that tag (see parser.ts). */
export function parseIndexQuery(db: Database, query: string): QueryAst {
  return parseQuery(query, { knownTag: (key) => isKnownTag(db, key) });
}

/** The tag terms of a parsed query that no image has (at most five), each with the closest known tags. */
export function unmatchedTerms(db: Database, query: string, ast: QueryAst): UnmatchedTerm[] {
  const found: UnmatchedTerm[] = [];
  const seen = new Set<string>();
  for (const node of tagNodes(ast.filter)) {
    if (found.length >= MAX_UNMATCHED) break;
    if (seen.has(node.key) || isKnownTag(db, node.key)) continue;
    seen.add(node.key);
    const term = query.slice(node.position, node.position + node.length);
    found.push({
      term,
      position: node.position,
      length: node.length,
      key: node.key,
      suggestions: closestTags(db, node.key),
    });
  }
  return found;
}

function* tagNodes(node: QueryNode | null): Generator<TagNode> {
  if (!node) return;
  if (node.type === 'tag') yield node;
  else if (node.type === 'not') yield* tagNodes(node.child);
  else if (node.type === 'and' || node.type === 'or') for (const child of node.children) yield* tagNodes(child);
}

interface KeyCount {
  key: string;
  count: number;
}

/** Up to three known tags close to `key`, most used first, each by its most used name. */
export function closestTags(db: Database, key: string): { tag: string; count: number }[] {
  let rows = cachedStatement(db, keyCounts('t.key >= ? AND t.key < ? AND t.key <> ?')).all(
    key,
    key + '\u{10FFFF}',
    key,
  ) as KeyCount[];
  if (rows.length === 0) {
    const pattern = `% ${key.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    rows = cachedStatement(db, keyCounts("t.key LIKE ? ESCAPE '\\'")).all(pattern) as KeyCount[];
  }
  if (rows.length === 0) rows = nearKeys(db, key);
  return rows
    .slice(0, MAX_SUGGESTIONS)
    .map(({ key: k, count }) => ({ tag: cachedStatement(db, NAME_SQL).pluck(true).get(k) as string, count }));
}

/** Known keys within one typing mistake (keys of up to 4 characters) or two, fewest mistakes first, then most used. */
function nearKeys(db: Database, key: string): KeyCount[] {
  const chars = [...key];
  const most = chars.length <= 4 ? 1 : 2;
  const keys = cachedStatement(db, 'SELECT DISTINCT key FROM tags WHERE length(key) BETWEEN ? AND ?')
    .pluck(true)
    .all(Math.max(1, chars.length - most), chars.length + most) as string[];
  const near = new Map<string, number>();
  for (const candidate of keys) {
    const distance = editDistance(chars, [...candidate], most);
    if (distance <= most && candidate !== key) near.set(candidate, distance);
  }
  if (near.size === 0) return [];
  const rows = cachedStatement(db, keyCounts('t.key IN (SELECT value FROM json_each(?))')).all(
    JSON.stringify([...near.keys()]),
  ) as KeyCount[];
  return rows.sort((a, b) => near.get(a.key)! - near.get(b.key)! || b.count - a.count || (a.key < b.key ? -1 : 1));
}

/** Levenshtein distance with adjacent transpositions, stopping early once it must exceed `most`. */
function editDistance(a: string[], b: string[], most: number): number {
  if (Math.abs(a.length - b.length) > most) return most + 1;
  let previous2: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        value = Math.min(value, previous2[j - 2]! + 1);
      row.push(value);
      best = Math.min(best, value);
    }
    if (best > most) return most + 1;
    previous2 = previous;
    previous = row;
  }
  return previous[b.length]!;
}
