/**
 * Forward migrations of the index schema. Each entry upgrades from version `from` to `from + 1`.
 * Older schemas are kept here verbatim so tests can create them and check the upgrade path.
 */
import type { Database } from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { ANNOTATION_TABLES, CONTENT_TRIGGERS } from './schema.ts';
import { AnnotationRows } from './annotationRows.ts';
import { JOBS_SCHEMA_NAME } from '../jobs/jobsSchema.ts';

/** The first released schema (version 1): no random sort key. */
export const SCHEMA_V1 = `
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE images (
  id INTEGER PRIMARY KEY, path TEXT NOT NULL UNIQUE, dir TEXT NOT NULL, name TEXT NOT NULL,
  name_key TEXT NOT NULL, ext TEXT NOT NULL, size INTEGER NOT NULL, mtime_ms INTEGER NOT NULL,
  sha256 TEXT NOT NULL, format TEXT NOT NULL, width INTEGER NOT NULL, height INTEGER NOT NULL,
  pixels INTEGER NOT NULL, aspect REAL NOT NULL, channels INTEGER NOT NULL, has_alpha INTEGER NOT NULL,
  bit_depth INTEGER NOT NULL, space TEXT NOT NULL, frames INTEGER NOT NULL, orientation INTEGER NOT NULL,
  phash TEXT NOT NULL, dhash TEXT NOT NULL, caption_path TEXT, caption TEXT, caption_size INTEGER,
  caption_mtime_ms INTEGER, tag_count INTEGER NOT NULL DEFAULT 0, sidecar_path TEXT, sidecar_size INTEGER,
  sidecar_mtime_ms INTEGER, sidecar TEXT
);
CREATE INDEX images_sha256 ON images(sha256);
CREATE INDEX images_name ON images(name_key, id);
CREATE INDEX images_mtime ON images(mtime_ms, id);
CREATE INDEX images_width ON images(width, id);
CREATE INDEX images_height ON images(height, id);
CREATE INDEX images_tag_count ON images(tag_count, id);
CREATE INDEX images_caption_path ON images(caption_path);
CREATE TABLE tags (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, key TEXT NOT NULL);
CREATE INDEX tags_key ON tags(key);
CREATE TABLE image_tags (image_id INTEGER NOT NULL, pos INTEGER NOT NULL, tag_id INTEGER NOT NULL,
  PRIMARY KEY (image_id, pos)) WITHOUT ROWID;
CREATE INDEX image_tags_tag ON image_tags(tag_id, image_id);
CREATE TABLE image_folders (folder TEXT NOT NULL, image_id INTEGER NOT NULL, PRIMARY KEY (folder, image_id)) WITHOUT ROWID;
CREATE INDEX image_folders_image ON image_folders(image_id);
CREATE VIRTUAL TABLE caption_fts USING fts5(caption, tags, content = '', contentless_delete = 1,
  tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3');
CREATE TABLE problems (id INTEGER PRIMARY KEY, path TEXT NOT NULL, kind TEXT NOT NULL, severity TEXT NOT NULL,
  message TEXT NOT NULL, size INTEGER, mtime_ms INTEGER);
CREATE INDEX problems_path ON problems(path);
`;

/** The job_batches table as schema 5 created it in the index (it lives in jobs.db since schema 6). */
const JOB_BATCHES_TABLE_V5 = `
CREATE TABLE job_batches (
  job_id   INTEGER NOT NULL,
  batch_id TEXT NOT NULL,
  state    TEXT NOT NULL,
  applied  INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (job_id, batch_id)
) WITHOUT ROWID;
`;

/** One schema upgrade step. */
export interface Migration {
  from: number;
  describe: string;
  /**
   * Work outside the step's transaction, before it (in its own transactions, and safe to run again
   * after a crash): copying data into another database, which cannot commit atomically with the index.
   */
  before?(db: Database): void;
  /** The step itself, run in one write transaction that also sets the new version. */
  up(db: Database): void;
}

/** All migrations, in order. */
export const MIGRATIONS: readonly Migration[] = [
  {
    from: 1,
    describe:
      'add images.rand (a stored random key that makes sort:random pageable) and indexes for row filters and folder listings',
    up(db) {
      db.exec(`
        ALTER TABLE images ADD COLUMN rand INTEGER NOT NULL DEFAULT 0;
        UPDATE images SET rand = abs(random()) % 140737488355328;
        CREATE INDEX images_rand ON images(rand, id);
        CREATE INDEX images_filter ON images(width, height, ext, tag_count);
        CREATE INDEX images_dir ON images(dir, name_key);
      `);
    },
  },
  {
    from: 2,
    describe: 'add the jobs and job_items tables',
    up(db) {
      db.exec(`
        CREATE TABLE jobs (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, title TEXT NOT NULL, params TEXT NOT NULL,
          state TEXT NOT NULL, created_at INTEGER NOT NULL, started_at INTEGER, finished_at INTEGER, heartbeat INTEGER, message TEXT);
        CREATE TABLE job_items (job_id INTEGER NOT NULL, seq INTEGER NOT NULL, key TEXT NOT NULL, state TEXT NOT NULL,
          error TEXT, result TEXT, finished_at INTEGER, PRIMARY KEY (job_id, seq)) WITHOUT ROWID;
        CREATE INDEX job_items_state ON job_items(job_id, state);
      `);
    },
  },
  {
    from: 3,
    describe: 'add the annotations and model_tags tables, filled from the sidecars already read',
    up(db) {
      db.exec(ANNOTATION_TABLES);
      const rows = new AnnotationRows(db);
      for (const image of db.prepare('SELECT id, sidecar FROM images WHERE sidecar IS NOT NULL').all() as {
        id: number;
        sidecar: string;
      }[]) {
        rows.write(image.id, image.sidecar);
      }
    },
  },
  {
    from: 4,
    describe: 'add the job_batches table (provider batch runs to resume)',
    up(db) {
      db.exec(JOB_BATCHES_TABLE_V5);
    },
  },
  {
    from: 5,
    describe:
      'move the job history (jobs, job_items, job_batches) into jobs.db, which is not a cache; note removed content for the thumbnail sweep',
    before(db) {
      copyJobsOut(db);
    },
    up(db) {
      db.exec(`
        DROP TABLE main.job_batches;
        DROP TABLE main.job_items;
        DROP TABLE main.jobs;
      `);
      db.prepare(`DELETE FROM main.meta WHERE key = '${JOBS_MOVE_TOKEN}'`).run();
      db.exec(CONTENT_TRIGGERS);
    },
  },
];

/** The meta key naming one move of the jobs out of this index (so a move interrupted after the copy copies nothing twice). */
const JOBS_MOVE_TOKEN = 'jobs_move_token';

/**
 * Copies the index's job tables into the attached jobs database, once: the copy and a token that
 * names it commit together in jobs.db, and the same token is kept in the index until its tables are
 * dropped. Job ids are kept unless jobs.db already has jobs, then they are shifted past its last id.
 */
function copyJobsOut(db: Database): void {
  const jobs = JOBS_SCHEMA_NAME;
  const token = db
    .transaction(() => {
      const existing = db.prepare(`SELECT value FROM main.meta WHERE key = '${JOBS_MOVE_TOKEN}'`).pluck().get() as
        string | undefined;
      if (existing) return existing;
      const made = randomUUID();
      db.prepare(`INSERT INTO main.meta (key, value) VALUES ('${JOBS_MOVE_TOKEN}', ?)`).run(made);
      return made;
    })
    .immediate();
  db.transaction(() => {
    if (db.prepare(`SELECT 1 FROM ${jobs}.imports WHERE token = ?`).get(token)) return;
    const shift = db.prepare(`SELECT coalesce(max(id), 0) FROM ${jobs}.jobs`).pluck().get() as number;
    db.prepare(
      `INSERT INTO ${jobs}.jobs (id, kind, title, params, state, created_at, started_at, finished_at, heartbeat, message)
      SELECT id + ?, kind, title, params, state, created_at, started_at, finished_at, heartbeat, message FROM main.jobs`,
    ).run(shift);
    db.prepare(
      `INSERT INTO ${jobs}.job_items (job_id, seq, key, state, error, result, finished_at)
      SELECT job_id + ?, seq, key, state, error, result, finished_at FROM main.job_items`,
    ).run(shift);
    db.prepare(
      `INSERT INTO ${jobs}.job_batches (job_id, batch_id, state, applied)
      SELECT job_id + ?, batch_id, state, applied FROM main.job_batches`,
    ).run(shift);
    db.prepare(`INSERT INTO ${jobs}.imports (token, at) VALUES (?, ?)`).run(token, Date.now());
  }).immediate();
}
