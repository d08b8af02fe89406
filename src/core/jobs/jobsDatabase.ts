/**
 * Opening the job history (`.tagbench/jobs.db`) beside an index: creating it, checking it, and
 * attaching it to the index connection. It is never deleted: a damaged or foreign file is moved
 * aside (with a message saying where), only while no other connection uses the dataset's index; one
 * from a newer Tagbench is refused, not touched.
 */
import BetterSqlite3 from 'better-sqlite3';
import type { Database } from 'better-sqlite3';
import { existsSync, renameSync, rmSync } from 'node:fs';
import { basename } from 'node:path';
import type { IndexUsersLock } from '../index/indexUsers.ts';
import { IndexInUseError, isDamagedError } from '../index/indexErrors.ts';
import { JOBS_APPLICATION_ID, JOBS_SCHEMA, JOBS_SCHEMA_NAME, JOBS_SCHEMA_VERSION } from './jobsSchema.ts';

/** How long a repair waits for other connections to let go of the dataset. */
const REPAIR_WAIT_MS = 2_000;

type JobsState =
  { kind: 'empty' } | { kind: 'ours' } | { kind: 'newer'; version: number } | { kind: 'aside'; reason: string };

/**
 * Makes sure `file` is a usable jobs database (creating it when missing, moving a damaged or foreign
 * one aside), so it can be attached. `users` is the caller's registration on the index; notes go to
 * `messages`.
 */
export function prepareJobsDatabase(
  file: string,
  users: IndexUsersLock,
  messages: string[],
  busyTimeoutMs = 10_000,
): void {
  for (let attempt = 0; attempt < 2; attempt++) {
    const state = checkJobsDatabase(file, busyTimeoutMs);
    if (state.kind === 'ours') return;
    if (state.kind === 'newer') {
      throw new Error(
        `${file} was written by a newer Tagbench (jobs schema ${state.version}, this one reads up to ${JOBS_SCHEMA_VERSION}); ` +
          'use that version, or move the file away to start a new job history. It was left as it is.',
      );
    }
    if (state.kind === 'empty') {
      createJobsSchema(file, busyTimeoutMs);
      return;
    }
    let aside: string | undefined;
    const alone = users.whileAlone(REPAIR_WAIT_MS, () => {
      if (checkJobsDatabase(file, busyTimeoutMs).kind === 'aside') aside = moveAside(file);
    });
    if (!alone) {
      if (checkJobsDatabase(file, busyTimeoutMs).kind !== 'aside') continue;
      throw new IndexInUseError(
        `The job history ${file} ${state.reason}, but another Tagbench process (a VS Code window or a tagbench ` +
          'command) has this dataset open, so it was left as it is. Close the others and run again.',
      );
    }
    if (aside) {
      messages.push(
        `${basename(file)} ${state.reason}; it was moved to ${basename(aside)} (the job history before it is in that file) ` +
          'and a new one was started.',
      );
    }
  }
  createJobsSchema(file, busyTimeoutMs);
}

/** Attaches the jobs database to an index connection, so `jobs`, `job_items` and `job_batches` name its tables. */
export function attachJobsDatabase(db: Database, file: string): void {
  db.prepare(`ATTACH DATABASE ? AS ${JOBS_SCHEMA_NAME}`).run(file);
  db.pragma(`${JOBS_SCHEMA_NAME}.journal_mode = WAL`);
  db.pragma(`${JOBS_SCHEMA_NAME}.synchronous = NORMAL`);
}

function checkJobsDatabase(file: string, busyTimeoutMs: number): JobsState {
  if (!existsSync(file)) return { kind: 'empty' };
  let db: Database | undefined;
  try {
    db = new BetterSqlite3(file, { timeout: busyTimeoutMs });
    db.pragma('journal_mode = WAL');
    const conn = db;
    return conn.transaction(() => inspect(conn))();
  } catch (err) {
    if (isDamagedError(err)) return { kind: 'aside', reason: `could not be read (${(err as Error).message})` };
    throw err;
  } finally {
    db?.close();
  }
}

function inspect(db: Database): JobsState {
  const appId = db.pragma('application_id', { simple: true }) as number;
  const version = db.pragma('user_version', { simple: true }) as number;
  const tables = db.prepare('SELECT count(*) FROM sqlite_schema').pluck().get() as number;
  if (appId === 0 && tables === 0)
    return version > JOBS_SCHEMA_VERSION ? { kind: 'newer', version } : { kind: 'empty' };
  if (appId !== JOBS_APPLICATION_ID) return { kind: 'aside', reason: 'is not a Tagbench job history' };
  if (version > JOBS_SCHEMA_VERSION) return { kind: 'newer', version };
  if (version < 1) return { kind: 'aside', reason: `has an unknown schema version (${version})` };
  return { kind: 'ours' };
}

function createJobsSchema(file: string, busyTimeoutMs: number): void {
  const db = new BetterSqlite3(file, { timeout: busyTimeoutMs });
  try {
    db.pragma('journal_mode = WAL');
    db.transaction(() => {
      if (inspect(db).kind !== 'empty') return;
      db.exec(JOBS_SCHEMA);
      db.pragma(`application_id = ${JOBS_APPLICATION_ID}`);
      db.pragma(`user_version = ${JOBS_SCHEMA_VERSION}`);
    }).immediate();
  } finally {
    db.close();
  }
}

/** Renames a damaged database (and its write-ahead log) to `<name>.damaged-<time>`; returns the new name. */
function moveAside(file: string): string {
  const stamp = new Date()
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  let aside = `${file}.damaged-${stamp}`;
  for (let n = 2; existsSync(aside); n++) aside = `${file}.damaged-${stamp}-${n}`;
  renameSync(file, aside);
  if (existsSync(`${file}-wal`)) renameSync(`${file}-wal`, `${aside}-wal`);
  rmSync(`${file}-shm`, { force: true });
  return aside;
}
