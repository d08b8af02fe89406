/** Snapshots of a dataset's files (outside `.tagbench/`) and of its index, for before/after comparisons. */
import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';

/** Every file and link under `root` except `.tagbench/`, with a hash of its bytes and its mtime. */
export function snapshotFiles(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string, rel: string): void => {
    for (const name of readdirSync(dir).sort()) {
      if (rel === '' && name === '.tagbench') continue;
      const abs = join(dir, name);
      const path = rel ? `${rel}/${name}` : name;
      const stat = lstatSync(abs);
      if (stat.isSymbolicLink()) out.set(path, `link:${readlinkSync(abs)}`);
      else if (stat.isDirectory()) walk(abs, path);
      else {
        let digest = 'unreadable';
        try {
          digest = createHash('sha256').update(readFileSync(abs)).digest('hex');
        } catch {
          // an unreadable fixture: its mtime still shows changes
        }
        out.set(path, `${digest}:${stat.mtimeMs}:${stat.mode}`);
      }
    }
  };
  walk(root, '');
  return out;
}

/** The index's images and problems as plain rows (without ids and random keys), for equality checks. */
export function dumpIndex(indexFile: string): { images: unknown[]; problems: unknown[]; tags: unknown[] } {
  const db = new BetterSqlite3(indexFile, { readonly: true });
  try {
    const images = db
      .prepare(
        `SELECT path, dir, name, ext, size, mtime_ms, sha256, format, width, height, channels,
      has_alpha, bit_depth, space, frames, orientation, phash, dhash, caption_path, caption, tag_count, sidecar_path
      FROM images ORDER BY path`,
      )
      .all();
    const problems = db.prepare('SELECT path, kind, severity, message FROM problems ORDER BY path, kind').all();
    const tags = db
      .prepare(
        `SELECT i.path, (SELECT group_concat(name, '|') FROM (SELECT t.name FROM image_tags it
      JOIN tags t ON t.id = it.tag_id WHERE it.image_id = i.id ORDER BY it.pos)) AS tags FROM images i ORDER BY i.path`,
      )
      .all();
    return { images, problems, tags };
  } finally {
    db.close();
  }
}
