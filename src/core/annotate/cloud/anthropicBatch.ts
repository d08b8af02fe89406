/**
 * The Anthropic Message Batches engine: requests with custom_ids sent in messages.batches.create,
 * polled with retrieve, and the results stream mapped per custom_id with the synchronous
 * annotator's parsing.
 */
import type { Anthropic } from '@anthropic-ai/sdk';
import type { MessageBatch, MessageBatchIndividualResponse } from '@anthropic-ai/sdk/resources/messages';
import { AnnotationError } from '../annotator.ts';
import type { AnnotationRequest, AnnotationResult } from '../annotator.ts';
import { resolveCloudOptions } from './cloudAnnotator.ts';
import type { CloudAnnotatorOptions, PreparedRequest, ResolvedCloudOptions } from './cloudAnnotator.ts';
import { AnnotationCancelled } from './cloudErrors.ts';
import { ANTHROPIC_BATCH_LIMITS, BatchSubmitError, batchChunks, missingOutcomes, refuseBadKey } from './batchState.ts';
import type { BatchEngine, BatchItemOutcome, BatchLimits, BatchProgress, CloudBatchState } from './batchState.ts';
import {
  anthropicClient,
  anthropicHttpError,
  anthropicParams,
  anthropicResult,
  classifyAnthropicError,
} from './anthropicAnnotator.ts';

/** One element of the batch's `requests`, as JSON. */
export function anthropicBatchRequest(
  options: ResolvedCloudOptions,
  customId: string,
  prepared: PreparedRequest,
): string {
  return JSON.stringify({ custom_id: customId, params: anthropicParams(options, prepared) });
}

/** The HTTP status an Anthropic error type stands for. */
const STATUS_OF_TYPE: Record<string, number> = {
  invalid_request_error: 400,
  authentication_error: 401,
  billing_error: 402,
  permission_error: 403,
  not_found_error: 404,
  rate_limit_error: 429,
  api_error: 500,
  timeout_error: 504,
  overloaded_error: 529,
};

/** The outcome of one result: the message parsed as the annotator does, or the error it carries. */
export function anthropicBatchOutcome(
  options: ResolvedCloudOptions,
  response: MessageBatchIndividualResponse,
): AnnotationResult | AnnotationError {
  const result = response.result;
  try {
    switch (result.type) {
      case 'succeeded':
        return anthropicResult(options, result.message);
      case 'errored': {
        const error = (result.error as { error?: { type?: string; message?: string } } | undefined)?.error;
        const status = STATUS_OF_TYPE[error?.type ?? ''] ?? 500;
        return anthropicHttpError(status, error?.type, error?.message, undefined, options.apiKey);
      }
      case 'expired':
        return new AnnotationError('timeout', 'The batch expired before this request ran.');
      case 'canceled':
        return new AnnotationCancelled();
      default:
        return new AnnotationError(
          'other',
          `Unknown batch result type ${(result as { type?: unknown }).type as string}.`,
          { retryable: false },
        );
    }
  } catch (err) {
    return classifyAnthropicError(err, options.apiKey);
  }
}

/** The progress of a retrieved batch. */
export function anthropicProgress(state: CloudBatchState, batch: MessageBatch): BatchProgress {
  const c = batch.request_counts;
  const total = c.processing + c.succeeded + c.errored + c.canceled + c.expired;
  return {
    state: { ...state, status: batch.processing_status },
    done: batch.processing_status === 'ended',
    total,
    succeeded: c.succeeded,
    failed: c.errored + c.canceled + c.expired,
  };
}

/** The Anthropic Message Batches engine. */
export class AnthropicBatchEngine implements BatchEngine {
  /** The options with defaults filled in. */
  readonly options: ResolvedCloudOptions;
  private readonly client: Anthropic;

  constructor(options: CloudAnnotatorOptions) {
    this.options = resolveCloudOptions(options);
    this.client = anthropicClient(this.options);
  }

  /** Creates one message batch per chunk, after checking the key with a request that carries no image. */
  async submit(
    requests: Iterable<AnnotationRequest> | AsyncIterable<AnnotationRequest>,
    limits: BatchLimits = ANTHROPIC_BATCH_LIMITS,
  ): Promise<{ states: CloudBatchState[]; imageErrors: BatchItemOutcome[] }> {
    const imageErrors: BatchItemOutcome[] = [];
    const states: CloudBatchState[] = [];
    await refuseBadKey(
      () => this.client.messages.batches.list({ limit: 1 }),
      (err) => classifyAnthropicError(err, this.options.apiKey),
    );
    try {
      for await (const chunk of batchChunks(
        this.options,
        requests,
        (id, prepared) => anthropicBatchRequest(this.options, id, prepared),
        limits,
        imageErrors,
      )) {
        const body = {
          requests: chunk.map(
            (line) => JSON.parse(line.json) as { custom_id: string; params: ReturnType<typeof anthropicParams> },
          ),
        };
        const batch = await this.client.messages.batches.create(body);
        states.push({
          provider: 'anthropic',
          batchId: batch.id,
          status: batch.processing_status,
          submittedAt: new Date().toISOString(),
          customIds: Object.fromEntries(chunk.map((line) => [line.customId, line.path])),
        });
      }
    } catch (err) {
      throw new BatchSubmitError(classifyAnthropicError(err, this.options.apiKey), states, imageErrors);
    }
    return { states, imageErrors };
  }

  /** Retrieves the batch. */
  async poll(state: CloudBatchState): Promise<BatchProgress> {
    return anthropicProgress(state, await this.client.messages.batches.retrieve(state.batchId));
  }

  /** Streams the results and maps every custom_id to its outcome. */
  async results(state: CloudBatchState): Promise<BatchItemOutcome[]> {
    const out: BatchItemOutcome[] = [];
    const seen = new Set<string>();
    for await (const response of await this.client.messages.batches.results(state.batchId)) {
      const path = state.customIds[response.custom_id];
      if (path === undefined || seen.has(response.custom_id)) continue;
      seen.add(response.custom_id);
      out.push({ customId: response.custom_id, path, outcome: anthropicBatchOutcome(this.options, response) });
    }
    out.push(
      ...missingOutcomes(
        state,
        seen,
        () => new AnnotationError('other', 'The batch returned no result for this request.', { retryable: true }),
      ),
    );
    return out;
  }

  /** Cancels the batch (requests already done keep their results). */
  async cancel(state: CloudBatchState): Promise<CloudBatchState> {
    const batch = await this.client.messages.batches.cancel(state.batchId);
    return { ...state, status: batch.processing_status };
  }
}
