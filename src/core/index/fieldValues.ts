/**
 * Values the query language's fields take in this index, for completing them as they are typed:
 * folder names, extensions, annotating models and tags awaiting review, each with how many images
 * have it, most first.
 */
import type { Database } from 'better-sqlite3';
import type { ValueField } from '../../shared/queryFields.ts';
import { tagKey } from '../../shared/tags.ts';
import { cachedStatement } from './statementCache.ts';

/** A value of a field and how many images have it. */
export interface FieldValue {
  value: string;
  count: number;
}

const SQL: Record<ValueField, string> = {
  folder: `SELECT folder AS value, count(*) AS count FROM image_folders WHERE folder >= ? AND folder < ?
    GROUP BY folder ORDER BY count DESC, folder LIMIT ?`,
  ext: `SELECT ext AS value, count(*) AS count FROM images WHERE ext >= ? AND ext < ?
    GROUP BY ext ORDER BY count DESC, ext LIMIT ?`,
  model: `SELECT name AS value, count(DISTINCT image_id) AS count FROM annotations WHERE name >= ? AND name < ? AND failure IS NULL
    GROUP BY name ORDER BY count DESC, name LIMIT ?`,
  suggested: `SELECT min(name) AS value, count(*) AS count FROM model_tags WHERE status = 'suggested' AND key >= ? AND key < ?
    GROUP BY key ORDER BY count DESC, key LIMIT ?`,
};

/** Values of `field` starting with `prefix` (as the field compares them: lower case; tags by key), most used first. */
export function fieldValues(db: Database, field: ValueField, prefix: string, limit: number): FieldValue[] {
  const from =
    field === 'suggested' ? tagKey(prefix) : prefix.toLowerCase().replace(field === 'ext' ? /^\./ : /^$/, '');
  return cachedStatement(db, SQL[field]).all(from, from + '\u{10FFFF}', limit) as FieldValue[];
}
