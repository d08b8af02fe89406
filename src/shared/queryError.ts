/** A malformed search query (or a paging cursor that does not fit it), with where in the text it went wrong. */
export class QueryError extends Error {
  /** 0-based offset of the offending text in the query. */
  readonly position: number;
  /** Length of the offending text (0 when something is missing there). */
  readonly length: number;

  constructor(message: string, position: number, length: number) {
    super(message);
    this.name = 'QueryError';
    this.position = position;
    this.length = length;
  }

  /** An error about the query text at `position`; the message ends with its 1-based column. */
  static at(reason: string, position: number, length: number): QueryError {
    return new QueryError(`${reason} at column ${position + 1}`, position, length);
  }
}
