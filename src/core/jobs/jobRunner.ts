/**
 * Running a job's pending items a few at a time, recording each outcome as it arrives. A failing item
 * is recorded with its reason and the job goes on; cancelling stops handing out items and aborts the
 * ones in flight, which stay pending, so a resumed job never does an item twice. An item that finds
 * the whole job cannot go on (JobHalted, e.g. a refused API key) stops it the same way, paused with
 * its message. The job's state, heartbeat and progress are kept by its lifecycle (jobLifecycle.ts).
 */
import type { Database } from 'better-sqlite3';
import { jobItems } from './jobStore.ts';
import type { JobInfo } from './jobStore.ts';
import { runJobLifecycle } from './jobLifecycle.ts';
import type { ItemResult } from './jobLifecycle.ts';

/** What an item's work produced. */
export interface ItemOutcome {
  state: 'done' | 'skipped';
  result?: unknown;
}

/** Does one item; throws (with a clear message) when the item fails. */
export type ItemExecutor = (item: { seq: number; key: string }, signal: AbortSignal) => Promise<ItemOutcome>;

/** Progress of a running job. */
export interface JobProgress {
  jobId: number;
  total: number;
  done: number;
  failed: number;
  skipped: number;
  /** Items per second since this run started. */
  rate: number;
  /** Seconds left at that rate, or null while unknown. */
  etaSeconds: number | null;
  /** The item that just finished. */
  key?: string;
  error?: string;
}

/** Options of runJob. */
export interface RunJobOptions {
  concurrency: number;
  signal?: AbortSignal;
  onProgress?: (progress: JobProgress) => void;
}

/** An error thrown by an executor when it was aborted: the item stays pending. */
export class ItemAborted extends Error {
  constructor() {
    super('The item was cancelled.');
    this.name = 'ItemAborted';
  }
}

/**
 * Thrown by an executor when no item of the job can succeed until the user fixes something (a
 * refused API key): the item stays pending, the others are stopped, and the job is paused with this
 * message, so fixing the cause and resuming finishes it.
 */
export class JobHalted extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JobHalted';
  }
}

/** An item's failure with what is known about it (stored as the item's result, e.g. `{ failure: 'policy' }`). */
export class ItemFailed extends Error {
  readonly result: unknown;

  constructor(message: string, result: unknown) {
    super(message);
    this.name = 'ItemFailed';
    this.result = result;
  }
}

/** Runs (or resumes) a job until its items are all finished or it is cancelled; returns its final state. */
export async function runJob(
  db: Database,
  jobId: number,
  execute: ItemExecutor,
  options: RunJobOptions,
): Promise<JobInfo> {
  return runJobLifecycle(db, jobId, options, async (run) => {
    const pending = jobItems(db, jobId, 'pending');
    run.progress();
    // Aborted by a cancel, or by an item that halts the whole job.
    const stop = new AbortController();
    const onAbort = (): void => stop.abort();
    run.signal.addEventListener('abort', onAbort);
    if (run.signal.aborted) stop.abort();
    let halted: string | undefined;
    let next = 0;
    try {
      const lane = async (): Promise<void> => {
        while (next < pending.length && !stop.signal.aborted) {
          const item = pending[next++]!;
          let outcome: ItemResult;
          try {
            outcome = await execute({ seq: item.seq, key: item.key }, stop.signal);
          } catch (err) {
            if (err instanceof JobHalted) {
              halted ??= err.message;
              stop.abort();
              return;
            }
            if (err instanceof ItemAborted || (stop.signal.aborted && (err as Error).name === 'AbortError')) return;
            outcome = {
              state: 'failed',
              error: err instanceof Error ? err.message : String(err),
              ...(err instanceof ItemFailed ? { result: err.result } : {}),
            };
          }
          run.finish(item, outcome);
        }
      };
      await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency, pending.length)) }, lane));
    } finally {
      run.signal.removeEventListener('abort', onAbort);
    }
    return halted !== undefined ? { pausedMessage: halted } : undefined;
  });
}
