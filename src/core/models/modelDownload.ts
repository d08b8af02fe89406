/**
 * Downloading models from the catalog in `config/modelCatalog.json` (Hugging Face repositories, or a
 * mirror named by HF_ENDPOINT as huggingface_hub does). Each file goes to `<dest>.part` first: a
 * partial file is resumed with a Range request (a server that answers 200 instead of 206 restarts it
 * from zero), redirects are followed (the hub sends files to a CDN), the size and SHA-256 are checked
 * when the catalog knows them (a mismatch deletes the .part), and only then is it renamed into place.
 * Cancelling (AbortSignal) keeps the .part for the next run. HF_TOKEN, when set, is sent as a bearer token.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, renameSync, statSync, unlinkSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import catalogJson from '../../../config/modelCatalog.json' with { type: 'json' };

/** One file of a catalog model; size and sha256 are null where not pinned. */
export interface CatalogFile {
  path: string;
  size: number | null;
  sha256: string | null;
}

/** A downloadable model. */
export interface CatalogModel {
  name: string;
  kind: string;
  description?: string;
  /** `owner/name` on the hub. */
  repo: string;
  /** A branch, tag or commit hash. */
  revision: string;
  /** Folder under the models folder, e.g. `taggers/wd-vit-tagger-v3`. */
  destination: string;
  files: CatalogFile[];
}

/** How far a download is. `total` is null when the server does not say; `rate` is bytes a second in this run. */
export interface DownloadProgress {
  file: string;
  bytes: number;
  total: number | null;
  rate: number;
}

/** Download settings. */
export interface DownloadOptions {
  /** The hub's base URL; default HF_ENDPOINT or https://huggingface.co. */
  baseUrl?: string;
  /** Bearer token; default HF_TOKEN. */
  token?: string;
  signal?: AbortSignal;
  onProgress?: (progress: DownloadProgress) => void;
  /** Attempts after a dropped connection or a server error, each resuming where the last stopped (default 3). */
  retries?: number;
  /** Wait before the first retry, doubled each time (default 1000 ms). */
  retryDelayMs?: number;
}

/** What happened to one file. */
export interface FileDownloadResult {
  path: string;
  bytes: number;
  /** Already there and verified: nothing downloaded. */
  skipped: boolean;
  /** Continued from a partial file. */
  resumed: boolean;
}

/** A download that failed for a reason worth telling the user as it is. */
export class DownloadError extends Error {
  /** Whether trying again (resuming) may help. */
  readonly retryable: boolean;

  constructor(message: string, retryable = false, options?: ErrorOptions) {
    super(message, options);
    this.name = 'DownloadError';
    this.retryable = retryable;
  }
}

/** The catalog shipped with Tagbench, or models from other JSON of the same shape; throws on a malformed one. */
export function loadModelCatalog(json: unknown = catalogJson): CatalogModel[] {
  const models = (json as { models?: unknown }).models;
  if (!Array.isArray(models)) throw new Error('The model catalog has no "models" list.');
  return models.map((m: Record<string, unknown>, i) => {
    const where = `Model catalog entry ${i + 1}`;
    for (const field of ['name', 'kind', 'repo', 'revision', 'destination']) {
      if (typeof m[field] !== 'string' || m[field] === '') throw new Error(`${where} has no "${field}".`);
    }
    if (/(^|[\\/])\.\.([\\/]|$)/.test(m['destination'] as string) || /^[\\/]/.test(m['destination'] as string))
      throw new Error(`${where}: "destination" must stay inside the models folder.`);
    if (!Array.isArray(m['files']) || m['files'].length === 0) throw new Error(`${where} has no "files".`);
    const files = (m['files'] as Record<string, unknown>[]).map((f) => {
      if (typeof f['path'] !== 'string' || f['path'] === '' || f['path'].split('/').includes('..'))
        throw new Error(`${where} has a file without a valid "path".`);
      if (f['size'] !== null && (typeof f['size'] !== 'number' || !Number.isSafeInteger(f['size']) || f['size'] < 0))
        throw new Error(`${where}: ${f['path']} has a bad "size".`);
      if (f['sha256'] !== null && (typeof f['sha256'] !== 'string' || !/^[0-9a-f]{64}$/i.test(f['sha256'])))
        throw new Error(`${where}: ${f['path']} has a bad "sha256".`);
      return {
        path: f['path'],
        size: f['size'] as number | null,
        sha256: (f['sha256'] as string | null)?.toLowerCase() ?? null,
      };
    });
    return {
      name: m['name'] as string,
      kind: m['kind'] as string,
      repo: m['repo'] as string,
      revision: m['revision'] as string,
      destination: m['destination'] as string,
      files,
      ...(typeof m['description'] === 'string' ? { description: m['description'] } : {}),
    };
  });
}

/** The catalog model of that name, or undefined. */
export function findCatalogModel(
  name: string,
  catalog: readonly CatalogModel[] = loadModelCatalog(),
): CatalogModel | undefined {
  return catalog.find((m) => m.name === name);
}

/** The hub's base URL: HF_ENDPOINT when set, else https://huggingface.co (no trailing slash). */
export function hubBaseUrl(env: NodeJS.ProcessEnv = process.env): string {
  return (env['HF_ENDPOINT']?.trim() || 'https://huggingface.co').replace(/\/+$/, '');
}

/** `<base>/<repo>/resolve/<revision>/<path>`, each part URL-encoded. */
export function modelFileUrl(
  model: Pick<CatalogModel, 'repo' | 'revision'>,
  path: string,
  baseUrl = hubBaseUrl(),
): string {
  const encode = (text: string): string => text.split('/').map(encodeURIComponent).join('/');
  return `${baseUrl.replace(/\/+$/, '')}/${encode(model.repo)}/resolve/${encodeURIComponent(model.revision)}/${encode(path)}`;
}

/** A model's files on disk: `installed` when all are there with the known sizes, `partial` when some are (or .part files), else `missing`. */
export function modelInstallState(
  model: CatalogModel,
  modelsDir: string,
): { state: 'installed' | 'partial' | 'missing'; folder: string } {
  const folder = join(modelsDir, model.destination);
  let complete = 0;
  let started = 0;
  for (const file of model.files) {
    const path = join(folder, file.path);
    const size = fileSize(path);
    if (size !== null && (file.size === null || size === file.size)) complete++;
    else if (size !== null || fileSize(`${path}.part`) !== null) started++;
  }
  const state = complete === model.files.length ? 'installed' : complete + started > 0 ? 'partial' : 'missing';
  return { state, folder };
}

/** Downloads every file of a catalog model into `<modelsDir>/<destination>/`, skipping verified ones. */
export async function downloadModel(
  model: CatalogModel,
  modelsDir: string,
  options: DownloadOptions = {},
): Promise<{ folder: string; files: FileDownloadResult[] }> {
  const folder = join(modelsDir, model.destination);
  const files: FileDownloadResult[] = [];
  for (const file of model.files) {
    files.push(
      await downloadFile(modelFileUrl(model, file.path, options.baseUrl), join(folder, file.path), file, options),
    );
  }
  return { folder, files };
}

/**
 * Downloads `url` to `dest` through `<dest>.part`, resuming a partial file, retrying dropped
 * connections, verifying `expected` size and SHA-256 when known, and renaming into place. A file
 * already at `dest` that passes the checks is kept and reported as skipped.
 */
export async function downloadFile(
  url: string,
  dest: string,
  expected: { size: number | null; sha256: string | null } = { size: null, sha256: null },
  options: DownloadOptions = {},
): Promise<FileDownloadResult> {
  const existing = fileSize(dest);
  if (
    existing !== null &&
    (expected.size === null || existing === expected.size) &&
    (expected.sha256 === null || (await sha256Of(dest)) === expected.sha256)
  ) {
    return { path: dest, bytes: existing, skipped: true, resumed: false };
  }
  mkdirSync(dirname(dest), { recursive: true });
  const part = `${dest}.part`;
  const retries = options.retries ?? 3;
  let delay = options.retryDelayMs ?? 1000;
  let resumed = false;
  for (let attempt = 0; ; attempt++) {
    try {
      const result = await fetchToPart(url, part, dest, expected, options);
      resumed ||= result.resumed;
      break;
    } catch (err) {
      if (options.signal?.aborted || !(err instanceof DownloadError) || !err.retryable || attempt >= retries) throw err;
      await sleep(delay, options.signal);
      delay *= 2;
    }
  }
  const size = statSync(part).size;
  if (expected.size !== null && size !== expected.size) {
    unlinkSync(part);
    throw new DownloadError(
      `${url} gave ${size} bytes, not the ${expected.size} expected; the partial file was deleted.`,
    );
  }
  if (expected.sha256 !== null) {
    const actual = await sha256Of(part);
    if (actual !== expected.sha256) {
      unlinkSync(part);
      throw new DownloadError(
        `${url} does not match its SHA-256 (expected ${expected.sha256}, got ${actual}); the download was deleted.`,
      );
    }
  }
  renameSync(part, dest);
  return { path: dest, bytes: size, skipped: false, resumed };
}

/** One request: continues `part` (Range) or restarts it, and writes the body to it. */
async function fetchToPart(
  url: string,
  part: string,
  dest: string,
  expected: { size: number | null },
  options: DownloadOptions,
): Promise<{ resumed: boolean }> {
  let offset = fileSize(part) ?? 0;
  if (expected.size !== null && offset > expected.size) {
    unlinkSync(part);
    offset = 0;
  }
  const headers: Record<string, string> = { 'user-agent': 'tagbench' };
  const token = options.token ?? process.env['HF_TOKEN'];
  if (token) headers['authorization'] = `Bearer ${token}`;
  if (offset > 0) headers['range'] = `bytes=${offset}-`;
  let response: Response;
  try {
    response = await fetch(url, { headers, redirect: 'follow', ...(options.signal ? { signal: options.signal } : {}) });
  } catch (err) {
    if (options.signal?.aborted) throw err;
    throw new DownloadError(`Could not reach ${url}: ${causeOf(err)}.`, true, { cause: err });
  }
  if (response.status === 416 && offset > 0) {
    await response.body?.cancel();
    const total = /\/(\d+)\s*$/.exec(response.headers.get('content-range') ?? '');
    if (total && Number(total[1]) === offset) return { resumed: true };
    unlinkSync(part);
    throw new DownloadError(`${url} refused to resume the partial file; starting again.`, true);
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw httpError(url, dest, response);
  }
  let total: number | null;
  if (response.status === 206) {
    const range = /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(response.headers.get('content-range') ?? '');
    if (!range || Number(range[1]) !== offset) {
      await response.body?.cancel();
      unlinkSync(part);
      throw new DownloadError(`${url} answered the resume request with another range; starting again.`, true);
    }
    total = range[2] === '*' ? null : Number(range[2]);
  } else {
    offset = 0;
    const length = response.headers.get('content-length');
    total = length !== null && /^\d+$/.test(length) ? Number(length) : null;
  }
  if (expected.size !== null && total !== null && total !== expected.size) {
    await response.body?.cancel();
    if (existsSync(part)) unlinkSync(part);
    throw new DownloadError(
      `${url} is ${total} bytes, not the ${expected.size} the catalog expects; check the revision.`,
    );
  }
  const file = await open(part, offset > 0 ? 'a' : 'w');
  let bytes = offset;
  const started = performance.now();
  let reported = 0;
  const report = (force: boolean): void => {
    const now = performance.now();
    if (!options.onProgress || (!force && now - reported < 100)) return;
    reported = now;
    const seconds = (now - started) / 1000;
    options.onProgress({ file: dest, bytes, total, rate: seconds > 0 ? (bytes - offset) / seconds : 0 });
  };
  try {
    if (response.body) {
      for await (const chunk of response.body) {
        await file.write(chunk);
        bytes += chunk.byteLength;
        report(false);
      }
    }
  } catch (err) {
    if (options.signal?.aborted) throw err;
    throw new DownloadError(
      `The download of ${url} was interrupted after ${bytes} bytes (${causeOf(err)}); run it again to resume.`,
      true,
      { cause: err },
    );
  } finally {
    await file.close();
  }
  report(true);
  if (total !== null && bytes < total)
    throw new DownloadError(
      `The download of ${url} stopped after ${bytes} of ${total} bytes; run it again to resume.`,
      true,
    );
  return { resumed: offset > 0 };
}

function httpError(url: string, dest: string, response: Response): DownloadError {
  const status = `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
  if (response.status === 404)
    return new DownloadError(`${url} was not found (${status}); check the repository, revision and file name.`);
  if (response.status === 401 || response.status === 403) {
    return new DownloadError(
      `${url} was refused (${status}); the repository may be gated or private: set HF_TOKEN to an access token that can read it.`,
    );
  }
  return new DownloadError(
    `Downloading ${url} to ${dest} failed (${status}).`,
    response.status >= 500 || response.status === 429,
  );
}

/** The SHA-256 of a file, as lower-case hex. */
export async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function fileSize(path: string): number | null {
  try {
    const stat = statSync(path);
    return stat.isFile() ? stat.size : null;
  } catch {
    return null;
  }
}

function causeOf(err: unknown): string {
  const error = err as Error & { cause?: Error & { code?: string } };
  return error.cause?.code ?? error.cause?.message ?? error.message ?? String(err);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal!.reason as Error);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
