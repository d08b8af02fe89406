/**
 * The job history's database, `.tagbench/jobs.db`: jobs, their items and the batches they submitted
 * to providers. Unlike the index it is not a cache (nothing rebuilds it from the files), so Tagbench
 * never deletes it; the index connection ATTACHes it so queries can join job items with images.
 */

/** `PRAGMA application_id` of a Tagbench jobs database ('TGBJ'). */
export const JOBS_APPLICATION_ID = 0x5447424a;

/** `PRAGMA user_version` of the current jobs schema. */
export const JOBS_SCHEMA_VERSION = 1;

/** The schema name the jobs database is attached under on an index connection. */
export const JOBS_SCHEMA_NAME = 'jobdb';

/** The current jobs schema. */
export const JOBS_SCHEMA = `
-- Long operations (processing, export, annotation) and their items, so an interrupted job can be
-- resumed exactly where it stopped. A job's params and an item's result are JSON.
CREATE TABLE jobs (
  id          INTEGER PRIMARY KEY,
  kind        TEXT NOT NULL,
  title       TEXT NOT NULL,
  params      TEXT NOT NULL,
  state       TEXT NOT NULL,            -- queued, running, paused, done, failed
  created_at  INTEGER NOT NULL,
  started_at  INTEGER,
  finished_at INTEGER,
  heartbeat   INTEGER,                  -- last sign of life of the process running it
  message     TEXT,
  owner_host  TEXT,                     -- the process running it: host name,
  owner_pid   INTEGER,                  -- process id,
  owner_start TEXT                      -- and start time (boot id and clock ticks on Linux), NULL elsewhere
);
CREATE TABLE job_items (
  job_id      INTEGER NOT NULL,
  seq         INTEGER NOT NULL,
  key         TEXT NOT NULL,            -- what the item is about, usually an image path
  state       TEXT NOT NULL,            -- pending, done, failed, skipped
  error       TEXT,
  result      TEXT,                     -- JSON; for a failed item, what is known about the failure ({"failure": "policy"})
  finished_at INTEGER,
  PRIMARY KEY (job_id, seq)
) WITHOUT ROWID;
CREATE INDEX job_items_state ON job_items(job_id, state);

-- Batches a job submitted to a provider's batch engine (OpenAI Batch API, Anthropic Message
-- Batches): the state needed to poll and fetch them after a restart.
CREATE TABLE job_batches (
  job_id   INTEGER NOT NULL,
  batch_id TEXT NOT NULL,
  state    TEXT NOT NULL,               -- the engine's state as JSON (provider, ids, custom ids -> paths, status)
  applied  INTEGER NOT NULL DEFAULT 0,  -- 1 once its results are in the files
  PRIMARY KEY (job_id, batch_id)
) WITHOUT ROWID;

-- Job tables of older indexes already copied in (see the index migration from schema 5).
CREATE TABLE imports (
  token TEXT PRIMARY KEY,
  at    INTEGER NOT NULL
) WITHOUT ROWID;
`;
