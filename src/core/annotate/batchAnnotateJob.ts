/**
 * A cloud annotate job through the provider's batch engine (OpenAI Batch API, Anthropic Message
 * Batches): submit the pending images as batches, keep each batch's state in jobs.db at once, poll
 * until the provider is done, then write every result into its image's files. Cancelling stops the
 * polling only: the batches keep running at the provider, and a resumed job polls them again and
 * collects their results (nothing is submitted twice). A key the provider refuses pauses the job
 * with one message before any image is uploaded; resuming with a valid key submits them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Database } from 'better-sqlite3';
import type { AnnotationError, AnnotationRequest } from './annotator.ts';
import type { AnnotateParams, CloudSpec } from './annotatorSpec.ts';
import { annotatorId, annotatorKind } from './annotatorSpec.ts';
import { annotatorParams } from './localAnnotatorCache.ts';
import { applyItemOutcome, imageFiles } from './annotateItems.ts';
import { readCaptionText } from './annotationFiles.ts';
import { createBatchEngine } from './cloud/batchEngine.ts';
import { BatchSubmitError } from './cloud/batchState.ts';
import { keyRefusedMessage } from './cloud/cloudErrors.ts';
import { cloudProvider } from './cloud/cloudConfig.ts';
import type { BatchEngine, CloudBatchState } from './cloud/batchState.ts';
import { jobItems } from '../jobs/jobStore.ts';
import type { JobInfo } from '../jobs/jobStore.ts';
import type { JobProgress } from '../jobs/jobRunner.ts';
import { runJobLifecycle } from '../jobs/jobLifecycle.ts';

/** Options of a batch run. */
export interface BatchRunOptions {
  apiKey: string | undefined;
  signal?: AbortSignal;
  onProgress?: (progress: JobProgress) => void;
  /** Milliseconds between polls (default 30 s; the providers finish within 24 hours). */
  pollMs?: number;
  /** Called after each image's files were written (the index refresh). */
  onApplied?: (path: string) => void;
  /** The engine (default: the provider's, built from the spec and key). */
  engine?: BatchEngine;
}

/** The batches a job submitted, with whether their results were applied. */
export function jobBatches(db: Database, jobId: number): { state: CloudBatchState; applied: boolean }[] {
  return (
    db.prepare('SELECT state, applied FROM job_batches WHERE job_id = ? ORDER BY batch_id').all(jobId) as {
      state: string;
      applied: number;
    }[]
  ).map((r) => ({ state: JSON.parse(r.state) as CloudBatchState, applied: r.applied === 1 }));
}

function saveBatch(db: Database, jobId: number, state: CloudBatchState, applied = false): void {
  db.prepare('INSERT OR REPLACE INTO job_batches (job_id, batch_id, state, applied) VALUES (?, ?, ?, ?)').run(
    jobId,
    state.batchId,
    JSON.stringify(state),
    applied ? 1 : 0,
  );
}

/** Runs (or resumes) a batch annotate job; returns its state when it is done or paused. Its lifecycle is the jobs' own. */
export async function runBatchAnnotateJob(
  db: Database,
  jobId: number,
  root: string,
  params: AnnotateParams,
  options: BatchRunOptions,
): Promise<JobInfo> {
  const spec = params.annotator as CloudSpec;
  const engine =
    options.engine ??
    createBatchEngine({
      provider: spec.provider,
      model: spec.model,
      style: spec.style,
      maxSide: spec.maxSide,
      ...(options.apiKey ? { apiKey: options.apiKey } : {}),
      ...(spec.baseUrl ? { baseUrl: spec.baseUrl } : {}),
      ...(spec.template ? { template: spec.template } : {}),
      ...(spec.trigger ? { trigger: spec.trigger } : {}),
    });
  const ctx = { root, captionExtension: params.captionExtension };
  const model = { kind: annotatorKind(spec), params: { ...annotatorParams(spec), batch: true } };
  const id = annotatorId(spec);
  const lifecycle = {
    estimate: false,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  };
  return runJobLifecycle(db, jobId, lifecycle, async (run) => {
    const pendingByPath = new Map(jobItems(db, jobId, 'pending').map((i) => [i.key, i]));
    const finish = (path: string, outcome: ReturnType<typeof applyItemOutcome>): void => {
      const item = pendingByPath.get(path);
      if (!item) return;
      pendingByPath.delete(path);
      if (outcome.state === 'done')
        run.finish(item, { state: 'done', result: { model: outcome.model, applied: outcome.applied } });
      else run.finish(item, { state: 'failed', error: outcome.error, result: { failure: outcome.failure } });
      options.onApplied?.(path);
    };
    // Submit the pending images no batch holds yet (a first run, or what a failed submission left).
    const held = new Set(jobBatches(db, jobId).flatMap((b) => Object.values(b.state.customIds)));
    const toSubmit = [...pendingByPath.keys()].filter((p) => !held.has(p));
    let halted: string | undefined;
    if (toSubmit.length > 0 && !run.signal.aborted) {
      let submitted:
        { states: CloudBatchState[]; imageErrors: { path: string; outcome: AnnotationError | unknown }[] } | undefined;
      try {
        submitted = await engine.submit(requestsOf(ctx.root, params.captionExtension, toSubmit));
      } catch (err) {
        if (!(err instanceof BatchSubmitError)) throw err;
        for (const state of err.states) saveBatch(db, jobId, state);
        for (const e of err.imageErrors)
          finish(e.path, applyItemOutcome(id, model, filesOf(ctx, e.path), e.outcome, params.merge));
        if (err.error.failure !== 'auth') throw new Error(err.message, { cause: err });
        halted = keyRefusedMessage(cloudProvider(spec.provider), options.apiKey, err.error.message);
      }
      if (submitted) {
        for (const state of submitted.states) saveBatch(db, jobId, state);
        for (const e of submitted.imageErrors)
          finish(e.path, applyItemOutcome(id, model, filesOf(ctx, e.path), e.outcome as AnnotationError, params.merge));
      }
    }
    run.progress();
    // Poll until every batch is over, then apply its results.
    const pollMs = options.pollMs ?? 30_000;
    for (;;) {
      const open = jobBatches(db, jobId).filter((b) => !b.applied);
      if (open.length === 0 || run.signal.aborted || halted) break;
      let providerDone = 0;
      for (const batch of open) {
        const progress = await engine.poll(batch.state);
        saveBatch(db, jobId, progress.state);
        if (progress.done) {
          for (const item of await engine.results(progress.state)) {
            finish(item.path, applyItemOutcome(id, model, filesOf(ctx, item.path), item.outcome, params.merge));
          }
          saveBatch(db, jobId, progress.state, true);
        } else {
          providerDone += progress.succeeded + progress.failed;
        }
      }
      run.progress({ providerDone });
      if (jobBatches(db, jobId).every((b) => b.applied)) break;
      await sleep(pollMs, run.signal);
    }
    if (halted) return { pausedMessage: halted };
    return run.signal.aborted
      ? { pausedMessage: 'Stopped waiting; the batches go on at the provider and resuming collects them.' }
      : {};
  });
}

/** The requests of the images at `paths`, read one at a time as the engine asks for them. */
async function* requestsOf(
  root: string,
  captionExtension: string,
  paths: readonly string[],
): AsyncGenerator<AnnotationRequest> {
  for (const path of paths) {
    let image: Buffer;
    try {
      image = readFileSync(join(root, path));
    } catch {
      image = Buffer.alloc(0);
    }
    let caption: string | null;
    try {
      caption = readCaptionText({ root, path, sha256: '', captionExtension });
    } catch {
      caption = null;
    }
    yield { path, image, caption };
  }
}

function filesOf(ctx: { root: string; captionExtension: string }, path: string): ReturnType<typeof imageFiles> {
  let image: Buffer;
  try {
    image = readFileSync(join(ctx.root, path));
  } catch {
    image = Buffer.alloc(0);
  }
  return imageFiles(ctx, path, image);
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
