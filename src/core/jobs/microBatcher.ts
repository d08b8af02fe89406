/**
 * Gathers single items into batches for models that run faster on several images at once. Items
 * arriving together (a job's lanes refill together when a batch finishes) are sent as one batch of
 * up to `size`; a partial batch goes after `waitMs` without new items. Aborting an item's signal
 * before its batch starts takes it out; a batch whose items are all aborted is cancelled.
 */

/** Runs one batch; resolves with one outcome per item, in order (an Error for a failed item). */
export type BatchRunner<T, R> = (items: T[], signal: AbortSignal) => Promise<(R | Error)[]>;

interface Waiting<T, R> {
  item: T;
  signal: AbortSignal | undefined;
  resolve: (value: R) => void;
  reject: (err: Error) => void;
}

/** A batcher of items of type T into batches run by `run`. */
export class MicroBatcher<T, R> {
  private readonly size: number;
  private readonly waitMs: number;
  private readonly run: BatchRunner<T, R>;
  private waiting: Waiting<T, R>[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(size: number, run: BatchRunner<T, R>, waitMs = 20) {
    this.size = Math.max(1, size);
    this.run = run;
    this.waitMs = waitMs;
  }

  /** Adds an item; resolves with its outcome once its batch has run. */
  add(item: T, signal?: AbortSignal): Promise<R> {
    if (signal?.aborted) return Promise.reject(abortError());
    return new Promise<R>((resolve, reject) => {
      this.waiting.push({ item, signal, resolve, reject });
      if (this.waiting.length >= this.size) this.flush();
      else {
        clearTimeout(this.timer);
        this.timer = setTimeout(() => this.flush(), this.waitMs);
      }
    });
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.waiting.splice(0, this.size).filter((w) => {
      if (!w.signal?.aborted) return true;
      w.reject(abortError());
      return false;
    });
    if (this.waiting.length > 0) this.timer = setTimeout(() => this.flush(), this.waitMs);
    if (batch.length === 0) return;
    const controller = new AbortController();
    const onAbort = (): void => {
      if (batch.every((w) => w.signal?.aborted)) controller.abort();
    };
    for (const w of batch) w.signal?.addEventListener('abort', onAbort, { once: true });
    this.run(
      batch.map((w) => w.item),
      controller.signal,
    )
      .then(
        (outcomes) =>
          batch.forEach((w, i) => {
            const outcome = outcomes[i];
            if (outcome instanceof Error) w.reject(outcome);
            else if (outcome === undefined) w.reject(new Error('The batch gave no result for this item.'));
            else w.resolve(outcome);
          }),
        (err: unknown) => batch.forEach((w) => w.reject(err instanceof Error ? err : new Error(String(err)))),
      )
      .finally(() => {
        for (const w of batch) w.signal?.removeEventListener('abort', onAbort);
      });
  }
}

function abortError(): Error {
  const err = new Error('The item was cancelled before its batch started.');
  err.name = 'AbortError';
  return err;
}
