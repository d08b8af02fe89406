/**
 * The Google Gemini annotator via the official `@google/genai` SDK: generateContent with the image
 * inline, `responseMimeType: application/json` and the style's response schema.
 */
import { ApiError, GoogleGenAI, Type } from '@google/genai';
import type { GenerateContentParameters, GenerateContentResponse, Schema } from '@google/genai';
import { AnnotationError } from '../annotator.ts';
import type { AnnotationRequest, AnnotationResult, Annotator } from '../annotator.ts';
import { annotateEach, annotatorId, makeResult, otherError, resolveCloudOptions } from './cloudAnnotator.ts';
import type { CloudAnnotatorOptions, PreparedRequest, ResolvedCloudOptions } from './cloudAnnotator.ts';
import { describeError, errorForStatus, googleRetryDelaySeconds, isAbortLike, isNetworkError } from './cloudErrors.ts';
import { parseModelOutput } from './promptTemplates.ts';
import type { AnnotationStyle } from './promptTemplates.ts';

/** Finish reasons that mean the answer was withheld for safety or policy. */
const POLICY_FINISH = new Set([
  'SAFETY',
  'PROHIBITED_CONTENT',
  'BLOCKLIST',
  'SPII',
  'IMAGE_SAFETY',
  'IMAGE_PROHIBITED_CONTENT',
  'RECITATION',
]);

/** The style's answer schema in Gemini's OpenAPI subset. */
export function googleResponseSchema(style: AnnotationStyle): Schema {
  const properties: Record<string, Schema> = {};
  if (style !== 'sentence')
    properties.tags = {
      type: Type.ARRAY,
      items: { type: Type.STRING },
      description: 'Danbooru-style tags, most important first.',
    };
  if (style !== 'tags') properties.caption = { type: Type.STRING, description: 'A natural-language caption.' };
  return {
    type: Type.OBJECT,
    properties,
    required: Object.keys(properties),
    propertyOrdering: Object.keys(properties),
  };
}

/** The generateContent parameters for one prepared image. */
export function googleRequest(
  options: ResolvedCloudOptions,
  prepared: PreparedRequest,
  signal?: AbortSignal,
): GenerateContentParameters {
  const { prompt, image } = prepared;
  return {
    model: options.model,
    contents: [
      { role: 'user', parts: [{ inlineData: { mimeType: image.mimeType, data: image.base64 } }, { text: prompt }] },
    ],
    config: {
      responseMimeType: 'application/json',
      responseSchema: googleResponseSchema(options.style),
      maxOutputTokens: options.maxOutputTokens,
      ...(signal ? { abortSignal: signal } : {}),
    },
  };
}

/** The result of a response; throws AnnotationError('policy') for a blocked prompt or answer, ('malformed') for unusable output. */
export function googleResult(options: ResolvedCloudOptions, response: GenerateContentResponse): AnnotationResult {
  const blocked = response.promptFeedback?.blockReason;
  if (blocked)
    throw new AnnotationError(
      'policy',
      `The prompt was blocked (${blocked}${response.promptFeedback?.blockReasonMessage ? `: ${response.promptFeedback.blockReasonMessage}` : ''}).`,
    );
  const candidate = response.candidates?.[0];
  if (!candidate) throw new AnnotationError('malformed', 'The answer has no candidates.');
  const finish = candidate.finishReason as string | undefined;
  if (finish && POLICY_FINISH.has(finish)) throw new AnnotationError('policy', `The answer was withheld (${finish}).`);
  const text = (candidate.content?.parts ?? [])
    .filter((part) => typeof part.text === 'string' && !part.thought)
    .map((part) => part.text)
    .join('');
  let parsed;
  try {
    parsed = parseModelOutput(text, options.style);
  } catch (err) {
    if (err instanceof AnnotationError && finish === 'MAX_TOKENS') {
      throw new AnnotationError(
        'malformed',
        `The answer was cut at the output token limit (${options.maxOutputTokens}).`,
        { cause: err },
      );
    }
    throw err;
  }
  const meta = response.usageMetadata;
  // Thinking tokens are billed as output.
  const usage = meta
    ? {
        inputTokens: meta.promptTokenCount ?? 0,
        outputTokens: (meta.candidatesTokenCount ?? 0) + (meta.thoughtsTokenCount ?? 0),
      }
    : undefined;
  return makeResult(options, response.modelVersion, parsed, usage);
}

/** The message inside the SDK's error text (the response body as JSON), when it has one. */
function googleMessage(text: string): string {
  try {
    const body = JSON.parse(text) as { error?: { message?: unknown; status?: unknown } };
    if (typeof body.error?.message === 'string')
      return `${typeof body.error.status === 'string' ? `${body.error.status}: ` : ''}${body.error.message}`;
  } catch {
    // Not JSON: the text as it is.
  }
  return text;
}

/** What an error thrown by the Google SDK means for the image (the caller checks its own signal first). */
export function classifyGoogleError(err: unknown, apiKey: string | undefined): AnnotationError {
  if (err instanceof AnnotationError) return err;
  if (err instanceof ApiError) {
    const message = `Google ${err.status}: ${describeError(googleMessage(err.message), apiKey)}`;
    const after = googleRetryDelaySeconds(err.message);
    // An API key that is not valid comes back as 400 INVALID_ARGUMENT with reason API_KEY_INVALID.
    if (err.status === 400 && /API_KEY_INVALID|API key not valid/i.test(err.message))
      return new AnnotationError('auth', message, { retryable: false, cause: err });
    return errorForStatus(err.status, message, {
      ...(after !== undefined ? { retryAfterSeconds: after } : {}),
      cause: err,
    });
  }
  // The SDK's per-request timeout aborts the fetch; a cancelled caller signal is checked before this.
  if (isAbortLike(err)) return new AnnotationError('timeout', 'The request timed out.', { cause: err });
  if (isNetworkError(err))
    return new AnnotationError('timeout', `Connection failed: ${describeError(err, apiKey)}`, { cause: err });
  return otherError(err, apiKey);
}

/**
 * A Google GenAI client for the Gemini API (no SDK retries: the scheduler retries), on v1beta,
 * where response schemas and the newest models are served first.
 */
export function googleClient(options: ResolvedCloudOptions): GoogleGenAI {
  return new GoogleGenAI({
    apiKey: options.apiKey ?? '',
    httpOptions: { baseUrl: options.baseUrl, apiVersion: 'v1beta', timeout: options.timeoutMs },
  });
}

/** Annotates images with a Gemini model, one request per image. */
export class GoogleAnnotator implements Annotator {
  /** `google:<model>`. */
  readonly id: string;
  readonly batchSize = 1;
  /** The options with defaults filled in. */
  readonly options: ResolvedCloudOptions;
  private readonly client: GoogleGenAI;

  constructor(options: CloudAnnotatorOptions) {
    this.options = resolveCloudOptions(options);
    this.id = annotatorId(this.options);
    this.client = googleClient(this.options);
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
        const response = await this.client.models.generateContent(googleRequest(this.options, prepared, sig));
        return googleResult(this.options, response);
      },
      (err) => classifyGoogleError(err, this.options.apiKey),
    );
  }

  /** Nothing to release. */
  async close(): Promise<void> {}
}
