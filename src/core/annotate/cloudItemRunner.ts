/**
 * Running a cloud annotate job's items in the job's own thread: one SDK client for the run, every
 * request through a scheduler that keeps the provider's rate limit and retries rate limits, server
 * errors and timeouts with backoff, and each result merged into the image's files.
 */
import type { AnnotationError, AnnotationRequest, AnnotationResult, Annotator } from './annotator.ts';
import type { AnnotateParams, CloudSpec } from './annotatorSpec.ts';
import { annotatorKind } from './annotatorSpec.ts';
import { annotatorParams } from './localAnnotatorCache.ts';
import { annotateItems, itemOutcome } from './annotateItems.ts';
import type { ItemAnnotation } from './annotateItems.ts';
import { createCloudAnnotator } from './cloud/createCloudAnnotator.ts';
import { requestScheduler } from './cloudScheduling.ts';
import { KeyGate } from './cloud/keyGate.ts';
import { keyRefusedMessage } from './cloud/cloudErrors.ts';
import { cloudProvider } from './cloud/cloudConfig.ts';
import type { Database } from 'better-sqlite3';
import type { ItemRequest } from '../jobs/jobService.ts';
import { JobHalted } from '../jobs/jobRunner.ts';
import type { ItemOutcome } from '../jobs/jobRunner.ts';
import type { JobInfo } from '../jobs/jobStore.ts';
import { searchImages } from '../index/search.ts';
import { estimateRun } from './cloud/estimate.ts';
import type { CloudEstimate } from './cloud/estimate.ts';

/** Sends one request when the rate limit allows, retrying what can be retried; resolves with the final result or error. */
export type RequestScheduler = (
  request: AnnotationRequest,
  call: (signal?: AbortSignal) => Promise<AnnotationResult | AnnotationError>,
  signal?: AbortSignal,
) => Promise<AnnotationResult | AnnotationError>;

/**
 * An annotator whose requests go through a scheduler, one image per provider call, and a KeyGate:
 * one request until the provider accepted the key, none after it refused it.
 */
export class ScheduledAnnotator implements Annotator {
  readonly id: string;
  readonly batchSize = 1;
  /** The run's guard against a refused key. */
  readonly gate = new KeyGate();
  private readonly inner: Annotator;
  private readonly schedule: RequestScheduler;

  constructor(inner: Annotator, schedule: RequestScheduler) {
    this.inner = inner;
    this.id = inner.id;
    this.schedule = schedule;
  }

  /** Annotates each request through the scheduler, concurrently. */
  annotate(
    requests: readonly AnnotationRequest[],
    signal?: AbortSignal,
  ): Promise<(AnnotationResult | AnnotationError)[]> {
    return Promise.all(
      requests.map((request) =>
        this.schedule(
          request,
          (s) => this.gate.send(async () => (await this.inner.annotate([request], s))[0]!, s),
          signal,
        ),
      ),
    );
  }

  /** Closes the inner annotator. */
  close(): Promise<void> {
    return this.inner.close();
  }
}

/** Annotates one image of a cloud job and writes the result; the caller owns `annotator` and closes it. */
export function cloudAnnotateItem(
  annotator: Annotator,
  params: AnnotateParams,
  root: string,
  path: string,
  signal?: AbortSignal,
): Promise<ItemAnnotation> {
  return annotateItems(
    annotator,
    { kind: annotatorKind(params.annotator), params: annotatorParams(params.annotator) },
    [path],
    { root, captionExtension: params.captionExtension },
    params.merge,
    signal,
  ).then((outcomes) => outcomes[0]!);
}

/** The SDK-backed annotator of a cloud spec (the key is given at run time, never stored in the job). */
export function cloudAnnotator(spec: CloudSpec, apiKey: string | undefined): Annotator {
  return createCloudAnnotator({
    provider: spec.provider,
    model: spec.model,
    style: spec.style,
    maxSide: spec.maxSide,
    ...(apiKey ? { apiKey } : {}),
    ...(spec.baseUrl ? { baseUrl: spec.baseUrl } : {}),
    ...(spec.template ? { template: spec.template } : {}),
    ...(spec.trigger ? { trigger: spec.trigger } : {}),
  });
}

/** A cloud job's item runner and what ends it. */
export interface CloudJobRunner {
  run: (request: Extract<ItemRequest, { kind: 'annotate' }>, signal: AbortSignal) => Promise<ItemOutcome>;
  close: () => Promise<void>;
}

/**
 * The item runner of cloud annotate jobs: one client and one rate limit per run, built from the first
 * item's parameters (all items of a job share them). A refused key halts the job (JobHalted): the
 * item stays pending and the job pauses with one message saying how to fix it.
 */
export function cloudJobRunner(root: string, apiKey: string | undefined): CloudJobRunner {
  let annotator: ScheduledAnnotator | undefined;
  return {
    run: async (request, signal) => {
      const spec = request.params.annotator;
      if (spec.type !== 'cloud') throw new Error('Not a cloud annotation.');
      annotator ??= new ScheduledAnnotator(cloudAnnotator(spec, apiKey), requestScheduler(spec));
      const outcome = await cloudAnnotateItem(annotator, request.params, root, request.key, signal);
      if (outcome.state === 'failed' && outcome.failure === 'auth')
        throw new JobHalted(keyRefusedMessage(cloudProvider(spec.provider), apiKey, outcome.error));
      return itemOutcome(outcome);
    },
    close: async () => annotator?.close(),
  };
}

/** The runner of a cloud annotate job (undefined for any other job). */
export function cloudRunnerOf(job: JobInfo, root: string, apiKey: string | undefined): CloudJobRunner | undefined {
  const annotator = job.kind === 'annotate' ? (job.params as { params?: AnnotateParams }).params?.annotator : undefined;
  return annotator?.type === 'cloud' ? cloudJobRunner(root, apiKey) : undefined;
}

/** Before an annotation run: how many images `query` gives, and how many of them `model` refused before (content policy). */
export function annotationPreflight(db: Database, query: string, model: string): { images: number; refused: number } {
  const refusedIds = new Set(
    db
      .prepare("SELECT image_id FROM annotations WHERE model = ? AND failure = 'policy'")
      .pluck()
      .all(model) as number[],
  );
  let images = 0;
  let refused = 0;
  let cursor: string | undefined;
  do {
    const page = searchImages(db, query, { limit: 10_000, ...(cursor ? { cursor } : {}) });
    images += page.items.length;
    for (const item of page.items) if (refusedIds.has(item.id)) refused++;
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return { images, refused };
}

/** The estimate of a cloud run over a query's images: requests, tokens, minutes and cost (when priced). */
export function estimateAnnotation(db: Database, query: string, spec: CloudSpec): CloudEstimate {
  const images: { width: number; height: number }[] = [];
  let cursor: string | undefined;
  do {
    const page = searchImages(db, query, { limit: 10_000, ...(cursor ? { cursor } : {}) });
    for (const item of page.items) images.push({ width: item.width, height: item.height });
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return estimateRun({
    provider: spec.provider,
    model: spec.model,
    images,
    style: spec.style,
    maxSide: spec.maxSide,
    rpm: spec.rpm,
    ...(spec.batch ? { batch: true } : {}),
    ...(spec.trigger ? { trigger: spec.trigger } : {}),
  });
}
