/**
 * The OpenAI Batch API engine: the requests as a JSONL of `/v1/chat/completions` calls with
 * custom_ids, uploaded with purpose `batch`, a batch created on it, polled, and its output and
 * error files downloaded and mapped per custom_id with the synchronous annotator's parsing.
 */
import { toFile } from 'openai';
import type { OpenAI } from 'openai';
import type { Batch } from 'openai/resources/batches';
import { AnnotationError } from '../annotator.ts';
import type { AnnotationRequest, AnnotationResult } from '../annotator.ts';
import { resolveCloudOptions } from './cloudAnnotator.ts';
import type { CloudAnnotatorOptions, PreparedRequest, ResolvedCloudOptions } from './cloudAnnotator.ts';
import { AnnotationCancelled } from './cloudErrors.ts';
import { BatchSubmitError, OPENAI_BATCH_LIMITS, batchChunks, missingOutcomes, refuseBadKey } from './batchState.ts';
import type { BatchEngine, BatchItemOutcome, BatchLimits, BatchProgress, CloudBatchState } from './batchState.ts';
import { classifyOpenAIError, openAIChatBody, openAIClient, openAIHttpError, openAIResult } from './openaiAnnotator.ts';

/** One line of the input JSONL. */
export function openAIBatchLine(options: ResolvedCloudOptions, customId: string, prepared: PreparedRequest): string {
  return JSON.stringify({
    custom_id: customId,
    method: 'POST',
    url: '/v1/chat/completions',
    body: openAIChatBody(options, prepared),
  });
}

/** A line of an output or error file. */
export interface OpenAIBatchOutputLine {
  custom_id: string;
  response: { status_code: number; body: unknown } | null;
  error: { code?: string; message?: string } | null;
}

/** The outcome of one output or error line: the completion parsed as the annotator does, or the error it carries. */
export function openAIBatchOutcome(
  options: ResolvedCloudOptions,
  line: OpenAIBatchOutputLine,
): AnnotationResult | AnnotationError {
  try {
    if (line.response && line.response.status_code >= 200 && line.response.status_code < 300) {
      return openAIResult(options, line.response.body as Parameters<typeof openAIResult>[1]);
    }
    if (line.response) {
      const body = line.response.body as { error?: { code?: unknown; message?: unknown } } | null;
      return openAIHttpError(line.response.status_code, body?.error, undefined, options.apiKey);
    }
    if (line.error?.code === 'batch_expired')
      return new AnnotationError('timeout', 'The batch expired before this request ran.');
    if (line.error?.code === 'batch_cancelled') return new AnnotationCancelled();
    return new AnnotationError(
      'other',
      `The batch request failed: ${line.error?.code ?? ''} ${line.error?.message ?? ''}`.trim(),
      { retryable: false },
    );
  } catch (err) {
    return classifyOpenAIError(err, options.apiKey);
  }
}

/** Statuses after which a batch changes no more. */
const FINAL = new Set(['completed', 'failed', 'expired', 'cancelled']);

/** The progress of a retrieved batch. */
export function openAIProgress(state: CloudBatchState, batch: Batch): BatchProgress {
  const counts = batch.request_counts ?? { total: Object.keys(state.customIds).length, completed: 0, failed: 0 };
  return {
    state: { ...state, status: batch.status },
    done: FINAL.has(batch.status),
    total: counts.total,
    succeeded: counts.completed,
    failed: counts.failed,
  };
}

/** Parses JSONL text into lines (blank and unparsable lines skipped). */
function parseJsonl(text: string): OpenAIBatchOutputLine[] {
  const lines: OpenAIBatchOutputLine[] = [];
  for (const raw of text.split('\n')) {
    if (raw.trim() === '') continue;
    try {
      lines.push(JSON.parse(raw) as OpenAIBatchOutputLine);
    } catch {
      // A damaged line: its item is reported missing.
    }
  }
  return lines;
}

/** The OpenAI Batch API engine. */
export class OpenAIBatchEngine implements BatchEngine {
  /** The options with defaults filled in. */
  readonly options: ResolvedCloudOptions;
  private readonly client: OpenAI;

  constructor(options: CloudAnnotatorOptions) {
    this.options = resolveCloudOptions(options);
    if (this.options.provider.id !== 'openai')
      throw new Error("The Batch API is OpenAI's own: not for OpenAI-compatible servers.");
    this.client = openAIClient(this.options);
  }

  /** Uploads each chunk as a JSONL file and creates a batch on it, after checking the key with a request that carries no image. */
  async submit(
    requests: Iterable<AnnotationRequest> | AsyncIterable<AnnotationRequest>,
    limits: BatchLimits = OPENAI_BATCH_LIMITS,
  ): Promise<{ states: CloudBatchState[]; imageErrors: BatchItemOutcome[] }> {
    const imageErrors: BatchItemOutcome[] = [];
    const states: CloudBatchState[] = [];
    await refuseBadKey(
      () => this.client.batches.list({ limit: 1 }),
      (err) => classifyOpenAIError(err, this.options.apiKey),
    );
    try {
      for await (const chunk of batchChunks(
        this.options,
        requests,
        (id, prepared) => openAIBatchLine(this.options, id, prepared),
        limits,
        imageErrors,
      )) {
        const jsonl = chunk.map((line) => line.json).join('\n') + '\n';
        const file = await this.client.files.create({
          file: await toFile(Buffer.from(jsonl), 'tagbench-batch.jsonl', { type: 'application/jsonl' }),
          purpose: 'batch',
        });
        const batch = await this.client.batches.create({
          input_file_id: file.id,
          endpoint: '/v1/chat/completions',
          completion_window: '24h',
          metadata: { source: 'tagbench' },
        });
        states.push({
          provider: 'openai',
          batchId: batch.id,
          inputFileId: file.id,
          status: batch.status,
          submittedAt: new Date().toISOString(),
          customIds: Object.fromEntries(chunk.map((line) => [line.customId, line.path])),
        });
      }
    } catch (err) {
      throw new BatchSubmitError(classifyOpenAIError(err, this.options.apiKey), states, imageErrors);
    }
    return { states, imageErrors };
  }

  /** Retrieves the batch. */
  async poll(state: CloudBatchState): Promise<BatchProgress> {
    return openAIProgress(state, await this.client.batches.retrieve(state.batchId));
  }

  /** Downloads the output and error files and maps every custom_id to its outcome. */
  async results(state: CloudBatchState): Promise<BatchItemOutcome[]> {
    const batch = await this.client.batches.retrieve(state.batchId);
    if (!FINAL.has(batch.status)) throw new Error(`The batch ${state.batchId} is ${batch.status}, not finished.`);
    const out: BatchItemOutcome[] = [];
    const seen = new Set<string>();
    for (const fileId of [batch.output_file_id, batch.error_file_id]) {
      if (!fileId) continue;
      const text = await (await this.client.files.content(fileId)).text();
      for (const line of parseJsonl(text)) {
        const path = state.customIds[line.custom_id];
        if (path === undefined || seen.has(line.custom_id)) continue;
        seen.add(line.custom_id);
        out.push({ customId: line.custom_id, path, outcome: openAIBatchOutcome(this.options, line) });
      }
    }
    const why = batch.errors?.data
      ?.map((e) => e.message)
      .filter(Boolean)
      .join('; ');
    out.push(
      ...missingOutcomes(state, seen, () =>
        batch.status === 'cancelled'
          ? new AnnotationCancelled()
          : batch.status === 'expired'
            ? new AnnotationError('timeout', 'The batch expired before this request ran.')
            : batch.status === 'failed'
              ? new AnnotationError('bad-request', `The batch failed${why ? `: ${why}` : '.'}`)
              : new AnnotationError('other', 'The batch returned no result for this request.', { retryable: true }),
      ),
    );
    return out;
  }

  /** Cancels the batch (results done so far can still be fetched once it is cancelled). */
  async cancel(state: CloudBatchState): Promise<CloudBatchState> {
    const batch = await this.client.batches.cancel(state.batchId);
    return { ...state, status: batch.status };
  }
}
