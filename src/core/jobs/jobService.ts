/**
 * Process and export jobs: planning them (which images, in which order, to which output names),
 * running their items through an item runner (a worker pool in practice), and the finishing step
 * (bucket histogram; the export's manifest, dataset.toml or metadata.jsonl). Resuming a job runs the
 * same steps over the items still pending.
 */
import { join } from 'node:path';
import { datasetLayout } from '../dataset/datasetLayout.ts';
import { findAtomicTemps, removeStrayTemps } from '../strayTempFiles.ts';
import type { Database } from 'better-sqlite3';
import { searchImages } from '../index/search.ts';
import { loadProject } from '../projects/projectStore.ts';
import { checkExportFolder, claimExportFolder } from '../export/exportFolder.ts';
import type { ExportParams } from '../export/exportImage.ts';
import { finishExport } from '../export/finishExport.ts';
import { finishUnchangedExports } from '../export/unchangedExports.ts';
import { describeOptionProblem, exportOptionsProblem } from '../export/exportOptions.ts';
import { DatasetError } from '../dataset/datasetRoot.ts';
import type { ProcessParams, ProcessResult } from '../processing/processImage.ts';
import { createJob, getJob, jobItems } from './jobStore.ts';
import type { JobInfo } from './jobStore.ts';
import { runJob } from './jobRunner.ts';
import type { AnnotateParams } from '../annotate/annotatorSpec.ts';
import { annotateConcurrency, annotatorId } from '../annotate/annotatorSpec.ts';
import { checkBaseUrl } from '../annotate/cloud/cloudConfig.ts';
import type { AppliedAnnotation } from '../annotate/annotationFiles.ts';
import { ImageStore } from '../index/imageStore.ts';
import { refreshImageFiles } from '../index/refreshImageFiles.ts';
import { runBatchAnnotateJob } from '../annotate/batchAnnotateJob.ts';
import type { ItemOutcome, JobProgress } from './jobRunner.ts';
import type { AnnotateJobDetails, JobDetails, ProcessJobDetails } from './jobDetails.ts';

/** What to process: the images of a query (or all). */
export interface ProcessJobSpec {
  kind: 'process';
  query: string;
  params: ProcessParams;
}

/** What to export: a query's or a project's images. */
export interface ExportJobSpec {
  kind: 'export';
  source: { query: string } | { project: string };
  params: Omit<ExportParams, 'names'>;
  force: boolean;
}

/** What to annotate: a query's images (or all), with which annotator and merge strategy. */
export interface AnnotateJobSpec {
  kind: 'annotate';
  query: string;
  params: AnnotateParams;
}

/** A job to plan. */
export type JobSpec = ProcessJobSpec | ExportJobSpec | AnnotateJobSpec;

/** Work for one item, as the job worker receives it. */
export type ItemRequest =
  | { kind: 'process'; params: ProcessParams; key: string }
  | { kind: 'export'; params: ExportParams; key: string }
  | { kind: 'annotate'; params: AnnotateParams; key: string };

/** Runs one item somewhere (a worker pool); rejects with the item's failure. */
export type ItemRunner = (request: ItemRequest, signal: AbortSignal) => Promise<ItemOutcome>;

/** A finished (or paused) job with what its finishing step reports. */
export interface JobReport {
  job: JobInfo;
  /** Per kind (see jobDetails.ts); null for a process or export job that did not finish. */
  details: JobDetails | null;
}

/** Plans a job: resolves its images and stores it with its items (all pending). Returns its id. */
export function planJob(db: Database, root: string, spec: JobSpec): number {
  if (spec.kind === 'annotate') {
    if (spec.params.annotator.type === 'cloud' && spec.params.annotator.baseUrl)
      checkBaseUrl(spec.params.annotator.baseUrl);
    const paths = queryPaths(db, spec.query);
    const title = `Annotate ${paths.length} image${paths.length === 1 ? '' : 's'} with ${annotatorId(spec.params.annotator)}${spec.query ? ` (${spec.query})` : ''}`;
    return createJob(db, 'annotate', title, { root, query: spec.query, params: spec.params }, paths);
  }
  if (spec.kind === 'process') {
    const paths = queryPaths(db, spec.query);
    const title = `Process ${paths.length} image${paths.length === 1 ? '' : 's'}${spec.query ? ` (${spec.query})` : ''}`;
    return createJob(db, 'process', title, { root, query: spec.query, params: spec.params }, paths);
  }
  const problem = exportOptionsProblem(spec.params);
  if (problem) throw new DatasetError(describeOptionProblem(problem));
  const out = checkExportFolder(spec.params.out, root, spec.params.format, spec.force);
  const paths = exportSourcePaths(db, root, spec.source);
  const params: ExportParams = { ...spec.params, out, names: uniqueNames(paths) };
  claimExportFolder(out, spec.params.format, root);
  const from =
    'query' in spec.source
      ? spec.source.query
        ? `"${spec.source.query}"`
        : 'all images'
      : `project ${spec.source.project}`;
  return createJob(
    db,
    'export',
    `Export ${paths.length} images (${from}) as ${spec.params.format} to ${out}`,
    { root, params },
    paths,
  );
}

/** Options of runPlannedJob. */
export interface RunPlannedOptions {
  concurrency: number;
  signal?: AbortSignal;
  onProgress?: (p: JobProgress) => void;
  /** The provider key of a cloud annotation through a batch engine (never stored). */
  apiKey?: string;
  /** Milliseconds between polls of a provider's batches (default 30 s). */
  batchPollMs?: number;
  /** The dataset's caption extension: with it, an export finishes its unchanged images in one quick pass first. */
  captionExtension?: string;
}

/** Runs (or resumes) a job, then its finishing step when every item is through. */
export async function runPlannedJob(
  db: Database,
  jobId: number,
  runItem: ItemRunner,
  options: RunPlannedOptions,
): Promise<JobReport> {
  const job = getJob(db, jobId);
  if (!job) throw new Error(`There is no job ${jobId}.`);
  if (job.kind !== 'process' && job.kind !== 'export' && job.kind !== 'annotate')
    throw new Error(`Job ${jobId} is a ${job.kind} job, which this front end cannot run.`);
  const stored = job.params as { root: string; params: ProcessParams | ExportParams | AnnotateParams };
  if (job.kind === 'annotate')
    return runAnnotateJob(db, jobId, stored.root, stored.params as AnnotateParams, runItem, options);
  if (job.kind === 'export' && options.captionExtension !== undefined) {
    await finishUnchangedExports(
      db,
      jobId,
      { root: stored.root, captionExtension: options.captionExtension },
      stored.params as ExportParams,
      options,
    );
  }
  const finished = await runJob(
    db,
    jobId,
    (item, signal) => runItem({ kind: job.kind, params: stored.params, key: item.key } as ItemRequest, signal),
    options,
  );
  if (finished.state !== 'done') return { job: finished, details: null };
  const details =
    job.kind === 'process'
      ? finishProcess(db, jobId, stored.root)
      : { kind: 'export' as const, ...finishExport(db, jobId, stored.params as ExportParams, stored.root) };
  return { job: finished, details };
}

/** Runs an annotate job: its own concurrency, and each image's index rows re-read once its files are written. */
async function runAnnotateJob(
  db: Database,
  jobId: number,
  root: string,
  params: AnnotateParams,
  runItem: ItemRunner,
  options: RunPlannedOptions,
): Promise<JobReport> {
  const store = new ImageStore(db);
  const refresh = (path: string): void => {
    try {
      refreshImageFiles(db, store, root, path, params.captionExtension);
    } catch {
      // The next scan reads the files again.
    }
  };
  if (params.annotator.type === 'cloud' && params.annotator.batch) {
    const finished = await runBatchAnnotateJob(db, jobId, root, params, {
      apiKey: options.apiKey,
      onApplied: refresh,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(options.batchPollMs !== undefined ? { pollMs: options.batchPollMs } : {}),
    });
    return { job: finished, details: annotateDetails(db, jobId, annotatorId(params.annotator)) };
  }
  const finished = await runJob(
    db,
    jobId,
    async (item, signal) => {
      try {
        return await runItem({ kind: 'annotate', params, key: item.key }, signal);
      } finally {
        refresh(item.key);
      }
    },
    { ...options, concurrency: annotateConcurrency(params.annotator) },
  );
  return { job: finished, details: annotateDetails(db, jobId, annotatorId(params.annotator)) };
}

/** Counts of an annotate job's results: tags added and suggested, captions held, and the refusals of this job's own items. */
function annotateDetails(db: Database, jobId: number, model: string): AnnotateJobDetails {
  const applied = jobItems(db, jobId, 'done')
    .map((i) => (i.result as { applied?: AppliedAnnotation } | null)?.applied)
    .filter((a) => a !== undefined);
  const policy = jobItems(db, jobId, 'failed').filter(
    (i) => (i.result as { failure?: unknown } | null)?.failure === 'policy',
  ).length;
  return {
    kind: 'annotate',
    model,
    annotated: applied.length,
    tagsAdded: applied.reduce((n, a) => n + a.added.length, 0),
    tagsSuggested: applied.reduce((n, a) => n + a.suggested.length, 0),
    captionsChanged: applied.filter((a) => a.captionChanged).length,
    captionsHeld: applied.filter((a) => a.captionHeld).length,
    policyViolations: policy,
  };
}

function finishProcess(db: Database, jobId: number, root: string): ProcessJobDetails {
  // Temporary files a process run killed halfway left among the derived images (a live writer's are never touched).
  removeStrayTemps(findAtomicTemps(join(datasetLayout(root).dir, 'derived')));
  const results = [...jobItems(db, jobId, 'done'), ...jobItems(db, jobId, 'skipped')].map(
    (i) => i.result as ProcessResult,
  );
  const buckets = new Map<string, number>();
  for (const r of results) if (r.bucket) buckets.set(r.bucket, (buckets.get(r.bucket) ?? 0) + 1);
  return {
    kind: 'process',
    cropped: results.filter((r) => r.crop).length,
    upscaled: results.filter((r) => r.upscaled).length,
    buckets: [...buckets].sort((a, b) => b[1] - a[1]).map(([bucket, count]) => ({ bucket, count })),
  };
}

/** The paths of an export source's images: a query's results or a project's images. */
export function exportSourcePaths(db: Database, root: string, source: ExportJobSpec['source']): string[] {
  return 'query' in source ? queryPaths(db, source.query) : projectPaths(db, root, source.project);
}

/** The paths of a query's results, in its order. */
function queryPaths(db: Database, query: string): string[] {
  const paths: string[] = [];
  let cursor: string | undefined;
  do {
    const page = searchImages(db, query, { limit: 10_000, ...(cursor ? { cursor } : {}) });
    for (const item of page.items) paths.push(item.path);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return paths;
}

/** The current paths of a project's images (members are found by content hash, so moves are followed). */
function projectPaths(db: Database, root: string, name: string): string[] {
  const project = loadProject(root, name);
  if (project.query !== null) return queryPaths(db, project.query);
  const bySha = db.prepare('SELECT path FROM images WHERE sha256 = ? ORDER BY path = ? DESC LIMIT 1').pluck();
  const paths: string[] = [];
  for (const member of project.members) {
    const path = bySha.get(member.sha256, member.path) as string | undefined;
    if (path) paths.push(path);
  }
  if (paths.length === 0) throw new Error(`None of the images of project "${name}" are in the index.`);
  return paths;
}

/** Output file stems: the image's own name, with its folders prefixed when two images share it. */
export function uniqueNames(paths: readonly string[]): Record<string, string> {
  const stem = (p: string): string => p.slice(p.lastIndexOf('/') + 1).replace(/\.[^.]+$/, '');
  const counts = new Map<string, number>();
  for (const p of paths) counts.set(stem(p).toLowerCase(), (counts.get(stem(p).toLowerCase()) ?? 0) + 1);
  const names: Record<string, string> = {};
  const used = new Set<string>();
  for (const p of paths) {
    let name = counts.get(stem(p).toLowerCase())! > 1 ? p.replace(/\.[^.]+$/, '').replace(/\//g, '__') : stem(p);
    for (let n = 2; used.has(name.toLowerCase()); n++) name = `${stem(p)}_${n}`;
    used.add(name.toLowerCase());
    names[p] = name;
  }
  return names;
}
