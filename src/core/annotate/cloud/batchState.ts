/**
 * What the batch engines (OpenAI Batch API, Anthropic Message Batches) share: the small state a run
 * persists to resume across restarts, custom ids, splitting requests into batches under the
 * providers' size limits, and the outcome of each item.
 */
import { AnnotationError } from '../annotator.ts';
import type { AnnotationRequest, AnnotationResult } from '../annotator.ts';
import { prepareRequest } from './cloudAnnotator.ts';
import type { PreparedRequest, ResolvedCloudOptions } from './cloudAnnotator.ts';

/** One submitted batch, as persisted: enough to poll it and map its results after a restart. */
export interface CloudBatchState {
  provider: 'openai' | 'anthropic';
  batchId: string;
  /** The uploaded JSONL (OpenAI). */
  inputFileId?: string;
  /** Image path of each custom_id. */
  customIds: Record<string, string>;
  /** The provider's last known status (`validating`, `in_progress`, `completed`, `ended`, ...). */
  status: string;
  /** ISO time of submission. */
  submittedAt: string;
}

/** A batch's progress, from a poll. */
export interface BatchProgress {
  state: CloudBatchState;
  /** True when results can be fetched (or the batch is over without any). */
  done: boolean;
  total: number;
  succeeded: number;
  failed: number;
}

/** The outcome of one item of a batch. */
export interface BatchItemOutcome {
  customId: string;
  path: string;
  outcome: AnnotationResult | AnnotationError;
}

/** Limits a batch is split by. */
export interface BatchLimits {
  maxRequests: number;
  /** Bytes of the serialized requests. */
  maxBytes: number;
}

/** OpenAI: 50,000 requests and 200 MB per input file (a margin kept). */
export const OPENAI_BATCH_LIMITS: BatchLimits = { maxRequests: 50_000, maxBytes: 190 * 1024 * 1024 };

/** Anthropic: 100,000 requests and 256 MB per batch (a margin kept). */
export const ANTHROPIC_BATCH_LIMITS: BatchLimits = { maxRequests: 100_000, maxBytes: 240 * 1024 * 1024 };

/** The custom_id of the n-th request of a run (letters, digits, `-`, at most 64 characters, as both providers accept). */
export function customIdOf(index: number): string {
  return `img-${index.toString().padStart(7, '0')}`;
}

/** A serialized request and its custom_id. */
export interface BatchLine {
  customId: string;
  path: string;
  /** The JSON text (one JSONL line for OpenAI, one element of `requests` for Anthropic). */
  json: string;
}

/**
 * Prepares every request (downscaled image, rendered prompt) and serializes it with `serialize`,
 * yielding chunks that keep within `limits`; images that cannot be read go to `imageErrors`.
 */
export async function* batchChunks(
  options: ResolvedCloudOptions,
  requests: Iterable<AnnotationRequest> | AsyncIterable<AnnotationRequest>,
  serialize: (customId: string, prepared: PreparedRequest) => string,
  limits: BatchLimits,
  imageErrors: BatchItemOutcome[],
  firstIndex = 0,
): AsyncGenerator<BatchLine[]> {
  let chunk: BatchLine[] = [];
  let bytes = 0;
  let index = firstIndex;
  for await (const request of requests) {
    const customId = customIdOf(index++);
    let json: string;
    try {
      json = serialize(customId, await prepareRequest(options, request));
    } catch (err) {
      if (!(err instanceof AnnotationError)) throw err;
      imageErrors.push({ customId, path: request.path, outcome: err });
      continue;
    }
    const size = Buffer.byteLength(json) + 1;
    if (size > limits.maxBytes) {
      imageErrors.push({
        customId,
        path: request.path,
        outcome: new AnnotationError('bad-request', `The request is ${size} bytes, over the batch limit.`),
      });
      continue;
    }
    if (chunk.length > 0 && (chunk.length >= limits.maxRequests || bytes + size > limits.maxBytes)) {
      yield chunk;
      chunk = [];
      bytes = 0;
    }
    chunk.push({ customId, path: request.path, json });
    bytes += size;
  }
  if (chunk.length > 0) yield chunk;
}

/** Outcomes for the items of a state that got no result line: `missing` says why. */
export function missingOutcomes(
  state: CloudBatchState,
  seen: ReadonlySet<string>,
  missing: () => AnnotationError,
): BatchItemOutcome[] {
  return Object.entries(state.customIds)
    .filter(([id]) => !seen.has(id))
    .map(([customId, path]) => ({ customId, path, outcome: missing() }));
}

/** The engine of one provider's batch API; states are plain data the caller persists. */
export interface BatchEngine {
  /** Prepares and submits the requests as one or more batches (split by size); images that cannot be read come back at once. */
  submit(
    requests: Iterable<AnnotationRequest> | AsyncIterable<AnnotationRequest>,
    limits?: BatchLimits,
  ): Promise<{ states: CloudBatchState[]; imageErrors: BatchItemOutcome[] }>;
  /** Retrieves a batch's status. */
  poll(state: CloudBatchState): Promise<BatchProgress>;
  /** Downloads a finished batch's results: one outcome per custom_id of the state. */
  results(state: CloudBatchState): Promise<BatchItemOutcome[]>;
  /** Asks the provider to cancel a batch. */
  cancel(state: CloudBatchState): Promise<CloudBatchState>;
}

/**
 * Asks the provider something that carries no image (its list of batches, which a batch run reads
 * anyway) and throws a BatchSubmitError when it refuses the key, so a wrong key never uploads the
 * images. Any other failure is left to the submission itself.
 */
export async function refuseBadKey(
  probe: () => Promise<unknown>,
  classify: (err: unknown) => AnnotationError,
): Promise<void> {
  try {
    await probe();
  } catch (err) {
    const error = classify(err);
    if (error.failure === 'auth') throw new BatchSubmitError(error, [], []);
  }
}

/** A submission that failed part way: the batches created before the failure (to keep and poll) and why it failed. */
export class BatchSubmitError extends Error {
  /** Batches created before the failure. */
  readonly states: CloudBatchState[];
  readonly imageErrors: BatchItemOutcome[];
  /** The failure, classified (rate-limit, auth, ...). */
  readonly error: AnnotationError;

  constructor(error: AnnotationError, states: CloudBatchState[], imageErrors: BatchItemOutcome[]) {
    super(`Submitting the batch failed after ${states.length} batch(es): ${error.message}`, { cause: error });
    this.name = 'BatchSubmitError';
    this.error = error;
    this.states = states;
    this.imageErrors = imageErrors;
  }
}
