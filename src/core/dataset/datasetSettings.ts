/**
 * Per-dataset settings in `.tagbench/dataset.json` (user data: kept under version control). Front
 * ends may override them per run; what a rescan needs to stay consistent lives here.
 */
import { readFileSync } from 'node:fs';
import { DatasetError } from './datasetRoot.ts';
import { DEFAULT_MAX_PIXELS } from '../imaging/sourceImage.ts';

/** Settings of one dataset. */
export interface DatasetSettings {
  /** Extension of caption files, with the dot: '.txt' (kohya's default) or e.g. '.caption'. */
  captionExtension: string;
  /** Long side of thumbnails in pixels. */
  thumbnailSize: number;
  /** Extra gitignore-style patterns to leave out, on top of `.tagbenchignore`. */
  exclude: string[];
  /** Refuse to index a folder with more files than this (a guard against pointing at the wrong folder). */
  maxFiles: number;
  /** Images with more pixels than this are reported as possible decompression bombs and skipped. */
  maxPixels: number;
}

/** The defaults. */
export const DEFAULT_SETTINGS: Readonly<DatasetSettings> = Object.freeze({
  captionExtension: '.txt',
  thumbnailSize: 256,
  exclude: [],
  maxFiles: 500_000,
  maxPixels: DEFAULT_MAX_PIXELS,
});

/** Reads `.tagbench/dataset.json` over the defaults; a missing file means the defaults. */
export function readDatasetSettings(file: string): DatasetSettings {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { ...DEFAULT_SETTINGS, exclude: [] };
    throw new DatasetError(`Cannot read ${file}: ${(err as Error).message}.`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new DatasetError(`${file} is not valid JSON: ${(err as Error).message}.`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new DatasetError(`${file} must hold a JSON object.`);
  return normalizeSettings(value as Partial<DatasetSettings>, file);
}

/** Checks and completes settings from any source (file, CLI flags, VS Code configuration). */
export function normalizeSettings(input: Partial<DatasetSettings>, source = 'settings'): DatasetSettings {
  const out: DatasetSettings = { ...DEFAULT_SETTINGS, exclude: [] };
  if (input.captionExtension !== undefined) {
    const ext = input.captionExtension;
    if (typeof ext !== 'string' || !/^\.[A-Za-z0-9_-]{1,16}$/.test(ext) || ext.toLowerCase() === SIDECAR_EXT) {
      throw new DatasetError(`${source}: captionExtension must look like ".txt" or ".caption".`);
    }
    out.captionExtension = ext;
  }
  out.thumbnailSize = integerIn(input.thumbnailSize, 32, 1024, out.thumbnailSize, `${source}: thumbnailSize`);
  out.maxFiles = integerIn(input.maxFiles, 1, Number.MAX_SAFE_INTEGER, out.maxFiles, `${source}: maxFiles`);
  out.maxPixels = integerIn(input.maxPixels, 1, Number.MAX_SAFE_INTEGER, out.maxPixels, `${source}: maxPixels`);
  if (input.exclude !== undefined) {
    if (!Array.isArray(input.exclude) || !input.exclude.every((p) => typeof p === 'string')) {
      throw new DatasetError(`${source}: exclude must be a list of patterns.`);
    }
    out.exclude = [...input.exclude];
  }
  return out;
}

const SIDECAR_EXT = '.json';

function integerIn(value: unknown, min: number, max: number, fallback: number, what: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new DatasetError(`${what} must be a whole number from ${min} to ${max}.`);
  }
  return value;
}
