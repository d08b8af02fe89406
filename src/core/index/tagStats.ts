/**
 * Tag frequencies: for each tag (by its exact name), how many images have it, over the whole index
 * or over the images a query matches.
 */
import type { Database } from 'better-sqlite3';
import { hasMatch, matchFilter, matchedIds } from './matchSet.ts';
import { parseIndexQuery } from './queryTags.ts';
import { cachedStatement } from './statementCache.ts';

/** Tag frequencies: `images` in scope, and per tag name how many of them have it, most frequent first. */
export interface TagStats {
  images: number;
  tags: { tag: string; count: number }[];
}

const WHOLE_INDEX_SQL = `SELECT t.name AS tag, s.n AS count
  FROM (SELECT it.tag_id, count(DISTINCT it.image_id) AS n FROM image_tags it GROUP BY it.tag_id) s
  JOIN tags t ON t.id = s.tag_id ORDER BY s.n DESC, t.name LIMIT ?`;

/**
 * Tag frequencies over the whole index (empty query) or over a query's matches, most frequent first
 * and ties by name; `limit` keeps only the most frequent. Throws QueryError for a malformed query.
 */
export function tagStats(db: Database, query = '', options: { limit?: number } = {}): TagStats {
  const limit = options.limit ?? -1;
  if (limit !== -1 && (!Number.isSafeInteger(limit) || limit < 0)) {
    throw new RangeError(`limit must be a non-negative integer, not ${limit}`);
  }
  const filter = parseIndexQuery(db, query).filter;
  return db.transaction((): TagStats => {
    if (!filter) {
      const images = cachedStatement(db, 'SELECT count(*) FROM images').pluck(true).get() as number;
      return { images, tags: cachedStatement(db, WHOLE_INDEX_SQL).all(limit) as TagStats['tags'] };
    }
    const { set, count, totalImages } = matchFilter(db, filter);
    if (count === 0) return { images: 0, tags: [] };
    const maxTag = (cachedStatement(db, 'SELECT max(id) FROM tags').pluck(true).get() as number | null) ?? 0;
    const pair = 2 ** Math.ceil(Math.log2(maxTag + 1));
    // Each image_tags row as one number, image_id * pair + tag_id: one string to read, not a row each.
    const few = count * 2 < totalImages;
    const list = few
      ? cachedStatement(
          db,
          `SELECT group_concat(it.image_id * CAST(? AS INTEGER) + it.tag_id) FROM image_tags it
          WHERE it.image_id IN (SELECT value FROM json_each(?))`,
        )
          .pluck(true)
          .get(pair, JSON.stringify(matchedIds(db, set)))
      : cachedStatement(db, 'SELECT group_concat(it.image_id * CAST(? AS INTEGER) + it.tag_id) FROM image_tags it')
          .pluck(true)
          .get(pair);
    const counts = new Uint32Array(maxTag + 1);
    const lastImage = new Float64Array(maxTag + 1).fill(-1);
    forEachNumber(typeof list === 'string' ? list : '', (value) => {
      const image = Math.floor(value / pair);
      const tag = value - image * pair;
      if (lastImage[tag] === image || (!few && !hasMatch(set, image))) return;
      lastImage[tag] = image;
      counts[tag]!++;
    });
    return { images: count, tags: rankTags(db, counts, limit) };
  })();
}

/** Tag names and counts for the non-zero counts, most frequent first, ties by name (as SQLite orders text). */
function rankTags(db: Database, counts: Uint32Array, limit: number): TagStats['tags'] {
  const ids: number[] = [];
  counts.forEach((n, id) => {
    if (n > 0) ids.push(id);
  });
  const rows = cachedStatement(db, 'SELECT id, name FROM tags WHERE id IN (SELECT value FROM json_each(?))').all(
    JSON.stringify(ids),
  ) as { id: number; name: string }[];
  const tags = rows.map((row) => ({ tag: row.name, count: counts[row.id]! }));
  tags.sort((a, b) => b.count - a.count || Buffer.compare(Buffer.from(a.tag), Buffer.from(b.tag)));
  return limit === -1 ? tags : tags.slice(0, limit);
}

/** Calls `each` with every number in a comma-separated list of non-negative integers. */
function forEachNumber(list: string, each: (value: number) => void): void {
  if (list === '') return;
  let value = 0;
  for (let i = 0; i <= list.length; i++) {
    const c = i < list.length ? list.charCodeAt(i) : 44;
    if (c === 44) {
      each(value);
      value = 0;
    } else {
      value = value * 10 + c - 48;
    }
  }
}
