/**
 * A run's guard against an API key the provider refuses. Until the provider has answered one request
 * with the key (any answer but a refusal: a result, a policy refusal, a rate limit, ...), requests go
 * one at a time and the others wait; once it refuses the key (401/403, Google's API_KEY_INVALID), no
 * request is sent again and each gets that refusal instead. So a wrong key costs one request, not one
 * per image, and a key revoked mid-run stops the run at once.
 */
import { AnnotationError } from '../annotator.ts';
import type { AnnotationResult } from '../annotator.ts';
import { AnnotationCancelled } from './cloudErrors.ts';

/** Failures the provider can only give after it accepted the key. */
const ANSWERS = new Set<AnnotationError['failure']>(['policy', 'malformed', 'bad-request', 'rate-limit']);

/** Lets a run's requests through while the provider accepts its key. */
export class KeyGate {
  private accepted = false;
  private probing = false;
  private refusal: AnnotationError | undefined;
  private readonly waiting = new Set<() => void>();

  /** The provider's refusal of the key, once it refused it. */
  get refused(): AnnotationError | undefined {
    return this.refusal;
  }

  /** Sends one request when the gate allows (after a refusal, returns it without sending). */
  async send(
    call: () => Promise<AnnotationResult | AnnotationError>,
    signal?: AbortSignal,
  ): Promise<AnnotationResult | AnnotationError> {
    let probe = false;
    for (;;) {
      if (this.refusal) return new AnnotationError('auth', this.refusal.message, { retryable: false });
      if (signal?.aborted) return new AnnotationCancelled(signal.reason);
      if (this.accepted) break;
      if (!this.probing) {
        this.probing = probe = true;
        break;
      }
      await this.changed(signal);
    }
    let outcome: AnnotationResult | AnnotationError | undefined;
    try {
      outcome = await call();
      return outcome;
    } finally {
      if (outcome instanceof AnnotationError && outcome.failure === 'auth') this.refusal ??= outcome;
      else if (outcome !== undefined && (!(outcome instanceof AnnotationError) || ANSWERS.has(outcome.failure)))
        this.accepted = true;
      if (probe) this.probing = false;
      if (probe || this.refusal) this.wake();
    }
  }

  private changed(signal: AbortSignal | undefined): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        this.waiting.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      this.waiting.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  private wake(): void {
    for (const done of [...this.waiting]) done();
  }
}
