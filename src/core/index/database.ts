/**
 * Opening the index database (`.tagbench/index.db`) with the job history (`.tagbench/jobs.db`)
 * attached: creating it, migrating an older schema, rebuilding it in place, and replacing one that is
 * really unreadable (SQLITE_NOTADB, SQLITE_CORRUPT), foreign or from a newer Tagbench.
 *
 * The index is a cache of the files, so replacing it loses nothing, but it is never replaced while
 * another connection uses it (see indexUsers.ts), and never for any other error: a busy index fails
 * with IndexBusyError, a full disk with DiskFullError, and the file is left as it is.
 */
import BetterSqlite3 from 'better-sqlite3';
import type { Database } from 'better-sqlite3';
import { existsSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { APPLICATION_ID, CACHE_TABLES, CURRENT_SCHEMA, FULL_TEXT_TABLE, SCHEMA_VERSION } from './schema.ts';
import { MIGRATIONS } from './migrations.ts';
import { IndexUsersLock } from './indexUsers.ts';
import { IndexBusyError, IndexInUseError, isBusyError, isDamagedError } from './indexErrors.ts';
import { attachJobsDatabase, prepareJobsDatabase } from '../jobs/jobsDatabase.ts';
import { asDiskFull } from '../diskFull.ts';
import { JOBS_FILE, LOCKS_DIR } from '../dataset/datasetLayout.ts';

/** An open index and what opening it took. */
export interface OpenedIndex {
  /** The connection (jobs.db attached); closing it also ends its registration as a user of the index. */
  db: Database;
  /** True when the index was created empty (new, replaced or rebuilt): every file must be read. */
  fresh: boolean;
  /** Human-readable notes on what happened: migrations run, an index replaced and why. */
  messages: string[];
}

/** Options of openIndexDatabase. */
export interface OpenIndexOptions {
  /** How long to wait for another connection's write lock when the schema must be created or migrated (default 10 s). */
  busyTimeoutMs?: number;
  /**
   * Rebuild: check the file (`PRAGMA quick_check`) and empty its tables in one transaction, or replace
   * it when it is damaged; the job history is kept. Works while other connections have the index open.
   */
  rebuild?: boolean;
}

/** How long a replacement waits for other connections to let go of the index before refusing. */
const REPLACE_WAIT_MS = 2_000;

/**
 * Opens (creating, migrating or replacing as needed) the index database at `file`, with the job
 * history beside it attached. Safe when several threads or processes open the same index at once.
 */
export function openIndexDatabase(file: string, options: OpenIndexOptions = {}): OpenedIndex {
  const dir = dirname(file);
  const busyTimeoutMs = options.busyTimeoutMs ?? 10_000;
  const messages: string[] = [];
  let users: IndexUsersLock;
  try {
    users = IndexUsersLock.acquire(join(dir, LOCKS_DIR));
  } catch (err) {
    throw asDiskFull(
      err,
      `the index's lock file in ${join(dir, LOCKS_DIR)} could not be created; the index was left as it is`,
      dir,
    );
  }
  let db: Database | undefined;
  try {
    prepareJobsDatabase(join(dir, JOBS_FILE), users, messages, busyTimeoutMs);
    const opened = openIndex(file, users, busyTimeoutMs, options.rebuild === true, messages);
    db = opened.db;
    const close = db.close.bind(db);
    db.close = () => {
      try {
        return close();
      } finally {
        users.release();
      }
    };
    return { db, fresh: opened.fresh, messages };
  } catch (err) {
    db?.close();
    users.release();
    if (isBusyError(err)) {
      throw new IndexBusyError(
        `The index ${file} is busy: another process has held its write lock for more than ` +
          `${Math.round(busyTimeoutMs / 100) / 10} s. Try again when it has finished; nothing was changed.`,
        { cause: err },
      );
    }
    throw asDiskFull(
      err,
      `Tagbench could not write to ${basename(file)} or jobs.db in ${dir}; both were left as they are`,
      dir,
    );
  }
}

/** Deletes the database file and its WAL and shared-memory companions (for callers that own the only connection). */
export function removeDatabaseFiles(file: string): void {
  for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(file + suffix, { force: true });
}

/** Connects, then creates, checks, migrates or rebuilds; replaces the file (at most once) when it must. */
function openIndex(
  file: string,
  users: IndexUsersLock,
  busyTimeoutMs: number,
  rebuild: boolean,
  messages: string[],
): { db: Database; fresh: boolean } {
  for (let attempt = 0; ; attempt++) {
    const outcome = attemptOpen(file, busyTimeoutMs, rebuild, messages);
    if ('db' in outcome) return outcome;
    if (attempt > 0) throw new Error(`${file} ${outcome.reason} even after it was replaced; it was left as it is.`);
    replaceIndex(file, users, outcome, messages, busyTimeoutMs);
  }
}

interface Replacement {
  reason: string;
  /** Move the file aside instead of deleting it (it is not ours). */
  keep: boolean;
  /** Found by `PRAGMA quick_check` (the header is fine): checking again needs it too. */
  deep?: boolean;
}

/** One try at opening: the connection, or why the file must be replaced. Other errors are thrown. */
function attemptOpen(
  file: string,
  busyTimeoutMs: number,
  rebuild: boolean,
  messages: string[],
): { db: Database; fresh: boolean } | Replacement {
  let db: Database | undefined;
  try {
    db = connect(file, busyTimeoutMs);
    const state = readState(db);
    if (state.kind === 'replace') {
      db.close();
      return { reason: state.reason, keep: state.foreign };
    }
    const fresh = state.kind === 'empty' ? createSchema(db) : false;
    if (fresh === undefined) {
      db.close();
      return { reason: 'was replaced by a foreign file while it was being created', keep: true };
    }
    attachJobsDatabase(db, join(dirname(file), JOBS_FILE));
    migrate(db, messages);
    if (!rebuild || fresh) return { db, fresh };
    const damage = quickCheck(db);
    if (damage !== undefined) {
      db.close();
      return { reason: `is damaged (${damage})`, keep: false, deep: true };
    }
    clearIndex(db);
    messages.push(`${basename(file)} was emptied to be rebuilt from the files (the job history is kept).`);
    return { db, fresh: true };
  } catch (err) {
    db?.close();
    if (!isDamagedError(err)) throw err;
    return { reason: `could not be read (${(err as Error).message})`, keep: false };
  }
}

/** Removes (or moves aside) the index while no other connection uses it; refuses with IndexInUseError otherwise. */
function replaceIndex(
  file: string,
  users: IndexUsersLock,
  replacement: Replacement,
  messages: string[],
  busyTimeoutMs: number,
): void {
  const alone = users.whileAlone(REPLACE_WAIT_MS, () => {
    // Another opener may have replaced it while this one waited.
    if (!needsReplacing(file, busyTimeoutMs, replacement.deep === true)) return;
    if (replacement.keep) {
      const aside = `${file}.foreign-${Date.now()}`;
      renameSync(file, aside);
      if (existsSync(`${file}-wal`)) renameSync(`${file}-wal`, `${aside}-wal`);
      rmSync(`${file}-shm`, { force: true });
      messages.push(
        `${basename(file)} ${replacement.reason}; it was moved to ${basename(aside)}, rebuilding the index from the files.`,
      );
    } else {
      removeDatabaseFiles(file);
      messages.push(`${basename(file)} ${replacement.reason}; rebuilding it from the files.`);
    }
  });
  if (alone || !needsReplacing(file, busyTimeoutMs, replacement.deep === true)) return;
  throw new IndexInUseError(
    `The index ${file} ${replacement.reason} and must be rebuilt, but another Tagbench process (a VS Code ` +
      'window or a tagbench command) has it open, so it was left as it is. Close the others and run again.',
  );
}

/** Whether the file at `file` is (still) one this Tagbench must replace; `deep` runs `PRAGMA quick_check` too. */
function needsReplacing(file: string, busyTimeoutMs: number, deep: boolean): boolean {
  if (!existsSync(file)) return false;
  let db: Database | undefined;
  try {
    db = connect(file, busyTimeoutMs);
    const state = readState(db);
    return state.kind === 'replace' || (deep && state.kind === 'ours' && quickCheck(db) !== undefined);
  } catch (err) {
    if (isDamagedError(err)) return true;
    throw err;
  } finally {
    db?.close();
  }
}

function connect(file: string, busyTimeoutMs: number): Database {
  const db = new BetterSqlite3(file, { timeout: busyTimeoutMs });
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('temp_store = MEMORY');
    db.pragma('cache_size = -32000');
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

type DatabaseState =
  { kind: 'empty' } | { kind: 'ours'; version: number } | { kind: 'replace'; reason: string; foreign: boolean };

/** The file's state, read without the write lock (in WAL mode readers never wait for writers). */
function readState(db: Database): DatabaseState {
  return db.transaction(() => inspect(db))();
}

/** Creates the schema under the write lock; true when this connection created it, false when another had, undefined when it must be replaced. */
function createSchema(db: Database): boolean | undefined {
  return db
    .transaction((): boolean | undefined => {
      const state = inspect(db);
      if (state.kind === 'ours') return false;
      if (state.kind === 'replace') return undefined;
      db.exec(CURRENT_SCHEMA);
      db.pragma(`application_id = ${APPLICATION_ID}`);
      db.pragma(`user_version = ${SCHEMA_VERSION}`);
      return true;
    })
    .immediate();
}

function inspect(db: Database): DatabaseState {
  const appId = db.pragma('main.application_id', { simple: true }) as number;
  const version = db.pragma('main.user_version', { simple: true }) as number;
  const tables = (db.prepare('SELECT count(*) AS n FROM main.sqlite_schema').get() as { n: number }).n;
  if (appId === 0 && tables === 0) return { kind: 'empty' };
  if (appId !== APPLICATION_ID) return { kind: 'replace', reason: 'is not a Tagbench index', foreign: true };
  if (version > SCHEMA_VERSION) {
    return {
      kind: 'replace',
      reason: `was written by a newer Tagbench (schema ${version}, this one reads up to ${SCHEMA_VERSION})`,
      foreign: false,
    };
  }
  if (version < 1 || (!MIGRATIONS.some((m) => m.from === version) && version !== SCHEMA_VERSION)) {
    return { kind: 'replace', reason: `has an unknown schema version (${version})`, foreign: false };
  }
  return { kind: 'ours', version };
}

/**
 * Runs the migrations from the file's version up, each in its own write transaction that first checks
 * the version is still the one it upgrades (another process may have run it meanwhile).
 */
function migrate(db: Database, messages: string[]): void {
  for (;;) {
    const version = db.pragma('main.user_version', { simple: true }) as number;
    if (version >= SCHEMA_VERSION) return;
    const step = MIGRATIONS.find((m) => m.from === version);
    if (!step) throw new Error(`no migration from index schema ${version}`);
    step.before?.(db);
    const ran = db
      .transaction(() => {
        if (db.pragma('main.user_version', { simple: true }) !== version) return false;
        step.up(db);
        db.pragma(`main.user_version = ${version + 1}`);
        return true;
      })
      .immediate();
    if (ran) messages.push(`Index schema upgraded from ${version} to ${version + 1}: ${step.describe}.`);
  }
}

/** `PRAGMA quick_check`'s first complaint, or undefined when the file is sound. */
function quickCheck(db: Database): string | undefined {
  const rows = db.prepare('PRAGMA main.quick_check(1)').pluck().all() as string[];
  if (rows.length === 1 && rows[0] === 'ok') return undefined;
  return rows
    .join(' ')
    .replace(/\*\*\* in database main \*\*\*/, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Empties every cache table in one transaction: other connections see the old index or the empty one. */
function clearIndex(db: Database): void {
  db.transaction(() => {
    for (const table of CACHE_TABLES) db.prepare(`DELETE FROM main.${table}`).run();
    db.prepare(`INSERT INTO main.${FULL_TEXT_TABLE} (${FULL_TEXT_TABLE}) VALUES ('delete-all')`).run();
  }).immediate();
}
