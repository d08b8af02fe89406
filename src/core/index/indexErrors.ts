/** Why an index could not be opened, and how SQLite's error codes sort into those reasons. */

/** Another connection held the index's write lock for longer than the opener would wait. */
export class IndexBusyError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'IndexBusyError';
  }
}

/** The index (or the job history) must be replaced or moved aside, but another connection still uses it. */
export class IndexInUseError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'IndexInUseError';
  }
}

/** SQLite's "another connection holds the lock" (after its busy timeout). */
export function isBusyError(err: unknown): boolean {
  const code = codeOf(err);
  return code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED');
}

/** SQLite's "this file is not a database, or its pages are damaged": the only errors that justify replacing it. */
export function isDamagedError(err: unknown): boolean {
  const code = codeOf(err);
  return code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT');
}

function codeOf(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : '';
}
