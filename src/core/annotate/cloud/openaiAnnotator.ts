/**
 * The OpenAI annotator (and any OpenAI-compatible server: Ollama, LM Studio, vLLM, OpenRouter) via
 * the official SDK's chat completions with a JSON-schema response format. The request body and the
 * answer parsing are pure functions the Batch API reuses.
 */
import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError, OpenAI } from 'openai';
import type { ChatCompletion, ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions';
import { AnnotationError } from '../annotator.ts';
import type { AnnotationRequest, AnnotationResult, Annotator } from '../annotator.ts';
import { annotateEach, annotatorId, makeResult, otherError, resolveCloudOptions } from './cloudAnnotator.ts';
import type { CloudAnnotatorOptions, PreparedRequest, ResolvedCloudOptions } from './cloudAnnotator.ts';
import { describeError, errorForStatus, isNetworkError, retryAfterSeconds } from './cloudErrors.ts';
import { parseModelOutput, responseSchema, schemaName } from './promptTemplates.ts';

/** Placeholder key for OpenAI-compatible servers that need none (the SDK insists on one). */
const NO_KEY = 'not-needed';

/** Error codes OpenAI (and Azure OpenAI) use for requests refused by content policy. */
const POLICY_CODES = new Set(['content_policy_violation', 'content_filter', 'moderation_blocked']);

/** The chat completions request body for one prepared image. */
export function openAIChatBody(
  options: ResolvedCloudOptions,
  prepared: PreparedRequest,
): ChatCompletionCreateParamsNonStreaming {
  const { prompt, image } = prepared;
  const compatible = options.provider.id === 'openai-compatible';
  const body: ChatCompletionCreateParamsNonStreaming = {
    model: options.model,
    messages: [
      {
        role: 'user',
        content: [
          { type: 'text', text: prompt },
          {
            type: 'image_url',
            image_url: { url: `data:${image.mimeType};base64,${image.base64}`, detail: options.imageDetail },
          },
        ],
      },
    ],
    // Reasoning models take only max_completion_tokens; many compatible servers know only max_tokens.
    ...(compatible ? { max_tokens: options.maxOutputTokens } : { max_completion_tokens: options.maxOutputTokens }),
  };
  if (options.responseFormat === 'json_schema') {
    body.response_format = {
      type: 'json_schema',
      json_schema: { name: schemaName(options.style), schema: responseSchema(options.style), strict: true },
    };
  } else if (options.responseFormat === 'json_object') {
    body.response_format = { type: 'json_object' };
  }
  return body;
}

/** The result of a chat completion; throws AnnotationError('policy') for a refusal or filtered answer, ('malformed') for unusable output. */
export function openAIResult(options: ResolvedCloudOptions, completion: ChatCompletion): AnnotationResult {
  const choice = completion.choices?.[0];
  if (!choice) throw new AnnotationError('malformed', 'The answer has no choices.');
  const message = choice.message;
  if (message?.refusal) throw new AnnotationError('policy', `The model refused: ${message.refusal.slice(0, 300)}`);
  if (choice.finish_reason === 'content_filter')
    throw new AnnotationError('policy', 'The answer was stopped by the content filter.');
  let parsed;
  try {
    parsed = parseModelOutput(message?.content, options.style);
  } catch (err) {
    if (err instanceof AnnotationError && choice.finish_reason === 'length') {
      throw new AnnotationError(
        'malformed',
        `The answer was cut at the output token limit (${options.maxOutputTokens}).`,
        { cause: err },
      );
    }
    throw err;
  }
  const usage = completion.usage
    ? { inputTokens: completion.usage.prompt_tokens ?? 0, outputTokens: completion.usage.completion_tokens ?? 0 }
    : undefined;
  return makeResult(options, completion.model, parsed, usage);
}

/** The AnnotationError for an HTTP error of an OpenAI-style API: status, code and message (the key kept out). */
export function openAIHttpError(
  status: number,
  error: { code?: unknown; message?: unknown; type?: unknown } | null | undefined,
  headers: Headers | Record<string, string> | undefined,
  apiKey: string | undefined,
  cause?: unknown,
): AnnotationError {
  const code = typeof error?.code === 'string' ? error.code : undefined;
  const text = describeError(typeof error?.message === 'string' ? error.message : `HTTP ${status}`, apiKey);
  const message = `OpenAI ${status}${code ? ` ${code}` : ''}: ${text}`;
  if (code && POLICY_CODES.has(code)) return new AnnotationError('policy', message, { cause });
  const after = retryAfterSeconds(headers);
  return errorForStatus(status, message, { ...(after !== undefined ? { retryAfterSeconds: after } : {}), cause });
}

/** What an error thrown by the OpenAI SDK means for the image. */
export function classifyOpenAIError(err: unknown, apiKey: string | undefined): AnnotationError {
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
    return openAIHttpError(
      err.status,
      err.error as { code?: unknown; message?: unknown } | undefined,
      err.headers,
      apiKey,
      err,
    );
  }
  if (isNetworkError(err))
    return new AnnotationError('timeout', `Connection failed: ${describeError(err, apiKey)}`, { cause: err });
  return otherError(err, apiKey);
}

/** An OpenAI client with the SDK's own retries off (the scheduler retries). */
export function openAIClient(options: ResolvedCloudOptions): OpenAI {
  return new OpenAI({
    apiKey: options.apiKey ?? NO_KEY,
    baseURL: options.baseUrl,
    maxRetries: 0,
    timeout: options.timeoutMs,
    // Environment variables must not add an organization or project the user did not choose.
    organization: null,
    project: null,
    logLevel: 'off',
  });
}

/** Annotates images with an OpenAI (or OpenAI-compatible) vision model, one request per image. */
export class OpenAIAnnotator implements Annotator {
  /** `openai:<model>` or `openai-compatible:<model>`. */
  readonly id: string;
  readonly batchSize = 1;
  /** The options with defaults filled in. */
  readonly options: ResolvedCloudOptions;
  private readonly client: OpenAI;

  constructor(options: CloudAnnotatorOptions) {
    this.options = resolveCloudOptions(options);
    this.id = annotatorId(this.options);
    this.client = openAIClient(this.options);
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
        const completion = await this.client.chat.completions.create(
          openAIChatBody(this.options, prepared),
          sig ? { signal: sig } : undefined,
        );
        return openAIResult(this.options, completion);
      },
      (err) => classifyOpenAIError(err, this.options.apiKey),
    );
  }

  /** Nothing to release: the SDK's connections close when idle. */
  async close(): Promise<void> {}
}
