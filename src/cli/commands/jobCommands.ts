/** `tagbench process`, `jobs` and `resume` (and the run every job command shares): long operations run as resumable jobs in a worker pool. */
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import type { Database } from 'better-sqlite3';
import { openDatasetIndex } from '../../core/index/datasetIndex.ts';
import { datasetLayout } from '../../core/dataset/datasetLayout.ts';
import { normalizeSettings, readDatasetSettings } from '../../core/dataset/datasetSettings.ts';
import { indexDataset } from '../../core/index/indexer.ts';
import { getJob, jobItems, listJobs, pauseInterruptedJobs, retryFailedItems } from '../../core/jobs/jobStore.ts';
import type { JobInfo } from '../../core/jobs/jobStore.ts';
import { planJob, runPlannedJob } from '../../core/jobs/jobService.ts';
import type { JobReport, JobSpec } from '../../core/jobs/jobService.ts';
import { jobCountsText, jobDetailsText } from '../../core/jobs/jobReportText.ts';
import { parseColour } from '../../core/processing/operations.ts';
import { createJobPool, poolItemRunner } from '../../workers/jobPool.ts';
import type { PoolRunnerOptions } from '../../workers/jobPool.ts';
import type { AnnotateParams } from '../../core/annotate/annotatorSpec.ts';
import { apiKeyFromEnv, cloudProvider } from '../../core/annotate/cloud/cloudConfig.ts';
import { cloudJobRunner } from '../../core/annotate/cloudItemRunner.ts';
import { ProgressBar } from '../progressBar.ts';
import { UsageError, withQueryContext } from '../cliError.ts';
import type { CommandContext } from '../commandContext.ts';

/** `tagbench process DIR [QUERY] --crop auto|none [--resize RES] [--upscale MODEL]`. */
export async function runProcessCommand(ctx: CommandContext): Promise<number> {
  const dir = ctx.positional(0, 'DIR');
  const query = ctx.rest(1).join(' ');
  const resolution = ctx.number('resize');
  const upscale = ctx.string('upscale');
  if (ctx.string('crop') === undefined && resolution === undefined && upscale === undefined) {
    throw new UsageError('Say what to do: --crop auto, --resize RES and/or --upscale MODEL.');
  }
  const flatten = ctx.string('flatten');
  if (flatten !== undefined && !parseColour(flatten))
    throw new UsageError(`--flatten needs a colour such as "#ffffff" or "white", not "${flatten}".`);
  const spec: JobSpec = {
    kind: 'process',
    query,
    params: {
      crop: ctx.choice('crop', ['auto', 'none'] as const, 'none'),
      resize:
        resolution !== undefined
          ? {
              resolution: checkResolution(resolution),
              mode: ctx.choice('mode', ['crop', 'fit', 'pad'] as const, 'crop'),
              allowUpscale: false,
            }
          : null,
      upscale:
        upscale !== undefined
          ? { model: upscale, targetLongSide: ctx.number('upscale-to') ?? resolution ?? 1024 }
          : null,
      format: ctx.choice('format', ['auto', 'png', 'jpeg', 'webp'] as const, 'auto'),
      quality: 95,
      flatten: flatten ?? null,
      keepMetadata: ctx.flag('keep-metadata'),
    },
  };
  return plannedRun(ctx, dir, (db, root) => withQueryContext(query, () => planJob(db, root, spec)));
}

/** `tagbench jobs DIR`: the jobs of a dataset and their state. */
export function runJobsCommand(ctx: CommandContext): number {
  const dir = ctx.positional(0, 'DIR');
  ctx.noMorePositionals(1);
  const { db } = openDatasetIndex(dir);
  try {
    pauseInterruptedJobs(db);
    const jobs = listJobs(db);
    if (ctx.flag('json')) {
      ctx.out(
        JSON.stringify(
          {
            jobs: jobs.map((j) => ({
              ...summaryOf(j),
              failures: jobItems(db, j.id, 'failed', 100).map((i) => ({ key: i.key, error: i.error })),
            })),
          },
          null,
          2,
        ),
      );
    } else if (jobs.length === 0) {
      ctx.out('No jobs.');
    } else {
      for (const j of jobs)
        ctx.out(
          `#${j.id} ${j.state.padEnd(7)} ${j.done + j.skipped + j.failed}/${j.total}${j.failed ? ` (${j.failed} failed)` : ''}  ${j.title}${j.message ? `: ${j.message}` : ''}`,
        );
    }
  } finally {
    db.close();
  }
  return 0;
}

/** `tagbench resume DIR JOB [--retry-failed]`: runs a paused job's remaining items. */
export async function runResumeCommand(ctx: CommandContext): Promise<number> {
  const dir = ctx.positional(0, 'DIR');
  const id = Number(ctx.positional(1, 'JOB'));
  ctx.noMorePositionals(2);
  if (!Number.isInteger(id) || id < 1) throw new UsageError('JOB must be a job number (see "tagbench jobs DIR").');
  return plannedRun(ctx, dir, (db) => {
    pauseInterruptedJobs(db);
    const job = getJob(db, id);
    if (!job) throw new UsageError(`There is no job ${id}; see "tagbench jobs ${dir}".`);
    if (job.state === 'running') throw new UsageError(`Job ${id} is running in another process.`);
    if (ctx.flag('retry-failed')) retryFailedItems(db, id);
    return id;
  });
}

/** Opens the dataset, plans (or picks) a job, runs it in a worker pool with a progress bar, and reports. */
export async function plannedRun(
  ctx: CommandContext,
  dir: string,
  plan: (db: Database, root: string) => number,
): Promise<number> {
  const { db, root } = openDatasetIndex(dir);
  const settings = normalizeSettings({
    ...readDatasetSettings(datasetLayout(root).settingsFile),
    ...ctx.settingsOverrides(),
  });
  const workers = ctx.number('workers') ?? availableParallelism();
  const pool = createJobPool(Math.max(1, workers));
  const bar = new ProgressBar();
  const controller = new AbortController();
  const onSignal = (): void => controller.abort();
  process.once('SIGINT', onSignal);
  let report: JobReport;
  try {
    const jobId = plan(db, root);
    const { runnerOptions, apiKey } = cloudRunOptions(getJob(db, jobId)!, root);
    bar.phase(`job #${jobId}`);
    const models = ctx.string('models');
    report = await runPlannedJob(
      db,
      jobId,
      poolItemRunner(
        pool,
        {
          root,
          captionExtension: settings.captionExtension,
          maxPixels: settings.maxPixels,
          ...(models ? { userModels: resolve(models) } : {}),
        },
        runnerOptions,
      ),
      {
        concurrency: Math.max(1, workers),
        captionExtension: settings.captionExtension,
        ...(apiKey ? { apiKey } : {}),
        ...(ctx.number('poll-seconds') !== undefined ? { batchPollMs: ctx.number('poll-seconds')! * 1000 } : {}),
        signal: controller.signal,
        onProgress: (p) => bar.update(p.done + p.failed + p.skipped, p.total),
      },
    );
  } finally {
    process.off('SIGINT', onSignal);
    bar.done();
    await pool.destroy();
    db.close();
  }
  if (report.job.kind === 'process' && report.job.done > 0) await indexDataset(root, { thumbnails: false });
  const failures = (() => {
    const again = openDatasetIndex(root).db;
    try {
      return jobItems(again, report.job.id, 'failed', 50).map((i) => ({ key: i.key, error: i.error }));
    } finally {
      again.close();
    }
  })();
  if (ctx.flag('json')) {
    ctx.out(JSON.stringify({ ...summaryOf(report.job), ...report.details, failures }, null, 2));
  } else {
    const j = report.job;
    ctx.out(
      `Job #${j.id} ${j.state}: ${jobCountsText(j)}.${j.state === 'paused' ? ` Resume with: tagbench resume ${dir} ${j.id}` : ''}`,
    );
    for (const f of failures) ctx.out(`  failed: ${f.key}: ${f.error}`);
    if (j.state === 'paused' && !controller.signal.aborted && j.message) ctx.err(`tagbench: ${j.message}`);
    for (const line of jobDetailsText(report.details)) ctx.out(line);
  }
  // Paused by Ctrl+C: 130, as shells report SIGINT; paused because the job cannot go on (a refused key): 1.
  if (report.job.state === 'paused') return controller.signal.aborted ? 130 : 1;
  return 0;
}

/** A cloud annotation job's key (from the environment) and item runner; nothing for other jobs. */
function cloudRunOptions(job: JobInfo, root: string): { runnerOptions: PoolRunnerOptions; apiKey?: string } {
  const annotator = job.kind === 'annotate' ? (job.params as { params?: AnnotateParams }).params?.annotator : undefined;
  if (annotator?.type !== 'cloud') return { runnerOptions: {} };
  const provider = cloudProvider(annotator.provider);
  const apiKey = apiKeyFromEnv(provider);
  if (!apiKey && !provider.keyOptional)
    throw new UsageError(`Set ${provider.keyEnv} to run ${job.title.charAt(0).toLowerCase()}${job.title.slice(1)}.`);
  return { runnerOptions: { cloud: cloudJobRunner(root, apiKey).run }, ...(apiKey ? { apiKey } : {}) };
}

function summaryOf(job: JobInfo): Record<string, unknown> {
  return {
    id: job.id,
    kind: job.kind,
    title: job.title,
    state: job.state,
    total: job.total,
    done: job.done,
    failed: job.failed,
    skipped: job.skipped,
    message: job.message,
  };
}

/** A training resolution from the command line: a multiple of 64 from 256 to 4096. */
export function checkResolution(value: number): number {
  if (value < 256 || value > 4096 || value % 64 !== 0)
    throw new UsageError('The resolution must be a multiple of 64 from 256 to 4096.');
  return value;
}
