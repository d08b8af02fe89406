/** What the index knows from the last run, in the shape a rescan compares against the files. */
import type { Database } from 'better-sqlite3';
import type { Problem, ProblemKind, ProblemSeverity } from '../problems.ts';

/** The file states of one indexed image. */
export interface IndexedImage {
  id: number;
  path: string;
  size: number;
  mtimeMs: number;
  sha256: string;
  captionPath: string | null;
  captionSize: number | null;
  captionMtimeMs: number | null;
  sidecarPath: string | null;
  sidecarSize: number | null;
  sidecarMtimeMs: number | null;
}

/** A problem as stored: the size and mtime of the file it was found in, when it is about one file's content. */
export interface StoredProblem {
  problem: Problem;
  size: number | null;
  mtimeMs: number | null;
}

/** All indexed images by path. */
export function loadIndexedImages(db: Database): Map<string, IndexedImage> {
  const rows = db
    .prepare(
      `SELECT id, path, size, mtime_ms AS mtimeMs, sha256, caption_path AS captionPath,
    caption_size AS captionSize, caption_mtime_ms AS captionMtimeMs, sidecar_path AS sidecarPath,
    sidecar_size AS sidecarSize, sidecar_mtime_ms AS sidecarMtimeMs FROM images`,
    )
    .all() as IndexedImage[];
  return new Map(rows.map((row) => [row.path, row]));
}

/** Problems of the last run, by path. */
export function loadStoredProblems(db: Database): Map<string, StoredProblem[]> {
  const rows = db.prepare('SELECT path, kind, severity, message, size, mtime_ms AS mtimeMs FROM problems').all() as {
    path: string;
    kind: ProblemKind;
    severity: ProblemSeverity;
    message: string;
    size: number | null;
    mtimeMs: number | null;
  }[];
  const byPath = new Map<string, StoredProblem[]>();
  for (const row of rows) {
    const entry = {
      problem: { path: row.path, kind: row.kind, severity: row.severity, message: row.message },
      size: row.size,
      mtimeMs: row.mtimeMs,
    };
    const list = byPath.get(row.path);
    if (list) list.push(entry);
    else byPath.set(row.path, [entry]);
  }
  return byPath;
}

/** Replaces the stored problems. A problem carrying `size` and `mtimeMs` is kept by later runs while its file is unchanged. */
export function replaceProblems(
  db: Database,
  problems: readonly (Problem & { size?: number; mtimeMs?: number })[],
): void {
  const insert = db.prepare(
    'INSERT INTO problems (path, kind, severity, message, size, mtime_ms) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const seen = new Set<string>();
  db.transaction(() => {
    db.prepare('DELETE FROM problems').run();
    for (const p of problems) {
      const key = `${p.path}\0${p.kind}`;
      if (seen.has(key)) continue;
      seen.add(key);
      insert.run(p.path, p.kind, p.severity, p.message, p.size ?? null, p.mtimeMs ?? null);
    }
  }).immediate();
}
