/**
 * Who has a dataset's index open, told by an OS file lock the kernel drops when a process dies:
 * every connection to the index keeps a read transaction (a SHARED lock) open on a small SQLite file,
 * `.tagbench/locks/index-users.lock`, for as long as it lives. Replacing the index (or moving a
 * damaged jobs.db aside) needs `BEGIN EXCLUSIVE` on that file, which SQLite grants only when no other
 * connection, in this process or another, holds it. A killed process holds nothing: its locks go
 * with it, so a crash never blocks a later repair.
 */
import BetterSqlite3 from 'better-sqlite3';
import type { Database } from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { isBusyError } from './indexErrors.ts';

/** Name of the lock file inside the locks folder. */
export const INDEX_USERS_LOCK = 'index-users.lock';

/** How long an opener waits for a replacement in progress elsewhere (it takes milliseconds). */
const SHARED_WAIT_MS = 10_000;

/** A connection's registration as a user of the index; `release()` when the connection closes. */
export class IndexUsersLock {
  private readonly lock: Database;

  private constructor(lock: Database) {
    this.lock = lock;
  }

  /** Registers this connection as a user of the index whose locks live in `locksDir`. */
  static acquire(locksDir: string): IndexUsersLock {
    mkdirSync(locksDir, { recursive: true });
    const lock = new BetterSqlite3(join(locksDir, INDEX_USERS_LOCK), { timeout: SHARED_WAIT_MS });
    try {
      const users = new IndexUsersLock(lock);
      users.holdShared();
      return users;
    } catch (err) {
      lock.close();
      throw err;
    }
  }

  /**
   * Runs `replace` while no other connection uses the index, and returns true; returns false, without
   * running it, when another connection still holds the index after `waitMs`. This connection stays
   * registered either way.
   */
  whileAlone(waitMs: number, replace: () => void): boolean {
    this.lock.exec('COMMIT');
    this.lock.pragma(`busy_timeout = ${Math.max(0, Math.round(waitMs))}`);
    try {
      this.lock.exec('BEGIN EXCLUSIVE');
    } catch (err) {
      if (!isBusyError(err)) throw err;
      this.holdShared();
      return false;
    } finally {
      this.lock.pragma(`busy_timeout = ${SHARED_WAIT_MS}`);
    }
    try {
      replace();
    } finally {
      this.lock.exec('COMMIT');
      this.holdShared();
    }
    return true;
  }

  /** Ends this connection's registration. */
  release(): void {
    if (this.lock.open) this.lock.close();
  }

  private holdShared(): void {
    this.lock.exec('BEGIN');
    try {
      this.lock.prepare('SELECT count(*) FROM sqlite_schema').get();
    } catch (err) {
      this.lock.exec('ROLLBACK');
      throw err;
    }
  }
}
