/**
 * Recognising a full disk, whoever reports it (Node's ENOSPC, SQLite's SQLITE_FULL, or one of
 * SQLite's I/O errors on a filesystem with no space left), and saying so in one clear sentence.
 */
import { statfsSync } from 'node:fs';

/** Below this many free bytes, an I/O error SQLite cannot name is taken for a full disk. */
const NEARLY_FULL_BYTES = 1024 * 1024;

/** The disk (or the user's quota) ran out of space; the message says what could not be written. */
export class DiskFullError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'DiskFullError';
  }
}

/**
 * Whether `err` means the disk is full. SQLite reports some full-disk writes as I/O errors (for
 * instance SQLITE_IOERR_SHMSIZE when the shared-memory file cannot grow): those count when the
 * filesystem holding `dir` has (almost) no space left.
 */
export function isDiskFull(err: unknown, dir?: string): boolean {
  if (err instanceof DiskFullError) return true;
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'ENOSPC' || code === 'EDQUOT' || code === 'SQLITE_FULL') return true;
  if (typeof code === 'string' && code.startsWith('SQLITE_IOERR') && dir !== undefined)
    return freeBytes(dir) < NEARLY_FULL_BYTES;
  return false;
}

/** `err` as a DiskFullError saying what could not be written, when it means a full disk; otherwise `err` itself. */
export function asDiskFull(err: unknown, what: string, dir?: string): unknown {
  if (err instanceof DiskFullError || !isDiskFull(err, dir)) return err;
  return new DiskFullError(`The disk is full: ${what}. Free some space and run again.`, { cause: err });
}

function freeBytes(dir: string): number {
  try {
    const stat = statfsSync(dir);
    return stat.bavail * stat.bsize;
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}
