/**
 * The cloud vision providers and their models (`config/cloudModels.json`): ids, labels, prices per
 * million tokens where known, default requests per minute, the environment variable of the key,
 * and the default downscale size. The JSON is validated when it is loaded.
 */
import builtIn from './config/cloudModels.json' with { type: 'json' };

/** The providers Tagbench speaks to; `openai-compatible` is any server with OpenAI's chat API at a base URL. */
export type CloudProviderId = 'openai' | 'anthropic' | 'google' | 'openai-compatible';

/** The provider ids, in display order. */
export const CLOUD_PROVIDER_IDS: readonly CloudProviderId[] = ['openai', 'anthropic', 'google', 'openai-compatible'];

/** How a provider counts an image's input tokens (see estimate.ts). */
export type ImageTokenRule = 'openai-tiles' | 'openai-patches' | 'anthropic-area' | 'google-tiles';

const IMAGE_TOKEN_RULES: readonly string[] = ['openai-tiles', 'openai-patches', 'anthropic-area', 'google-tiles'];

/** One model a provider offers. */
export interface CloudModel {
  id: string;
  label: string;
  /** USD per million input tokens, when known. */
  inputPerMTok?: number;
  /** USD per million output tokens, when known. */
  outputPerMTok?: number;
  /** Requests per minute for this model, when it differs from the provider's default. */
  rpm?: number;
  /** Output token limit per request, when the default (1024) is too small (reasoning models). */
  maxOutputTokens?: number;
  /** The model's own image token rule, when it differs from its provider's. */
  imageTokens?: ImageTokenRule;
  /** Factor the model bills image tokens at (OpenAI's mini models count images as more tokens). */
  imageTokenMultiplier?: number;
}

/** A known OpenAI-compatible server and its usual base URL. */
export interface CloudEndpoint {
  id: string;
  label: string;
  baseUrl: string;
  keyEnv?: string;
}

/** One provider. */
export interface CloudProvider {
  id: CloudProviderId;
  label: string;
  /** Environment variable the API key is read from. */
  keyEnv: string;
  /** True when the server may need no key (local servers). */
  keyOptional: boolean;
  baseUrl: string;
  defaultRpm: number;
  imageTokens: ImageTokenRule;
  /** Whether the provider has a batch API Tagbench drives. */
  batch: boolean;
  models: CloudModel[];
  endpoints: CloudEndpoint[];
}

/** The whole configuration. */
export interface CloudConfig {
  /** Long side, in pixels, images are downscaled to before upload. */
  defaultMaxSide: number;
  /** When the prices were last checked (YYYY-MM). */
  pricesAsOf: string;
  providers: CloudProvider[];
}

/** Output token limit used when a model sets none. */
export const DEFAULT_MAX_OUTPUT_TOKENS = 1024;

/** A configuration that is not valid: what is wrong, and where. */
export class CloudConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CloudConfigError';
  }
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(obj: Json, key: string, where: string, optional = false): string | undefined {
  const value = obj[key];
  if (value === undefined && optional) return undefined;
  if (typeof value !== 'string' || value.trim() === '')
    throw new CloudConfigError(`${where}.${key} must be a non-empty string.`);
  return value;
}

function positive(obj: Json, key: string, where: string, optional = false, integer = false): number | undefined {
  const value = obj[key];
  if (value === undefined && optional) return undefined;
  if (
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    value < 0 ||
    (integer && (!Number.isInteger(value) || value === 0))
  ) {
    throw new CloudConfigError(`${where}.${key} must be a ${integer ? 'positive integer' : 'non-negative number'}.`);
  }
  return value;
}

function parseModel(value: unknown, where: string): CloudModel {
  if (!isObject(value)) throw new CloudConfigError(`${where} must be an object.`);
  const model: CloudModel = { id: text(value, 'id', where)!, label: text(value, 'label', where)! };
  const input = positive(value, 'inputPerMTok', where, true);
  const output = positive(value, 'outputPerMTok', where, true);
  const rpm = positive(value, 'rpm', where, true, true);
  const maxOutputTokens = positive(value, 'maxOutputTokens', where, true, true);
  const rule = text(value, 'imageTokens', where, true);
  if (rule !== undefined && !IMAGE_TOKEN_RULES.includes(rule))
    throw new CloudConfigError(`${where}.imageTokens "${rule}" is unknown.`);
  const multiplier = positive(value, 'imageTokenMultiplier', where, true);
  if (rule !== undefined) model.imageTokens = rule as ImageTokenRule;
  if (multiplier !== undefined) model.imageTokenMultiplier = multiplier;
  if (input !== undefined) model.inputPerMTok = input;
  if (output !== undefined) model.outputPerMTok = output;
  if (rpm !== undefined) model.rpm = rpm;
  if (maxOutputTokens !== undefined) model.maxOutputTokens = maxOutputTokens;
  return model;
}

function parseEndpoint(value: unknown, where: string): CloudEndpoint {
  if (!isObject(value)) throw new CloudConfigError(`${where} must be an object.`);
  const endpoint: CloudEndpoint = {
    id: text(value, 'id', where)!,
    label: text(value, 'label', where)!,
    baseUrl: text(value, 'baseUrl', where)!,
  };
  const keyEnv = text(value, 'keyEnv', where, true);
  if (keyEnv !== undefined) endpoint.keyEnv = keyEnv;
  return endpoint;
}

function parseProvider(value: unknown, where: string): CloudProvider {
  if (!isObject(value)) throw new CloudConfigError(`${where} must be an object.`);
  const id = text(value, 'id', where) as CloudProviderId;
  if (!CLOUD_PROVIDER_IDS.includes(id))
    throw new CloudConfigError(`${where}.id "${id}" is not one of ${CLOUD_PROVIDER_IDS.join(', ')}.`);
  const imageTokens = text(value, 'imageTokens', where) as ImageTokenRule;
  if (!IMAGE_TOKEN_RULES.includes(imageTokens))
    throw new CloudConfigError(`${where}.imageTokens "${imageTokens}" is unknown.`);
  if (!Array.isArray(value.models)) throw new CloudConfigError(`${where}.models must be an array.`);
  const endpoints = value.endpoints ?? [];
  if (!Array.isArray(endpoints)) throw new CloudConfigError(`${where}.endpoints must be an array.`);
  const models = value.models.map((m, i) => parseModel(m, `${where}.models[${i}]`));
  const seen = new Set<string>();
  for (const m of models) {
    if (seen.has(m.id)) throw new CloudConfigError(`${where}.models lists "${m.id}" twice.`);
    seen.add(m.id);
  }
  return {
    id,
    label: text(value, 'label', where)!,
    keyEnv: text(value, 'keyEnv', where)!,
    keyOptional: value.keyOptional === true,
    baseUrl: text(value, 'baseUrl', where)!,
    defaultRpm: positive(value, 'defaultRpm', where, false, true)!,
    imageTokens,
    batch: value.batch === true,
    models,
    endpoints: endpoints.map((e, i) => parseEndpoint(e, `${where}.endpoints[${i}]`)),
  };
}

/** Validates a configuration object (the parsed JSON); throws CloudConfigError with the first problem. */
export function parseCloudConfig(value: unknown): CloudConfig {
  if (!isObject(value)) throw new CloudConfigError('The cloud configuration must be a JSON object.');
  if (!Array.isArray(value.providers)) throw new CloudConfigError('providers must be an array.');
  const providers = value.providers.map((p, i) => parseProvider(p, `providers[${i}]`));
  const ids = new Set(providers.map((p) => p.id));
  if (ids.size !== providers.length) throw new CloudConfigError('providers lists a provider twice.');
  const maxSide = positive(value, 'defaultMaxSide', 'config', false, true)!;
  if (maxSide < 64 || maxSide > 8192) throw new CloudConfigError('config.defaultMaxSide must be between 64 and 8192.');
  return { defaultMaxSide: maxSide, pricesAsOf: text(value, 'pricesAsOf', 'config', true) ?? '', providers };
}

let cached: CloudConfig | undefined;

/** The built-in configuration, validated once. */
export function cloudConfig(): CloudConfig {
  cached ??= parseCloudConfig(builtIn);
  return cached;
}

/** A provider of a configuration (the built-in one by default); throws CloudConfigError for an unknown id. */
export function cloudProvider(id: string, config: CloudConfig = cloudConfig()): CloudProvider {
  const provider = config.providers.find((p) => p.id === id);
  if (!provider)
    throw new CloudConfigError(
      `Unknown cloud provider "${id}" (known: ${config.providers.map((p) => p.id).join(', ')}).`,
    );
  return provider;
}

/**
 * A model of a provider. Models not in the list are allowed (providers add models faster than this
 * file changes): they come back with their id as label and no prices.
 */
export function cloudModel(provider: CloudProvider, modelId: string): CloudModel {
  return provider.models.find((m) => m.id === modelId) ?? { id: modelId, label: modelId };
}

/** Requests per minute for a model: its own limit, else its provider's default. */
export function defaultRpm(provider: CloudProvider, modelId: string): number {
  return cloudModel(provider, modelId).rpm ?? provider.defaultRpm;
}

/** The API key for a provider from the environment (undefined when unset or blank). */
export function apiKeyFromEnv(provider: CloudProvider, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const value = env[provider.keyEnv]?.trim();
  return value ? value : undefined;
}

const CREDENTIALS_IN_URL = /^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i;

/** A URL with any user name or password replaced by `***` (for messages). */
export function withoutCredentials(url: string): string {
  return url.replace(CREDENTIALS_IN_URL, '$1***@');
}

/** Whether a URL has a user name or password in it (`https://user:key@host/v1`). */
export function hasCredentialsInUrl(url: string): boolean {
  return CREDENTIALS_IN_URL.test(url.trim());
}

/**
 * Refuses a base URL with a user name or password in it (`https://user:key@host/v1`): it would be
 * stored with the job and shown in messages, and the SDKs do not send it. The key goes in the API key.
 */
export function checkBaseUrl(url: string): void {
  if (hasCredentialsInUrl(url)) {
    throw new CloudConfigError(
      `The base URL ${withoutCredentials(url.trim())} has a user name or password in it; give the key as the provider's API key instead, never in the URL.`,
    );
  }
}
