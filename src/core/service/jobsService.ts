/**
 * A dataset's jobs as a front end drives them: plan, run (one at a time per dataset, items in a
 * worker pool), cancel, list, show failures, and find jobs a closed window left unfinished.
 */
import type { Database } from 'better-sqlite3';
import { getJob, jobItems, listJobs, pauseInterruptedJobs, retryFailedItems } from '../jobs/jobStore.ts';
import type { JobInfo } from '../jobs/jobStore.ts';
import { exportSourcePaths, planJob, runPlannedJob } from '../jobs/jobService.ts';
import type { ExportJobSpec, ItemRunner, JobReport, JobSpec } from '../jobs/jobService.ts';
import { inspectExportFolder } from '../export/exportFolder.ts';
import type { ExportFolderCheck } from '../export/exportFolder.ts';
import { summarizeExportSource } from '../export/exportSource.ts';
import type { ExportSourceSummary } from '../export/exportSource.ts';
import type { JobProgress } from '../jobs/jobRunner.ts';
import { annotationPreflight, cloudRunnerOf, estimateAnnotation } from '../annotate/cloudItemRunner.ts';
import type { CloudSpec } from '../annotate/annotatorSpec.ts';
import type { CloudEstimate } from '../annotate/cloud/estimate.ts';

/** Makes an item runner for a pool of `size` workers; the service closes it with `close()`. */
export type RunnerFactory = (size: number) => { runner: ItemRunner; close: () => Promise<void> };

/** Jobs of one dataset. */
export class JobsService {
  private readonly db: Database;
  private readonly root: string;
  private readonly makeRunner: RunnerFactory;
  private readonly captionExtension: () => string;
  private readonly running = new Map<number, AbortController>();
  private pool: { runner: ItemRunner; close: () => Promise<void>; size: number } | undefined;

  /** `captionExtension` gives the dataset's current caption extension (for an export's up-front pass). */
  constructor(db: Database, root: string, makeRunner: RunnerFactory, captionExtension: () => string = () => '.txt') {
    this.db = db;
    this.root = root;
    this.makeRunner = makeRunner;
    this.captionExtension = captionExtension;
  }

  /** Plans a job; returns its id. */
  plan(spec: JobSpec): number {
    return planJob(this.db, this.root, spec);
  }

  /** Runs (or resumes) a job with `workers` workers, reporting progress; `apiKey` for a cloud annotation. */
  async run(
    jobId: number,
    workers: number,
    onProgress: (p: JobProgress) => void,
    retryFailed = false,
    apiKey?: string,
  ): Promise<JobReport> {
    if (this.running.has(jobId)) throw new Error(`Job ${jobId} is already running.`);
    pauseInterruptedJobs(this.db);
    const job = getJob(this.db, jobId);
    if (!job) throw new Error(`There is no job ${jobId}.`);
    if (job.state === 'running') throw new Error(`Job ${jobId} is running in another window or process.`);
    if (retryFailed) retryFailedItems(this.db, jobId);
    if (!this.pool || this.pool.size !== workers) {
      await this.pool?.close();
      this.pool = { ...this.makeRunner(workers), size: workers };
    }
    const controller = new AbortController();
    this.running.set(jobId, controller);
    const cloud = cloudRunnerOf(job, this.root, apiKey);
    const poolRunner = this.pool.runner;
    const runner: ItemRunner = cloud
      ? (request, signal) => (request.kind === 'annotate' ? cloud.run(request, signal) : poolRunner(request, signal))
      : poolRunner;
    try {
      return await runPlannedJob(this.db, jobId, runner, {
        concurrency: workers,
        signal: controller.signal,
        onProgress,
        captionExtension: this.captionExtension(),
        ...(apiKey ? { apiKey } : {}),
      });
    } finally {
      this.running.delete(jobId);
      await cloud?.close();
    }
  }

  /** Before an export: how many images a source gives, and from which kohya concept folders. */
  exportSource(source: ExportJobSpec['source']): ExportSourceSummary {
    return summarizeExportSource(exportSourcePaths(this.db, this.root, source));
  }

  /** Before an export: whether a folder can take it (the check planning does), and where it really is. */
  checkExportFolder(out: string, format: string): ExportFolderCheck {
    return inspectExportFolder(out, this.root, format);
  }

  /** Before an annotation run: the images a query gives and how many of them `model` refused before. */
  annotationPreflight(query: string, model: string): { images: number; refused: number } {
    return annotationPreflight(this.db, query, model);
  }

  /** The estimate of a cloud run over a query's images. */
  annotationEstimate(query: string, spec: CloudSpec): CloudEstimate {
    return estimateAnnotation(this.db, query, spec);
  }

  /** Cancels a running job (its items in flight stay pending). */
  cancel(jobId: number): boolean {
    const controller = this.running.get(jobId);
    controller?.abort();
    return controller !== undefined;
  }

  /** Recent jobs, newest first (jobs whose process is gone shown as paused). */
  list(): JobInfo[] {
    pauseInterruptedJobs(this.db);
    return listJobs(this.db);
  }

  /** A job's failed items and why. */
  failures(jobId: number): { key: string; error: string }[] {
    return jobItems(this.db, jobId, 'failed').map((i) => ({ key: i.key, error: i.error ?? '' }));
  }

  /** Jobs left unfinished by a process that is gone (now paused), and paused ones. */
  unfinished(): JobInfo[] {
    pauseInterruptedJobs(this.db);
    return listJobs(this.db).filter((j) => j.state === 'paused' && !this.running.has(j.id));
  }

  /** Stops running jobs and the pool. */
  async close(): Promise<void> {
    for (const controller of this.running.values()) controller.abort();
    await this.pool?.close();
    this.pool = undefined;
  }
}
