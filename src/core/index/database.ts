/**
 * Opening the index database (`.tagbench/index.db`): creating it, migrating an older schema, and
 * replacing one that is unreadable, foreign or from a newer Tagbench. The index is only a cache of
 * the files, so replacing it loses nothing; the caller rescans.
 */
import BetterSqlite3 from 'better-sqlite3';
import type { Database } from 'better-sqlite3';
import { rmSync } from 'node:fs';
import { APPLICATION_ID, CURRENT_SCHEMA, SCHEMA_VERSION } from './schema.ts';
import { MIGRATIONS } from './migrations.ts';

/** An open index and what opening it took. */
export interface OpenedIndex {
  db: Database;
  /** True when the database was created empty (new, or replaced): every file must be read. */
  fresh: boolean;
  /** Human-readable notes on what happened: migrations run, an index replaced and why. */
  messages: string[];
}

/**
 * Opens (creating, migrating or replacing as needed) the index database at `file`. Safe when several
 * threads or processes open the same new index at once: the schema is created under a write lock.
 */
export function openIndexDatabase(file: string): OpenedIndex {
  const messages: string[] = [];
  let db: Database | undefined;
  try {
    db = connect(file);
    const opened = prepare(db, messages);
    if (opened) return opened;
  } catch (err) {
    messages.push(`${file} could not be read (${(err as Error).message}); rebuilding it from the files.`);
  }
  db?.close();
  removeDatabaseFiles(file);
  db = connect(file);
  const opened = prepare(db, messages);
  if (!opened) throw new Error(`${file} could not be created.`);
  return opened;
}

/** Creates, checks or migrates the schema under a write lock; undefined when the file must be replaced. */
function prepare(db: Database, messages: string[]): OpenedIndex | undefined {
  return db.transaction((): OpenedIndex | undefined => {
    const state = inspect(db);
    if (state.kind === 'empty') {
      db.exec(CURRENT_SCHEMA);
      db.pragma(`application_id = ${APPLICATION_ID}`);
      db.pragma(`user_version = ${SCHEMA_VERSION}`);
      return { db, fresh: true, messages };
    }
    if (state.kind === 'ours') {
      if (state.version < SCHEMA_VERSION) migrate(db, state.version, messages);
      return { db, fresh: false, messages };
    }
    messages.push(`${db.name} ${state.reason}; rebuilding it from the files.`);
    return undefined;
  }).immediate();
}

/** Deletes the database file and its WAL and shared-memory companions. */
export function removeDatabaseFiles(file: string): void {
  for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(file + suffix, { force: true });
}

function connect(file: string): Database {
  const db = new BetterSqlite3(file, { timeout: 10_000 });
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('temp_store = MEMORY');
  db.pragma('cache_size = -32000');
  return db;
}

type DatabaseState = { kind: 'empty' } | { kind: 'ours'; version: number } | { kind: 'replace'; reason: string };

function inspect(db: Database): DatabaseState {
  const appId = db.pragma('application_id', { simple: true }) as number;
  const version = db.pragma('user_version', { simple: true }) as number;
  const tables = (db.prepare("SELECT count(*) AS n FROM sqlite_schema").get() as { n: number }).n;
  if (appId === 0 && tables === 0) return { kind: 'empty' };
  if (appId !== APPLICATION_ID) return { kind: 'replace', reason: 'is not a Tagbench index' };
  if (version > SCHEMA_VERSION) {
    return { kind: 'replace', reason: `was written by a newer Tagbench (schema ${version}, this one reads up to ${SCHEMA_VERSION})` };
  }
  if (version < 1 || !MIGRATIONS.some((m) => m.from === version) && version !== SCHEMA_VERSION) {
    return { kind: 'replace', reason: `has an unknown schema version (${version})` };
  }
  return { kind: 'ours', version };
}

function migrate(db: Database, from: number, messages: string[]): void {
  for (let version = from; version < SCHEMA_VERSION; version++) {
    const step = MIGRATIONS.find((m) => m.from === version);
    if (!step) throw new Error(`no migration from index schema ${version}`);
    step.up(db);
    db.pragma(`user_version = ${version + 1}`);
    messages.push(`Index schema upgraded from ${version} to ${version + 1}: ${step.describe}.`);
  }
}
