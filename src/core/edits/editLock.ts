/**
 * The per-dataset edit lock: every writer of captions and sidecars (batches, undo, redo, annotation
 * results, editor saves) holds it for its read-check-write, so two writers (two processes, two
 * windows, the data worker and a job worker) never interleave and never lose an edit.
 *
 * It is an SQLite database, `.tagbench/locks/edits.lock`, on which the holder runs BEGIN EXCLUSIVE
 * (in memory-journal rollback mode, so nothing is written while it is held). The operating system
 * drops the lock the moment its process ends, however it ends (kill -9 included), so a dead process
 * never holds it; two connections in one process (threads) exclude each other too. Waiters wait
 * through SQLite's busy timeout and then fail with EditLockTimeoutError naming the holder when known,
 * from a small JSON note written beside the lock (for messages only; the lock never trusts it).
 * Taking it again on the same thread while it is held there just runs the function (re-entrant).
 */
import {
  closeSync,
  constants,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import BetterSqlite3 from 'better-sqlite3';
import type { Database } from 'better-sqlite3';
import { TAGBENCH_DIR } from '../dataset/datasetLayout.ts';

/** How long a writer waits for the lock by default before giving up. */
export const EDIT_LOCK_TIMEOUT_MS = 30_000;

/** What a lock is taken for, and how long to wait for it. */
export interface EditLockOptions {
  /** What the holder does, for the message another waiter sees ("tagbench tags rename", "annotation"). */
  purpose: string;
  /** How long to wait for another holder (default EDIT_LOCK_TIMEOUT_MS). */
  timeoutMs?: number;
}

/** Who holds (or last held) a dataset's edit lock, as its note says. */
export interface EditLockHolder {
  purpose: string;
  pid: number;
  host: string;
  at: string;
}

/** The edit lock stayed busy for the whole wait: another writer is still at work. */
export class EditLockTimeoutError extends Error {
  readonly holder: EditLockHolder | undefined;
  constructor(message: string, holder: EditLockHolder | undefined) {
    super(message);
    this.name = 'EditLockTimeoutError';
    this.holder = holder;
  }
}

/** The lock file of a dataset. */
export function editLockFile(root: string): string {
  return join(root, TAGBENCH_DIR, 'locks', 'edits.lock');
}

interface Held {
  db: Database;
  /** The lock file's inode when opened: a lock file deleted and made again is opened again. */
  ino: number;
  /** The holder note, kept open: it is overwritten in place (a rewrite with truncation costs milliseconds on some filesystems). */
  note: number | undefined;
  depth: number;
  /** Whether the connection is in memory-journal mode yet (setting it needs the lock free, as BEGIN does). */
  ready: boolean;
}

/** Open lock connections of this thread, by real lock file path; a held one has depth > 0. */
const connections = new Map<string, Held>();

/** Runs `fn` while holding the dataset's edit lock, waiting for it (blocking the thread) up to the timeout. */
export function withEditLock<T>(root: string, options: EditLockOptions, fn: () => T): T {
  const held = acquire(root, options, options.timeoutMs ?? EDIT_LOCK_TIMEOUT_MS);
  try {
    return fn();
  } finally {
    release(held);
  }
}

/**
 * Runs `fn` (synchronous) while holding the dataset's edit lock, waiting for the lock without
 * blocking the thread: for the extension host, which must stay responsive while a batch runs elsewhere.
 */
export async function withEditLockAsync<T>(root: string, options: EditLockOptions, fn: () => T): Promise<T> {
  const deadline = performance.now() + (options.timeoutMs ?? EDIT_LOCK_TIMEOUT_MS);
  for (let delay = 2; ; delay = Math.min(delay * 2, 50)) {
    let held: Held | undefined;
    try {
      held = acquire(root, options, 0);
    } catch (err) {
      if (!(err instanceof EditLockTimeoutError)) throw err;
      if (performance.now() >= deadline)
        throw busyError(lockFile(root).file, options.timeoutMs ?? EDIT_LOCK_TIMEOUT_MS);
    }
    if (held) {
      try {
        return fn();
      } finally {
        release(held);
      }
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}

/** Closes this thread's lock connections that are not held (tests; a process's end closes them anyway). */
export function closeEditLocks(): void {
  for (const [file, held] of connections) {
    if (held.depth > 0) continue;
    held.db.close();
    if (held.note !== undefined) closeSync(held.note);
    connections.delete(file);
  }
}

function acquire(root: string, options: EditLockOptions, timeoutMs: number): Held {
  const { file, ino } = lockFile(root);
  let held = connections.get(file);
  if (held && held.depth > 0) {
    held.depth++;
    return held;
  }
  if (held && held.ino !== ino) {
    held.db.close();
    if (held.note !== undefined) closeSync(held.note);
    held = undefined;
  }
  if (!held) {
    held = { db: new BetterSqlite3(file), ino, note: undefined, depth: 0, ready: false };
    connections.set(file, held);
  }
  const deadline = performance.now() + timeoutMs;
  const wait = (): void => {
    held.db.pragma(`busy_timeout = ${Math.max(0, Math.round(deadline - performance.now()))}`);
  };
  try {
    if (!held.ready) {
      wait();
      held.db.pragma('journal_mode = MEMORY');
      held.ready = true;
    }
    wait();
    held.db.exec('BEGIN EXCLUSIVE');
  } catch (err) {
    if ((err as { code?: string }).code !== 'SQLITE_BUSY') throw err;
    throw busyError(file, timeoutMs);
  }
  held.depth = 1;
  writeHolder(held, file, options.purpose);
  return held;
}

/** The error of a wait that timed out, naming the holder when its note is there. */
function busyError(file: string, waitedMs: number): EditLockTimeoutError {
  const holder = readHolder(file);
  return new EditLockTimeoutError(
    `${describeHolder(holder)} is editing this dataset's captions and sidecars; gave up after waiting ${formatWait(waitedMs)}. ` +
      'Try again when it has finished.',
    holder,
  );
}

function release(held: Held): void {
  if (--held.depth > 0) return;
  try {
    held.db.exec('COMMIT');
  } catch {
    // nothing was written under the lock: a failed commit only means it is released by the rollback
    if (held.db.inTransaction) held.db.exec('ROLLBACK');
  }
}

/** The real path and inode of the dataset's lock file, created (as a small SQLite database) on first use. */
function lockFile(root: string): { file: string; ino: number } {
  const dir = join(root, TAGBENCH_DIR, 'locks');
  const file = join(dir, 'edits.lock');
  let stat = statSync(file, { throwIfNoEntry: false });
  if (!stat) {
    mkdirSync(dir, { recursive: true });
    createLockFile(file);
    stat = statSync(file);
  }
  return { file: realpathSync.native(file), ino: stat.ino };
}

/**
 * Creates the lock database with its one table, complete before it appears under its name (made
 * aside, then hard-linked into place, so two first users agree on one file). When that cannot be done
 * (a full disk), an empty file is a valid SQLite database too and serves as the lock.
 */
function createLockFile(file: string): void {
  const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    const db = new BetterSqlite3(temp);
    try {
      db.exec(
        "CREATE TABLE IF NOT EXISTS edit_lock (note TEXT); INSERT INTO edit_lock VALUES ('Tagbench edit lock: held while a writer edits captions and sidecars')",
      );
    } finally {
      db.close();
    }
    linkSync(temp, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') writeFileSync(file, '', { flag: 'a' });
  } finally {
    rmSync(temp, { force: true });
  }
}

function holderFile(lock: string): string {
  return lock.replace(/\.lock$/, '.holder.json');
}

const NOTE_BYTES = 512;

/**
 * Writes who holds the lock now, as one JSON line padded to a fixed size and written in place; a
 * failure (a full disk) only makes a waiter's message vaguer.
 */
function writeHolder(held: Held, lock: string, purpose: string): void {
  const holder: EditLockHolder = {
    purpose: purpose.slice(0, 200),
    pid: process.pid,
    host: hostname().slice(0, 100),
    at: new Date().toISOString(),
  };
  const note = Buffer.alloc(NOTE_BYTES, ' ');
  note.write(JSON.stringify(holder));
  note[NOTE_BYTES - 1] = 0x0a;
  try {
    held.note ??= openSync(holderFile(lock), constants.O_RDWR | constants.O_CREAT, 0o666);
    writeSync(held.note, note, 0, NOTE_BYTES, 0);
  } catch {
    // no note then
  }
}

/** The holder a lock's note names, unless that process is gone (a holder that could not write its note left an older one). */
function readHolder(lock: string): EditLockHolder | undefined {
  try {
    const note = JSON.parse(readFileSync(holderFile(lock), 'utf8')) as Partial<EditLockHolder>;
    if (typeof note.purpose !== 'string' || typeof note.pid !== 'number' || typeof note.at !== 'string')
      return undefined;
    const host = typeof note.host === 'string' ? note.host : '';
    if (host === hostname() && !alive(note.pid)) return undefined;
    return { purpose: note.purpose, pid: note.pid, host, at: note.at };
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function describeHolder(holder: EditLockHolder | undefined): string {
  if (!holder) return 'Another Tagbench process';
  const where = holder.host && holder.host !== hostname() ? ` on ${holder.host}` : '';
  const self = holder.pid === process.pid && !where ? ', in this process' : '';
  return `Another Tagbench writer (${holder.purpose}, process ${holder.pid}${where}${self}, since ${holder.at.slice(11, 19)} UTC)`;
}

function formatWait(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 100) / 10} s` : `${Math.round(ms)} ms`;
}
