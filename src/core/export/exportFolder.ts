/**
 * The output folder of an export and its manifest (`.tagbench-export.json`), which records what each
 * output file was made from so a re-export rewrites only what changed and removes what left the set.
 */
import { existsSync, readdirSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { writeFileAtomic } from '../atomicWrite.ts';
import { DatasetError } from '../dataset/datasetRoot.ts';

/** Name of the manifest file in an export folder. */
export const MANIFEST_NAME = '.tagbench-export.json';

/** What one output image was made from. */
export interface ManifestEntry {
  /** Dataset-relative path of the source image. */
  source: string;
  sourceSha256: string;
  /** Identifies the processing (recipe and options): a change means the image must be made again. */
  recipeKey: string;
  /** Hash of the caption text written beside it ('' when none). */
  captionHash: string;
  /** Output-relative path of the caption file written, or null. */
  caption: string | null;
}

/** The manifest of an export folder. */
export interface ExportManifest {
  tagbench: 1;
  format: string;
  dataset: string;
  /** By output-relative image path. */
  items: Record<string, ManifestEntry>;
}

/**
 * Checks an export folder: it must not be inside the dataset (nor contain it), and it must be empty or
 * a previous Tagbench export of the same format, unless `force`. Returns the absolute path.
 */
export function checkExportFolder(out: string, datasetRoot: string, format: string, force: boolean): string {
  const abs = resolve(out);
  const real = (p: string): string => (existsSync(p) ? realpathSync(p) : p);
  const root = real(resolve(datasetRoot));
  const target = real(abs);
  if (target === root || target.startsWith(root + sep)) {
    throw new DatasetError(`The export folder ${abs} is inside the dataset; choose a folder outside it.`);
  }
  if (root.startsWith(target + sep)) throw new DatasetError(`The export folder ${abs} contains the dataset; choose another folder.`);
  if (!existsSync(abs) || force) return abs;
  const entries = readdirSync(abs);
  if (entries.length === 0) return abs;
  const manifest = readManifest(abs);
  if (manifest?.format === format) return abs;
  throw new DatasetError(manifest
    ? `${abs} holds a ${manifest.format} export; choose another folder or pass --force.`
    : `${abs} is not empty; choose an empty folder or pass --force.`);
}

/** Reads an export folder's manifest, or undefined. */
export function readManifest(folder: string): ExportManifest | undefined {
  try {
    const value = JSON.parse(readFileSync(join(folder, MANIFEST_NAME), 'utf8')) as ExportManifest;
    return value.tagbench === 1 && typeof value.items === 'object' && value.items !== null ? value : undefined;
  } catch {
    return undefined;
  }
}

/** Writes the manifest and deletes the files of the previous one that are no longer part of the export. */
export function writeManifest(folder: string, manifest: ExportManifest, previous: ExportManifest | undefined): number {
  let removed = 0;
  for (const [path, entry] of Object.entries(previous?.items ?? {})) {
    const kept = manifest.items[path];
    for (const file of [path, entry.caption]) {
      if (!file || (kept && (file === path || file === kept.caption))) continue;
      const abs = resolve(folder, file);
      if (relative(folder, abs).startsWith('..')) continue;
      if (existsSync(abs)) {
        rmSync(abs);
        if (file === path) removed++;
      }
    }
  }
  writeFileAtomic(join(folder, MANIFEST_NAME), JSON.stringify(manifest, null, 1) + '\n');
  return removed;
}
