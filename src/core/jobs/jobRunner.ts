/**
 * Running a job's pending items a few at a time, recording each outcome as it arrives. A failing item
 * is recorded with its reason and the job goes on; cancelling stops handing out items and aborts the
 * ones in flight, which stay pending, so a resumed job never does an item twice. An item that finds
 * the whole job cannot go on (JobHalted, e.g. a refused API key) stops it the same way, paused with
 * its message.
 */
import type { Database } from 'better-sqlite3';
import { finishItem, getJob, jobItems, setJobState, touchJob } from './jobStore.ts';
import type { JobInfo } from './jobStore.ts';

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

/** Runs (or resumes) a job until its items are all finished or it is cancelled; returns its final state. */
export async function runJob(db: Database, jobId: number, execute: ItemExecutor, options: RunJobOptions): Promise<JobInfo> {
  const job = getJob(db, jobId);
  if (!job) throw new Error(`There is no job ${jobId}.`);
  setJobState(db, jobId, 'running');
  touchJob(db, jobId);
  const heartbeat = setInterval(() => touchJob(db, jobId), 5_000);
  const pending = jobItems(db, jobId, 'pending');
  const counts = { done: job.done, failed: job.failed, skipped: job.skipped };
  const started = performance.now();
  let finishedThisRun = 0;
  const local = new AbortController();
  const onAbort = (): void => local.abort();
  options.signal?.addEventListener('abort', onAbort);
  if (options.signal?.aborted) local.abort();
  let next = 0;
  let halted: string | undefined;
  const report = (key?: string, error?: string): void => {
    const seconds = (performance.now() - started) / 1000;
    const rate = seconds > 0 ? finishedThisRun / seconds : 0;
    const left = job.total - counts.done - counts.failed - counts.skipped;
    options.onProgress?.({ jobId, total: job.total, ...counts, rate, etaSeconds: rate > 0 ? left / rate : null, ...(key ? { key } : {}), ...(error ? { error } : {}) });
  };
  report();
  const lane = async (): Promise<void> => {
    while (next < pending.length && !local.signal.aborted) {
      const item = pending[next++]!;
      try {
        const outcome = await execute({ seq: item.seq, key: item.key }, local.signal);
        finishItem(db, jobId, item.seq, outcome.state, { result: outcome.result });
        counts[outcome.state]++;
        finishedThisRun++;
        report(item.key);
      } catch (err) {
        if (err instanceof JobHalted) {
          halted ??= err.message;
          local.abort();
          return;
        }
        if (err instanceof ItemAborted || (local.signal.aborted && (err as Error).name === 'AbortError')) return;
        const message = err instanceof Error ? err.message : String(err);
        finishItem(db, jobId, item.seq, 'failed', { error: message });
        counts.failed++;
        finishedThisRun++;
        report(item.key, message);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency, pending.length)) }, lane));
  } finally {
    clearInterval(heartbeat);
    options.signal?.removeEventListener('abort', onAbort);
  }
  const finished = counts.done + counts.failed + counts.skipped === job.total;
  if (finished) setJobState(db, jobId, 'done', counts.failed > 0 ? `${counts.failed} of ${job.total} items failed.` : null);
  else setJobState(db, jobId, 'paused', halted ?? (local.signal.aborted ? 'Cancelled.' : null));
  return getJob(db, jobId)!;
}
