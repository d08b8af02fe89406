/**
 * What the cloud annotators share about failures: HTTP statuses mapped to AnnotationError kinds,
 * Retry-After read from headers (or Google's RetryInfo), and API keys kept out of every message.
 */
import { AnnotationError } from '../annotator.ts';

/** A key shown safely: first 4 and last 4 characters (`sk-a***xyz9`); keys of 12 characters or fewer are fully masked. */
export function maskKey(key: string | null | undefined): string {
  if (!key) return '(none)';
  if (key.length <= 12) return '*'.repeat(Math.min(key.length, 8));
  return `${key.slice(0, 4)}***${key.slice(-4)}`;
}

/** Text with every occurrence of the key replaced by its masked form. */
export function redactKey(text: string, key: string | null | undefined): string {
  if (!key || key.length < 4) return text;
  return text.split(key).join(maskKey(key));
}

/** Anything that holds headers: a fetch Headers, a plain record, or nothing. */
export type HeaderSource = Headers | Record<string, string | string[] | undefined> | null | undefined;

function header(headers: HeaderSource, name: string): string | undefined {
  if (!headers) return undefined;
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
  const record = headers as Record<string, string | string[] | undefined>;
  const value = record[name] ?? Object.entries(record).find(([k]) => k.toLowerCase() === name)?.[1];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Seconds to wait from `retry-after-ms` (milliseconds), else `retry-after` (seconds or an HTTP
 * date, relative to `now`); undefined when neither is there or readable.
 */
export function retryAfterSeconds(headers: HeaderSource, now: number = Date.now()): number | undefined {
  const ms = header(headers, 'retry-after-ms');
  if (ms !== undefined && /^\s*\d+(\.\d+)?\s*$/.test(ms)) return Number(ms) / 1000;
  const value = header(headers, 'retry-after');
  if (value === undefined) return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(value)) return Number(value);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, (date - now) / 1000);
}

/** Seconds from a google.rpc.RetryInfo `retryDelay` ("30s", "1.5s") inside an error body or message. */
export function googleRetryDelaySeconds(text: string): number | undefined {
  const match = /"retryDelay"\s*:\s*"(\d+(?:\.\d+)?)s"/.exec(text);
  return match ? Number(match[1]) : undefined;
}

/** The AnnotationError an HTTP error status becomes. */
export function errorForStatus(
  status: number,
  message: string,
  options: { retryAfterSeconds?: number; cause?: unknown } = {},
): AnnotationError {
  const extra = {
    ...(options.retryAfterSeconds !== undefined ? { retryAfterSeconds: options.retryAfterSeconds } : {}),
    cause: options.cause,
  };
  if (status === 429) return new AnnotationError('rate-limit', message, extra);
  if (status === 408) return new AnnotationError('timeout', message, extra);
  if (status === 401 || status === 403) return new AnnotationError('auth', message, { ...extra, retryable: false });
  if (status === 529 || status >= 500) return new AnnotationError('server', message, extra);
  if (status === 400 || status === 404 || status === 413 || status === 422)
    return new AnnotationError('bad-request', message, extra);
  return new AnnotationError('other', message, extra);
}

/** Whether an error is an abort or timeout raised by fetch or an SDK (by name, as the classes differ). */
export function isAbortLike(err: unknown): boolean {
  const name = (err as { name?: unknown } | null)?.name;
  return name === 'AbortError' || name === 'TimeoutError' || name === 'APIUserAbortError';
}

/** Error codes of network failures that are worth retrying as timeouts. */
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/** Whether an error (or its causes) is a network failure: reset, refused, DNS, socket closed. */
export function isNetworkError(err: unknown): boolean {
  for (
    let e = err as { code?: unknown; cause?: unknown; message?: unknown } | undefined, depth = 0;
    e && depth < 5;
    e = e.cause as typeof e, depth++
  ) {
    if (typeof e.code === 'string' && NETWORK_CODES.has(e.code)) return true;
    if (e.message === 'fetch failed' || e.message === 'terminated') return true;
  }
  return false;
}

/** The error reported for a request the caller's signal cancelled (not a failure of the image). */
export class AnnotationCancelled extends AnnotationError {
  constructor(cause?: unknown) {
    super('other', 'The request was cancelled.', { retryable: false, cause });
    this.name = 'AnnotationCancelled';
  }
}

/** The error reported when the caller's signal aborted a request. */
export function cancelledError(cause?: unknown): AnnotationCancelled {
  return new AnnotationCancelled(cause);
}

/**
 * The one message of a run the provider's refusal of its key stopped: which key (masked), the
 * provider's reason, where to set a valid key, and that nothing more was sent.
 */
export function keyRefusedMessage(
  provider: { label: string; keyEnv: string },
  apiKey: string | undefined,
  reason: string,
): string {
  const who = apiKey
    ? `The ${provider.label} API key ${maskKey(apiKey)} was refused`
    : `${provider.label} refused the requests without an API key`;
  return (
    `${who} (${redactKey(reason, apiKey).replace(/\.\s*$/, '')}): set a valid key (${provider.keyEnv} for the command line, ` +
    'or "Tagbench: Set API Key" in VS Code) and resume the job; no further image was sent.'
  );
}

/** A short, key-free description of an unknown error. */
export function describeError(err: unknown, key: string | null | undefined): string {
  const message = err instanceof Error ? err.message : String(err);
  return redactKey(message.length > 500 ? `${message.slice(0, 500)}...` : message, key);
}
