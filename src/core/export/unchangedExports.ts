/**
 * The up-front pass of an export job: before any item goes to a worker, the pending items whose
 * outputs are still as the manifest records (see exportUnchangedImage) are finished here, a chunk of
 * them per transaction, yielding between chunks so the thread stays responsive and a cancel is seen.
 */
import type { Database } from 'better-sqlite3';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { finishItem, getJob, jobItems } from '../jobs/jobStore.ts';
import type { JobProgress } from '../jobs/jobRunner.ts';
import { exportPass, exportUnchangedImage } from './exportImage.ts';
import type { ExportEnvironment, ExportOutcome, ExportParams } from './exportImage.ts';

const CHUNK = 500;

/** Finishes an export job's unchanged items (skipped, or done when only the caption was rewritten); returns how many. */
export async function finishUnchangedExports(
  db: Database,
  jobId: number,
  env: Pick<ExportEnvironment, 'root' | 'captionExtension'>,
  params: ExportParams,
  options: { signal?: AbortSignal; onProgress?: (p: JobProgress) => void } = {},
): Promise<number> {
  const pending = jobItems(db, jobId, 'pending');
  const job = getJob(db, jobId);
  if (!job) return 0;
  const counts = { done: job.done, failed: job.failed, skipped: job.skipped };
  const pass = exportPass(params.out);
  const started = performance.now();
  let finished = 0;
  for (let start = 0; start < pending.length && !options.signal?.aborted; start += CHUNK) {
    const outcomes: { seq: number; outcome: ExportOutcome }[] = [];
    for (const item of pending.slice(start, start + CHUNK)) {
      try {
        const outcome = exportUnchangedImage(env, params, item.key, pass);
        if (outcome) outcomes.push({ seq: item.seq, outcome });
      } catch {
        // The item's own run reports what is wrong with it.
      }
    }
    db.transaction(() => {
      for (const { seq, outcome } of outcomes) finishItem(db, jobId, seq, outcome.state, { result: outcome.result });
    }).immediate();
    finished += outcomes.length;
    for (const { outcome } of outcomes) counts[outcome.state]++;
    const seconds = (performance.now() - started) / 1000;
    options.onProgress?.({
      jobId,
      total: job.total,
      ...counts,
      rate: seconds > 0 ? finished / seconds : 0,
      etaSeconds: null,
    });
    await nextTurn();
  }
  return finished;
}
