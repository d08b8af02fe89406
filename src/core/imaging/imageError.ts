/** Why an image could not be indexed; `kind` is the problem kind recorded for it. */
import type { ProblemKind } from '../problems.ts';

/** A decoding failure with the problem kind it becomes. */
export class ImageError extends Error {
  readonly kind: ProblemKind;
  /**
   * True when the decoder's reason was lost (libvips keeps one error buffer for all threads, so a
   * failure while other images decode can come back as "Unknown error"). Decoding the file again
   * with nothing else running gives the real reason.
   */
  readonly reasonLost: boolean;

  constructor(kind: ProblemKind, message: string, reasonLost = false) {
    super(message);
    this.name = 'ImageError';
    this.kind = kind;
    this.reasonLost = reasonLost;
  }
}
