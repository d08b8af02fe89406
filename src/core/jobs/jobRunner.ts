/**
 * Running a job's pending items a few at a time, recording each outcome as it arrives. A failing item
 * is recorded with its reason and the job goes on; cancelling stops handing out items and aborts the
 * ones in flight, which stay pending, so a resumed job never does an item twice. The job's state,
 * heartbeat and progress are kept by its lifecycle (jobLifecycle.ts).
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
export async function runJob(db: Database, jobId: number, execute: ItemExecutor, options: RunJobOptions): Promise<JobInfo> {
  return runJobLifecycle(db, jobId, options, async (run) => {
    const pending = jobItems(db, jobId, 'pending');
    run.progress();
    let next = 0;
    const lane = async (): Promise<void> => {
      while (next < pending.length && !run.signal.aborted) {
        const item = pending[next++]!;
        let outcome: ItemResult;
        try {
          outcome = await execute({ seq: item.seq, key: item.key }, run.signal);
        } catch (err) {
          if (err instanceof ItemAborted || (run.signal.aborted && (err as Error).name === 'AbortError')) return;
          outcome = { state: 'failed', error: err instanceof Error ? err.message : String(err), ...(err instanceof ItemFailed ? { result: err.result } : {}) };
        }
        run.finish(item, outcome);
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency, pending.length)) }, lane));
  });
}
