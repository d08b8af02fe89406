/** Read-only lookups the front ends need besides search: one image's details, folder listings, tag completion. */
import type { Database } from 'better-sqlite3';
import { parseTags, tagKey } from '../../shared/tags.ts';
import type { ProblemKind, ProblemSeverity } from '../problems.ts';
import { cachedStatement } from './statementCache.ts';

/** One indexed image with everything known about it. */
export interface ImageInfo {
  id: number;
  path: string;
  width: number;
  height: number;
  format: string;
  size: number;
  mtimeMs: number;
  sha256: string;
  channels: number;
  hasAlpha: boolean;
  bitDepth: number;
  space: string;
  frames: number;
  captionPath: string | null;
  caption: string | null;
  tags: string[];
  sidecarPath: string | null;
  problems: { kind: ProblemKind; severity: ProblemSeverity; message: string }[];
}

interface ImageRow {
  id: number;
  path: string;
  width: number;
  height: number;
  format: string;
  size: number;
  mtime_ms: number;
  sha256: string;
  channels: number;
  has_alpha: number;
  bit_depth: number;
  space: string;
  frames: number;
  caption_path: string | null;
  caption: string | null;
  sidecar_path: string | null;
}

const IMAGE_COLUMNS = `id, path, width, height, format, size, mtime_ms, sha256, channels, has_alpha, bit_depth, space, frames,
  caption_path, caption, sidecar_path`;

/** The image with this id, or undefined. */
export function imageById(db: Database, id: number): ImageInfo | undefined {
  const row = cachedStatement(db, `SELECT ${IMAGE_COLUMNS} FROM images WHERE id = ?`).get(id) as ImageRow | undefined;
  return row && toInfo(db, row);
}

/** The image at this relative path, or undefined. */
export function imageByPath(db: Database, path: string): ImageInfo | undefined {
  const row = cachedStatement(db, `SELECT ${IMAGE_COLUMNS} FROM images WHERE path = ?`).get(path) as
    ImageRow | undefined;
  return row && toInfo(db, row);
}

/** Ids and paths of images, in the order of `ids` (missing ones left out). */
export function pathsOfIds(db: Database, ids: readonly number[]): { id: number; path: string }[] {
  const rows = cachedStatement(db, 'SELECT id, path FROM images WHERE id IN (SELECT value FROM json_each(?))').all(
    JSON.stringify(ids),
  ) as { id: number; path: string }[];
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}

/** A folder in a listing, with the number of images at any depth below it. */
export interface FolderEntry {
  name: string;
  path: string;
  images: number;
}

/** An image in a listing. */
export interface FileEntry {
  id: number;
  name: string;
  path: string;
  sha256: string;
  tagCount: number;
  hasCaption: boolean;
}

/** The folders and images directly inside `dir` ('' for the root), sorted by name. */
export function folderListing(db: Database, dir: string): { folders: FolderEntry[]; images: FileEntry[] } {
  const prefix = dir === '' ? '' : `${dir}/`;
  const subdirs = cachedStatement(
    db,
    `SELECT dir, count(*) AS n FROM images
      WHERE dir >= ? AND dir < ? GROUP BY dir`,
  ).all(prefix, prefix === '' ? '\u{10FFFF}' : `${dir}0`) as { dir: string; n: number }[];
  const folders = new Map<string, number>();
  for (const { dir: d, n } of subdirs) {
    if (d === dir || (prefix !== '' && !d.startsWith(prefix))) continue;
    const name = d.slice(prefix.length).split('/')[0]!;
    if (name === '') continue;
    folders.set(name, (folders.get(name) ?? 0) + n);
  }
  const images = (
    cachedStatement(
      db,
      `SELECT id, name, path, sha256, tag_count, caption IS NOT NULL AS has_caption
      FROM images WHERE dir = ? ORDER BY name_key`,
    ).all(dir) as { id: number; name: string; path: string; sha256: string; tag_count: number; has_caption: number }[]
  ).map((r) => ({
    id: r.id,
    name: r.name,
    path: r.path,
    sha256: r.sha256,
    tagCount: r.tag_count,
    hasCaption: r.has_caption === 1,
  }));
  const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });
  return {
    folders: [...folders]
      .map(([name, images]) => ({ name, path: prefix + name, images }))
      .sort((a, b) => collator.compare(a.name, b.name)),
    images,
  };
}

/** Tags starting with `prefix` (matched by key: `blue_e` finds `blue eyes`), most used first. */
export function tagSuggestions(db: Database, prefix: string, limit: number): { tag: string; count: number }[] {
  const key = tagKey(prefix);
  if (key === '') {
    return cachedStatement(
      db,
      `SELECT t.name AS tag, count(*) AS count FROM image_tags it JOIN tags t ON t.id = it.tag_id
      GROUP BY t.id ORDER BY count DESC, t.name LIMIT ?`,
    ).all(limit) as { tag: string; count: number }[];
  }
  return cachedStatement(
    db,
    `SELECT t.name AS tag, (SELECT count(*) FROM image_tags it WHERE it.tag_id = t.id) AS count
      FROM tags t WHERE t.key >= ? AND t.key < ? ORDER BY count DESC, t.name LIMIT ?`,
  )
    .all(key, key + '\u{10FFFF}', limit)
    .filter((r) => (r as { count: number }).count > 0) as { tag: string; count: number }[];
}

/** Number of images in the index. */
export function imageCount(db: Database): number {
  return cachedStatement(db, 'SELECT count(*) FROM images').pluck(true).get() as number;
}

function toInfo(db: Database, row: ImageRow): ImageInfo {
  const related = [row.path, row.caption_path, row.sidecar_path].filter((p): p is string => p !== null);
  const problems = cachedStatement(
    db,
    `SELECT kind, severity, message FROM problems
      WHERE path IN (SELECT value FROM json_each(?)) ORDER BY severity, kind`,
  ).all(JSON.stringify(related)) as ImageInfo['problems'];
  return {
    id: row.id,
    path: row.path,
    width: row.width,
    height: row.height,
    format: row.format,
    size: row.size,
    mtimeMs: row.mtime_ms,
    sha256: row.sha256,
    channels: row.channels,
    hasAlpha: row.has_alpha === 1,
    bitDepth: row.bit_depth,
    space: row.space,
    frames: row.frames,
    captionPath: row.caption_path,
    caption: row.caption,
    tags: row.caption === null ? [] : parseTags(row.caption),
    sidecarPath: row.sidecar_path,
    problems,
  };
}
