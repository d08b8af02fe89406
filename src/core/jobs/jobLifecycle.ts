/**
 * The life of one run of a job, whatever does its items: claim it for this process, keep its
 * heartbeat, record each item's outcome and report progress, and set its final state from its items
 * when the work ends, is cancelled or fails (done when every item is through, paused otherwise), so
 * no job is ever left "running" by a process that is still alive.
 */
import type { Database } from 'better-sqlite3';
import { claimJob, finishItem, getJob, setJobState, touchJob } from './jobStore.ts';
import type { JobInfo } from './jobStore.ts';
import type { JobProgress } from './jobRunner.ts';

/** How an item ended. A failure may carry a result too (what is known about it, e.g. `{ failure: 'policy' }`). */
export type ItemResult =
  { state: 'done' | 'skipped'; result?: unknown } | { state: 'failed'; error: string; result?: unknown };

/** A job being run by this process, as its work sees it. */
export interface JobRun {
  readonly jobId: number;
  /** The job when this run started. */
  readonly job: JobInfo;
  /** Aborted when the run is cancelled: stop handing out items. */
  readonly signal: AbortSignal;
  /** Records an item's outcome and reports progress. */
  finish(item: { seq: number; key: string }, outcome: ItemResult): void;
  /** Reports progress without a finished item; `providerDone` counts items done at a provider but not yet collected. */
  progress(extra?: { providerDone?: number }): void;
}

/** Options of runJobLifecycle. */
export interface LifecycleOptions {
  signal?: AbortSignal;
  onProgress?: (progress: JobProgress) => void;
  /** Estimate the time left from this run's rate (default true; a provider's batch finishes all at once). */
  estimate?: boolean;
}

/** What the work says when it stops before every item is through (the job's message while paused). */
export interface WorkEnd {
  pausedMessage?: string | null;
}

/** Milliseconds between heartbeats of a running job. */
export const HEARTBEAT_INTERVAL_MS = 5_000;

/**
 * Runs `work` as a run of job `jobId` and returns the job's final state. Throws JobRunningError when
 * the job runs in another live process; when `work` throws, the job is paused with the error as its
 * message and the error is rethrown.
 */
export async function runJobLifecycle(
  db: Database,
  jobId: number,
  options: LifecycleOptions,
  work: (run: JobRun) => Promise<WorkEnd | void>,
): Promise<JobInfo> {
  const job = getJob(db, jobId);
  if (!job) throw new Error(`There is no job ${jobId}.`);
  claimJob(db, jobId);
  const heartbeat = setInterval(() => {
    try {
      touchJob(db, jobId);
    } catch {
      // A busy or full disk: the next beat tries again, and the owner's pid still tells it runs.
    }
  }, HEARTBEAT_INTERVAL_MS);
  const local = new AbortController();
  const onAbort = (): void => local.abort();
  options.signal?.addEventListener('abort', onAbort);
  if (options.signal?.aborted) local.abort();
  const counts = { done: job.done, failed: job.failed, skipped: job.skipped };
  const started = performance.now();
  let finishedThisRun = 0;
  const report = (extra: { key?: string; error?: string; providerDone?: number } = {}): void => {
    const seconds = (performance.now() - started) / 1000;
    const rate = seconds > 0 ? finishedThisRun / seconds : 0;
    const left = job.total - counts.done - counts.failed - counts.skipped;
    options.onProgress?.({
      jobId,
      total: job.total,
      ...counts,
      done: counts.done + (extra.providerDone ?? 0),
      rate,
      etaSeconds: options.estimate !== false && rate > 0 ? left / rate : null,
      ...(extra.key ? { key: extra.key } : {}),
      ...(extra.error ? { error: extra.error } : {}),
    });
  };
  const run: JobRun = {
    jobId,
    job,
    signal: local.signal,
    finish(item, outcome) {
      finishItem(db, jobId, item.seq, outcome.state, outcome);
      counts[outcome.state]++;
      finishedThisRun++;
      report({ key: item.key, ...(outcome.state === 'failed' ? { error: outcome.error } : {}) });
    },
    progress(extra) {
      report(extra);
    },
  };
  let end: WorkEnd | void = undefined;
  let failure: { error: unknown } | undefined;
  try {
    end = await work(run);
  } catch (error) {
    failure = { error };
  } finally {
    clearInterval(heartbeat);
    options.signal?.removeEventListener('abort', onAbort);
  }
  try {
    const now = getJob(db, jobId)!;
    const left = now.total - now.done - now.failed - now.skipped;
    if (failure)
      setJobState(
        db,
        jobId,
        'paused',
        `Stopped: ${failure.error instanceof Error ? failure.error.message : String(failure.error)}`,
      );
    else if (left === 0)
      setJobState(db, jobId, 'done', now.failed > 0 ? `${now.failed} of ${now.total} items failed.` : null);
    else
      setJobState(
        db,
        jobId,
        'paused',
        end?.pausedMessage !== undefined ? end.pausedMessage : local.signal.aborted ? 'Cancelled.' : null,
      );
  } catch (err) {
    // The state could not be written (a full disk): the job stays "running" with this process as its
    // owner, and counts as interrupted as soon as the process is gone.
    if (!failure) throw err;
  }
  if (failure) throw failure.error;
  return getJob(db, jobId)!;
}
