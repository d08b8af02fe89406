/**
 * The Anthropic annotator via the official SDK's Messages API. The answer's structure is enforced
 * with a single tool whose input_schema is the style's JSON schema, and the tool is forced; a plain
 * JSON text answer is accepted too. The request params and the answer parsing are pure functions the
 * Message Batches API reuses.
 */
import {
  Anthropic,
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
} from '@anthropic-ai/sdk';
import type { Message, MessageCreateParamsNonStreaming, Tool } from '@anthropic-ai/sdk/resources/messages';
import { AnnotationError } from '../annotator.ts';
import type { AnnotationRequest, AnnotationResult, Annotator } from '../annotator.ts';
import { annotateEach, annotatorId, makeResult, otherError, resolveCloudOptions } from './cloudAnnotator.ts';
import type { CloudAnnotatorOptions, PreparedRequest, ResolvedCloudOptions } from './cloudAnnotator.ts';
import { describeError, errorForStatus, isNetworkError, retryAfterSeconds } from './cloudErrors.ts';
import type { HeaderSource } from './cloudErrors.ts';
import { parseAnnotationValue, parseModelOutput, responseSchema, schemaName } from './promptTemplates.ts';

/** The Messages API params for one prepared image. */
export function anthropicParams(
  options: ResolvedCloudOptions,
  prepared: PreparedRequest,
): MessageCreateParamsNonStreaming {
  const { prompt, image } = prepared;
  const tool = schemaName(options.style);
  return {
    model: options.model,
    max_tokens: options.maxOutputTokens,
    messages: [
      {
        role: 'user',
        content: [
          // Image before text, as Anthropic recommends.
          { type: 'image', source: { type: 'base64', media_type: image.mimeType, data: image.base64 } },
          { type: 'text', text: prompt },
        ],
      },
    ],
    tools: [
      {
        name: tool,
        description: 'Records the annotation of the image.',
        input_schema: responseSchema(options.style) as Tool.InputSchema,
      },
    ],
    tool_choice: { type: 'tool', name: tool },
  };
}

/** The result of a message; throws AnnotationError('policy') for a refusal, ('malformed') for unusable output. */
export function anthropicResult(options: ResolvedCloudOptions, message: Message): AnnotationResult {
  if (message.stop_reason === 'refusal') {
    const explanation =
      message.stop_details && 'explanation' in message.stop_details
        ? String(message.stop_details.explanation ?? '')
        : '';
    throw new AnnotationError('policy', `The model refused${explanation ? `: ${explanation.slice(0, 300)}` : '.'}`);
  }
  const content = Array.isArray(message.content) ? message.content : [];
  const toolUse = content.find((block) => block.type === 'tool_use');
  let parsed;
  try {
    if (toolUse && toolUse.type === 'tool_use') parsed = parseAnnotationValue(toolUse.input, options.style);
    else
      parsed = parseModelOutput(
        content.map((block) => (block.type === 'text' ? block.text : '')).join(''),
        options.style,
      );
  } catch (err) {
    if (err instanceof AnnotationError && message.stop_reason === 'max_tokens') {
      throw new AnnotationError(
        'malformed',
        `The answer was cut at the output token limit (${options.maxOutputTokens}).`,
        { cause: err },
      );
    }
    throw err;
  }
  const u = message.usage;
  const usage = u
    ? {
        inputTokens: (u.input_tokens ?? 0) + (u.cache_creation_input_tokens ?? 0) + (u.cache_read_input_tokens ?? 0),
        outputTokens: u.output_tokens ?? 0,
      }
    : undefined;
  return makeResult(options, message.model, parsed, usage);
}

/** The AnnotationError for an Anthropic HTTP error: 429 rate limit, 529 overloaded, ... (the key kept out). */
export function anthropicHttpError(
  status: number,
  type: string | null | undefined,
  apiMessage: string | null | undefined,
  headers: HeaderSource,
  apiKey: string | undefined,
  cause?: unknown,
): AnnotationError {
  const message = `Anthropic ${status}${type ? ` ${type}` : ''}: ${describeError(apiMessage ?? `HTTP ${status}`, apiKey)}`;
  const after = retryAfterSeconds(headers);
  return errorForStatus(status, message, { ...(after !== undefined ? { retryAfterSeconds: after } : {}), cause });
}

/** What an error thrown by the Anthropic SDK means for the image. */
export function classifyAnthropicError(err: unknown, apiKey: string | undefined): AnnotationError {
  if (err instanceof AnnotationError) return err;
  if (err instanceof APIConnectionTimeoutError)
    return new AnnotationError('timeout', 'The request timed out.', { cause: err });
  if (err instanceof APIUserAbortError)
    return new AnnotationError('other', 'The request was cancelled.', { retryable: false, cause: err });
  if (err instanceof APIConnectionError)
    return new AnnotationError('timeout', `Connection failed: ${describeError(err.cause ?? err, apiKey)}`, {
      cause: err,
    });
  if (err instanceof APIError && typeof err.status === 'number') {
    return anthropicHttpError(err.status, err.type, err.apiMessage ?? err.message, err.headers, apiKey, err);
  }
  if (isNetworkError(err))
    return new AnnotationError('timeout', `Connection failed: ${describeError(err, apiKey)}`, { cause: err });
  return otherError(err, apiKey);
}

/** An Anthropic client with the SDK's own retries off (the scheduler retries). */
export function anthropicClient(options: ResolvedCloudOptions): Anthropic {
  return new Anthropic({
    apiKey: options.apiKey ?? null,
    baseURL: options.baseUrl,
    maxRetries: 0,
    timeout: options.timeoutMs,
    logLevel: 'off',
  });
}

/** Annotates images with a Claude model, one request per image. */
export class AnthropicAnnotator implements Annotator {
  /** `anthropic:<model>`. */
  readonly id: string;
  readonly batchSize = 1;
  /** The options with defaults filled in. */
  readonly options: ResolvedCloudOptions;
  private readonly client: Anthropic;

  constructor(options: CloudAnnotatorOptions) {
    this.options = resolveCloudOptions(options);
    this.id = annotatorId(this.options);
    this.client = anthropicClient(this.options);
  }

  /** Annotates each request (one HTTP request each); failures come back as AnnotationErrors in place. */
  annotate(
    requests: readonly AnnotationRequest[],
    signal?: AbortSignal,
  ): Promise<(AnnotationResult | AnnotationError)[]> {
    return annotateEach(
      this.options,
      requests,
      signal,
      async (prepared, sig) => {
        const message = await this.client.messages.create(
          anthropicParams(this.options, prepared),
          sig ? { signal: sig } : undefined,
        );
        return anthropicResult(this.options, message);
      },
      (err) => classifyAnthropicError(err, this.options.apiKey),
    );
  }

  /** Nothing to release: the SDK's connections close when idle. */
  async close(): Promise<void> {}
}
