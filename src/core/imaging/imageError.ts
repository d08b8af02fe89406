/** Why an image could not be indexed; `kind` is the problem kind recorded for it. */
import type { ProblemKind } from '../problems.ts';

/** A decoding failure with the problem kind it becomes. */
export class ImageError extends Error {
  readonly kind: ProblemKind;

  constructor(kind: ProblemKind, message: string) {
    super(message);
    this.name = 'ImageError';
    this.kind = kind;
  }
}
