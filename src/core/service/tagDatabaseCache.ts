/**
 * Tag databases (tagcomplete CSVs) loaded once and kept while their file is unchanged: a 100k-row
 * CSV takes a while to parse and index, and completion asks for it on every key stroke.
 */
import { readFileSync, statSync } from 'node:fs';
import { parseTagcompleteCsv } from '../tags/tagcompleteCsv.ts';
import type { TagDatabase } from '../tags/tagcompleteCsv.ts';

interface Cached {
  mtimeMs: number;
  size: number;
  result: { database: TagDatabase } | { error: string };
}

const cache = new Map<string, Cached>();

/** The tag database in `file`, parsed once per version of the file, or why it cannot be used. */
export function loadTagDatabaseCached(file: string): { database: TagDatabase } | { error: string } {
  let stat;
  try {
    stat = statSync(file);
  } catch (err) {
    cache.delete(file);
    const code = (err as NodeJS.ErrnoException).code;
    return {
      error:
        code === 'ENOENT'
          ? `The tag database ${file} does not exist.`
          : `The tag database ${file} cannot be read: ${(err as Error).message}`,
    };
  }
  const hit = cache.get(file);
  if (hit && hit.mtimeMs === stat.mtimeMs && hit.size === stat.size) return hit.result;
  let result: Cached['result'];
  try {
    result = { database: parseTagcompleteCsv(readFileSync(file, 'utf8'), file) };
  } catch (err) {
    result = { error: (err as Error).message };
  }
  cache.set(file, { mtimeMs: stat.mtimeMs, size: stat.size, result });
  return result;
}
