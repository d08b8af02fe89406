/**
 * Finds the upscaler models a user can pick: the built-in ones shipped in the `models/` folder and
 * every `*.onnx` in a user-configured folder. Each model's contract is read from a loaded session
 * (models that are not [1,3,h,w] float32 image-to-image models are refused with a reason), and the
 * result is kept per file (path, size, modification time) so listing again is cheap.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InferenceSession } from 'onnxruntime-node';
import { ModelContractError, readUpscalerContract } from './upscalerContract.ts';
import type { UpscalerContract } from './upscalerContract.ts';

/** An upscaler model the user can pick, with the contract the upscaler needs. */
export interface ModelInfo extends UpscalerContract {
  /** `builtin:<stem>` or `user:<stem>`. */
  id: string;
  /** The file name without `.onnx`. */
  name: string;
  /** Absolute path of the .onnx file. */
  file: string;
  scale: number;
  builtIn: boolean;
}

/** A model file that was found but cannot be used, and why. */
export interface RejectedModel {
  file: string;
  builtIn: boolean;
  reason: string;
}

/** Where to look for models. */
export interface CatalogOptions {
  /**
   * Folder of the built-in models. Default: the `models/` folder of the repository or of the
   * installed extension, found relative to this module (bundles pass their own path).
   */
  builtInFolder?: string;
  /** The user's own folder of `*.onnx` models (not searched recursively). */
  userFolder?: string;
}

/** The models found, and the files refused. */
export interface ModelCatalog {
  models: ModelInfo[];
  rejected: RejectedModel[];
}

/**
 * The built-in models folder: beside the bundle when running from dist/*.cjs (dist/../models), or
 * `models/` at the repository root when running from source (src/core/models/ -> ../../../models).
 */
export function defaultBuiltInFolder(): string | undefined {
  for (const relative of ['../models/', '../../../models/']) {
    const folder = fileURLToPath(new URL(relative, import.meta.url));
    if (existsSync(folder) && readdirSync(folder).some((name) => name.toLowerCase().endsWith('.onnx')))
      return resolve(folder);
  }
  return undefined;
}

const described = new Map<string, { stamp: string; result: ModelInfo | RejectedModel }>();

/** Lists the built-in models and the user's, built-in first, each group sorted by name. */
export async function listUpscalerModels(options: CatalogOptions = {}): Promise<ModelCatalog> {
  const catalog: ModelCatalog = { models: [], rejected: [] };
  const builtInFolder = options.builtInFolder ?? defaultBuiltInFolder();
  const folders: Array<[string | undefined, boolean]> = [
    [builtInFolder, true],
    [options.userFolder, false],
  ];
  for (const [folder, builtIn] of folders) {
    if (!folder || !existsSync(folder)) continue;
    const files = readdirSync(folder, { withFileTypes: true })
      .filter((e) => e.isFile() && e.name.toLowerCase().endsWith('.onnx'))
      .map((e) => e.name)
      .sort((a, b) => a.localeCompare(b));
    for (const name of files) {
      const result = await describeModel(join(folder, name), builtIn);
      if ('reason' in result) catalog.rejected.push(result);
      else catalog.models.push(result);
    }
  }
  return catalog;
}

/** Reads one model file's contract; a model that cannot be used comes back as a RejectedModel. */
export async function describeModel(file: string, builtIn: boolean): Promise<ModelInfo | RejectedModel> {
  const path = resolve(file);
  const stat = statSync(path);
  const stamp = `${stat.size}:${stat.mtimeMs}:${builtIn}`;
  const cached = described.get(path);
  if (cached?.stamp === stamp) return cached.result;
  const result = await inspect(path, builtIn);
  described.set(path, { stamp, result });
  return result;
}

/** Like describeModel, but throws ModelContractError for a model that cannot be used. */
export async function loadModelInfo(file: string, builtIn = false): Promise<ModelInfo> {
  const result = await describeModel(file, builtIn);
  if ('reason' in result) throw new ModelContractError(result.reason);
  return result;
}

async function inspect(file: string, builtIn: boolean): Promise<ModelInfo | RejectedModel> {
  const name = basename(file).replace(/\.onnx$/i, '');
  let session: InferenceSession;
  try {
    session = await InferenceSession.create(file, { executionProviders: ['cpu'], intraOpNumThreads: 1 });
  } catch (error) {
    return { file, builtIn, reason: `${basename(file)} is not a loadable ONNX model: ${firstLine(error)}` };
  }
  try {
    const contract = await readUpscalerContract(session, file);
    return { id: `${builtIn ? 'builtin' : 'user'}:${name}`, name, file, builtIn, ...contract };
  } catch (error) {
    if (error instanceof ModelContractError) return { file, builtIn, reason: error.message };
    return { file, builtIn, reason: `${basename(file)} failed a probe run: ${firstLine(error)}` };
  } finally {
    await session.release();
  }
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!.trim();
}
