/**
 * What the three cloud annotators share: their options (plain values, so a job can rebuild an
 * annotator from what it stored), the prompt and image of one request, the result with its
 * provenance, and the loop that turns each request into a result or an AnnotationError.
 */
import { AnnotationError } from '../annotator.ts';
import type { AnnotationRequest, AnnotationResult } from '../annotator.ts';
import { DEFAULT_MAX_OUTPUT_TOKENS, checkBaseUrl, cloudConfig, cloudModel, cloudProvider } from './cloudConfig.ts';
import type { CloudProvider, CloudProviderId } from './cloudConfig.ts';
import { cancelledError, describeError } from './cloudErrors.ts';
import { prepareImage } from './imageUpload.ts';
import type { UploadImage } from './imageUpload.ts';
import { renderPrompt, resolveTemplate } from './promptTemplates.ts';
import type { AnnotationStyle, ParsedAnnotation, PromptTemplate } from './promptTemplates.ts';

/** Options every cloud annotator is built from. */
export interface CloudAnnotatorOptions {
  provider: CloudProviderId;
  /** The provider's model id, e.g. `gpt-4.1-mini`, `claude-haiku-4-5`, `gemini-2.5-flash`. */
  model: string;
  /** The API key; never logged or put in a message. Optional for OpenAI-compatible local servers. */
  apiKey?: string;
  /** The API base URL (required in practice for `openai-compatible`; the provider's default otherwise). */
  baseUrl?: string;
  style: AnnotationStyle;
  /** A template, or the path of a template file; the style's built-in template when absent. */
  template?: PromptTemplate | string;
  /** The dataset's trigger word, for `{{trigger}}`. */
  trigger?: string;
  /** Long side images are downscaled to before upload (default from the configuration, 1024). */
  maxSide?: number;
  /** Per-request timeout in milliseconds (default 60 s). */
  timeoutMs?: number;
  /** Output token limit per request (default: the model's, else 1024). */
  maxOutputTokens?: number;
  /** OpenAI image detail (default `high`). */
  imageDetail?: 'low' | 'high' | 'auto';
  /** OpenAI-compatible servers that lack json_schema support: `json_object` or no response format. */
  responseFormat?: 'json_schema' | 'json_object' | 'none';
}

/** The options with every default filled in. */
export interface ResolvedCloudOptions {
  provider: CloudProvider;
  model: string;
  apiKey: string | undefined;
  baseUrl: string;
  style: AnnotationStyle;
  template: PromptTemplate;
  trigger: string;
  maxSide: number;
  timeoutMs: number;
  maxOutputTokens: number;
  imageDetail: 'low' | 'high' | 'auto';
  responseFormat: 'json_schema' | 'json_object' | 'none';
}

/** Default per-request timeout. */
export const DEFAULT_TIMEOUT_MS = 60_000;

/** Fills in defaults; throws an Error for a missing key (when the provider needs one) or an unreadable template. */
export function resolveCloudOptions(options: CloudAnnotatorOptions): ResolvedCloudOptions {
  const provider = cloudProvider(options.provider);
  if (options.baseUrl) checkBaseUrl(options.baseUrl);
  const apiKey = options.apiKey?.trim() || undefined;
  if (!apiKey && !provider.keyOptional)
    throw new Error(`No API key for ${provider.label}: set ${provider.keyEnv} or pass one.`);
  const template =
    typeof options.template === 'object' ? options.template : resolveTemplate(options.style, options.template);
  if (template.style !== options.style)
    throw new Error(`The template ${template.id} is for style "${template.style}", not "${options.style}".`);
  return {
    provider,
    model: options.model,
    apiKey,
    baseUrl: (options.baseUrl ?? provider.baseUrl).replace(/\/+$/, ''),
    style: options.style,
    template,
    trigger: options.trigger?.trim() ?? '',
    maxSide: options.maxSide ?? cloudConfig().defaultMaxSide,
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    maxOutputTokens:
      options.maxOutputTokens ?? cloudModel(provider, options.model).maxOutputTokens ?? DEFAULT_MAX_OUTPUT_TOKENS,
    imageDetail: options.imageDetail ?? 'high',
    responseFormat: options.responseFormat ?? 'json_schema',
  };
}

/** The model id results carry: `<provider>:<model>`. */
export function annotatorId(options: ResolvedCloudOptions): string {
  return `${options.provider.id}:${options.model}`;
}

/** The prompt and the prepared image of one request. */
export interface PreparedRequest {
  prompt: string;
  image: UploadImage;
}

/** Renders the prompt and downscales the image of a request (AnnotationError('image') for a bad image). */
export async function prepareRequest(
  options: ResolvedCloudOptions,
  request: AnnotationRequest,
): Promise<PreparedRequest> {
  const image = await prepareImage(request.image, { maxSide: options.maxSide });
  return { prompt: renderPrompt(options.template, { caption: request.caption, trigger: options.trigger }), image };
}

/** The parameters results record. */
export function resultParams(options: ResolvedCloudOptions): Record<string, unknown> {
  return {
    style: options.style,
    template: options.template.id,
    templateHash: options.template.hash,
    maxSide: options.maxSide,
    ...(options.trigger ? { trigger: options.trigger } : {}),
  };
}

/** The result of a parsed answer: kind `tags` for the tags style, else `caption` (with tags too for `both`). */
export function makeResult(
  options: ResolvedCloudOptions,
  version: string | undefined,
  parsed: ParsedAnnotation,
  usage: { inputTokens: number; outputTokens: number } | undefined,
): AnnotationResult {
  return {
    model: annotatorId(options),
    version: version || options.model,
    kind: options.style === 'tags' ? 'tags' : 'caption',
    params: resultParams(options),
    at: new Date().toISOString(),
    ...(parsed.tags ? { tags: parsed.tags } : {}),
    ...(parsed.caption !== undefined ? { caption: parsed.caption } : {}),
    ...(usage ? { usage } : {}),
  };
}

/**
 * Annotates requests one after another: `one` sends a prepared request; whatever it throws becomes
 * an AnnotationError through `classify` (a cancelled signal always gives a cancelled error).
 */
export async function annotateEach(
  options: ResolvedCloudOptions,
  requests: readonly AnnotationRequest[],
  signal: AbortSignal | undefined,
  one: (prepared: PreparedRequest, signal: AbortSignal | undefined) => Promise<AnnotationResult>,
  classify: (err: unknown) => AnnotationError,
): Promise<(AnnotationResult | AnnotationError)[]> {
  const out: (AnnotationResult | AnnotationError)[] = [];
  for (const request of requests) {
    if (signal?.aborted) {
      out.push(cancelledError());
      continue;
    }
    try {
      out.push(await one(await prepareRequest(options, request), signal));
    } catch (err) {
      if (signal?.aborted) out.push(cancelledError(err));
      else if (err instanceof AnnotationError) out.push(err);
      else out.push(classify(err));
    }
  }
  return out;
}

/** An AnnotationError('other') for an error nothing else recognised, with the key kept out. */
export function otherError(err: unknown, apiKey: string | undefined): AnnotationError {
  return new AnnotationError('other', describeError(err, apiKey), { retryable: false });
}
