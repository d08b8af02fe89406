import { QueryError } from '../shared/queryError.ts';

/** Errors the CLI reports as one sentence (usage mistakes, bad arguments), exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Runs `fn`; a QueryError becomes a UsageError showing the query with a caret under the offending text. */
export function withQueryContext<T>(query: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (!(err instanceof QueryError)) throw err;
    const caret = ' '.repeat(Math.max(0, err.position)) + '^'.repeat(Math.max(1, err.length));
    throw new UsageError(`${err.message}:\n  ${query}\n  ${caret}`);
  }
}
