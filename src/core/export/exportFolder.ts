/**
 * The output folder of an export and its manifest (`.tagbench-export.json`), which records what each
 * output file was made from so a re-export rewrites only what changed and removes what left the set.
 * An export never writes or deletes outside its folder: the folder is checked by its real location,
 * and nothing inside it is written or removed through a link.
 */
import { lstatSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { writeFileAtomic } from '../atomicWrite.ts';
import { DatasetError, implausibleRootReason } from '../dataset/datasetRoot.ts';

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
  /** Size and modification time of the source when it was exported (absent in older manifests). */
  sourceSize?: number;
  sourceMtimeMs?: number;
  /** Identifies what the recipe was decided from (options, stored crop), so an unchanged source need not be decoded again. */
  inputKey?: string;
  /** Modification times of the image and caption files as written, so an output changed since is made again. */
  outputMtimeMs?: number;
  captionMtimeMs?: number | null;
}

/** The manifest of an export folder. */
export interface ExportManifest {
  tagbench: 1;
  format: string;
  dataset: string;
  /** By output-relative image path. */
  items: Record<string, ManifestEntry>;
}

/** A path inside an export folder that Tagbench refuses to write or delete (it leads through a link). */
export class ExportPathError extends Error {
  /** The link (export-relative, '' for the folder itself) the path leads through, if that is the reason. */
  readonly link: string | undefined;

  constructor(message: string, link?: string) {
    super(message);
    this.name = 'ExportPathError';
    this.link = link;
  }
}

/** Whether `child` is `parent` or inside it (both absolute and normalised). */
export function isInsideFolder(child: string, parent: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

/**
 * Where `path` really is: the real path of its nearest existing ancestor (links resolved) with the
 * rest appended. A dangling link on the way is refused, since writing there would create its target.
 */
export function realLocation(path: string): string {
  const rest: string[] = [];
  for (let existing = resolve(path); ; existing = dirname(existing)) {
    try {
      return join(realpathSync.native(existing), ...rest.reverse());
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw err;
      if (lstatSync(existing, { throwIfNoEntry: false })?.isSymbolicLink()) {
        throw new DatasetError(`${existing} is a link to something that does not exist; choose another folder.`);
      }
    }
    if (dirname(existing) === existing) return resolve(path);
    rest.push(basename(existing));
  }
}

/** What checking an export folder found: its real location, and what is wrong with it, if anything. */
export interface ExportFolderCheck {
  /** The folder's real absolute path (links resolved). */
  out: string;
  /** Why it cannot be used, or undefined when it can. */
  problem?: string;
  /** True when `force` would accept it (it is not empty, or holds another export); never for the refusals. */
  forceable?: boolean;
}

/**
 * Checks an export folder by its real location: never the filesystem root, the home folder or a system
 * folder, never the dataset, inside it or containing it (even with force); and empty or a previous
 * Tagbench export of the same format (else forceable).
 */
export function inspectExportFolder(out: string, datasetRoot: string, format: string): ExportFolderCheck {
  const abs = resolve(out);
  let target: string;
  try {
    target = realLocation(abs);
  } catch (err) {
    if (err instanceof DatasetError) return { out: abs, problem: err.message };
    throw err;
  }
  const root = realLocation(datasetRoot);
  const reason = implausibleRootReason(abs) ?? implausibleRootReason(target);
  if (reason)
    return {
      out: target,
      problem: `Refusing to export to ${abs}: ${reason}. Choose a folder of its own, for example one next to the dataset.`,
    };
  if (isInsideFolder(target, root)) {
    return {
      out: target,
      problem: `The export folder ${abs} is inside the dataset${target !== abs ? ` (it leads to ${target})` : ''}; choose a folder outside it.`,
    };
  }
  if (isInsideFolder(root, target))
    return { out: target, problem: `The export folder ${abs} contains the dataset; choose another folder.` };
  const stat = lstatSync(target, { throwIfNoEntry: false });
  if (!stat) return { out: target };
  if (!stat.isDirectory()) return { out: target, problem: `${abs} is a file, not a folder; choose a folder.` };
  if (readdirSync(target).length === 0) return { out: target };
  const manifest = readManifest(target);
  if (manifest?.format === format) return { out: target };
  return {
    out: target,
    problem: manifest
      ? `${abs} holds a ${manifest.format} export; choose another folder or pass --force.`
      : `${abs} is not empty; choose an empty folder or pass --force.`,
    forceable: true,
  };
}

/**
 * Checks an export folder (see inspectExportFolder); `force` accepts one that is not empty or holds
 * another export, never the refusals. Returns the folder's real absolute path; throws DatasetError.
 */
export function checkExportFolder(out: string, datasetRoot: string, format: string, force: boolean): string {
  const check = inspectExportFolder(out, datasetRoot, format);
  if (check.problem && !(force && check.forceable)) throw new DatasetError(check.problem);
  return check.out;
}

/**
 * The absolute path of `relPath` inside the export folder `out`, checked on the way: the folder itself
 * and every folder between it and the file must be a real folder, never a link (nor a file). With
 * `create`, missing folders are made. Throws ExportPathError otherwise. `verified` holds folders a
 * quick pass over many files already checked, so each is checked once per pass.
 */
export function exportPath(out: string, relPath: string, create: boolean, verified?: Set<string>): string {
  const parts = relPath.split(/[\\/]+/).filter(Boolean);
  if (parts.length === 0 || isAbsolute(relPath) || parts.some((p) => p === '..' || p === '.')) {
    throw new ExportPathError(`${relPath} is not a path inside the export folder.`);
  }
  let folder = out;
  for (const [i, part] of ['', ...parts.slice(0, -1)].entries()) {
    if (i > 0) folder = join(folder, part);
    if (verified?.has(folder)) continue;
    let stat = lstatSync(folder, { throwIfNoEntry: false });
    if (!stat) {
      if (!create) break;
      try {
        mkdirSync(folder, { recursive: i === 0 });
        continue;
      } catch (err) {
        // Another worker made it first: check what is there now.
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        stat = lstatSync(folder);
      }
    }
    if (stat.isSymbolicLink()) {
      const link = relative(out, folder);
      throw new ExportPathError(
        `${relPath} is not written: ${link || 'the export folder'} is a link, and an export never writes or deletes through links (remove the link, or export to a new folder).`,
        link,
      );
    }
    if (!stat.isDirectory())
      throw new ExportPathError(
        `${relPath} is not written: ${relative(out, folder)} in the export folder is a file, not a folder.`,
      );
    verified?.add(folder);
  }
  return join(out, ...parts);
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

const manifestCache = new Map<string, { mtimeMs: number; size: number; manifest: ExportManifest | undefined }>();

/** An export folder's manifest as readManifest gives it, read again only when the file changed (time or size). Not to be modified. */
export function cachedManifest(folder: string): ExportManifest | undefined {
  const stat = statSync(join(folder, MANIFEST_NAME), { throwIfNoEntry: false });
  const cached = manifestCache.get(folder);
  if (cached && cached.mtimeMs === (stat?.mtimeMs ?? -1) && cached.size === (stat?.size ?? -1)) return cached.manifest;
  const manifest = stat ? readManifest(folder) : undefined;
  manifestCache.set(folder, { mtimeMs: stat?.mtimeMs ?? -1, size: stat?.size ?? -1, manifest });
  return manifest;
}

/** What writeManifest removed, and what it left because it lies behind a link. */
export interface ManifestUpdate {
  /** Images of the previous export removed (their captions go with them). */
  removed: number;
  /** One sentence per output that was not removed because a link leads to it. */
  warnings: string[];
}

/**
 * Writes the manifest and deletes the files of the previous one that are no longer part of the export,
 * never through a link (a link itself is removed, not what it leads to).
 */
export function writeManifest(
  folder: string,
  manifest: ExportManifest,
  previous: ExportManifest | undefined,
): ManifestUpdate {
  const update: ManifestUpdate = { removed: 0, warnings: [] };
  const behindLinks = new Map<string, number>();
  for (const [path, entry] of Object.entries(previous?.items ?? {})) {
    const kept = manifest.items[path];
    for (const file of [path, entry.caption]) {
      if (!file || (kept && (file === path || file === kept.caption))) continue;
      let abs: string;
      try {
        abs = exportPath(folder, file, false);
      } catch (err) {
        if (!(err instanceof ExportPathError)) throw err;
        const key = err.link ?? err.message;
        behindLinks.set(key, (behindLinks.get(key) ?? 0) + 1);
        continue;
      }
      if (lstatSync(abs, { throwIfNoEntry: false })) {
        rmSync(abs, { force: true });
        if (file === path) update.removed++;
      }
    }
  }
  for (const [link, files] of behindLinks) {
    update.warnings.push(
      `${files} old output file${files === 1 ? '' : 's'} behind the link ${link || 'to the export folder'} ${files === 1 ? 'was' : 'were'} left in place (an export never deletes through links).`,
    );
  }
  // One item a line: readable, and quick to write for tens of thousands of images.
  const items = Object.entries(manifest.items).map(
    ([path, entry]) => `${JSON.stringify(path)}: ${JSON.stringify(entry)}`,
  );
  const { items: _, ...head } = manifest;
  const text = `${JSON.stringify(head).slice(0, -1)},\n"items": {${items.length > 0 ? `\n${items.join(',\n')}\n` : ''}}}\n`;
  writeFileAtomic(exportPath(folder, MANIFEST_NAME, true), text);
  return update;
}

/**
 * Marks a checked export folder as a Tagbench export of `format` before anything is written into it
 * (an empty manifest, when it has none): an export killed halfway leaves a folder that the same export
 * run again recognises and finishes, instead of one "not empty" to be forced.
 */
export function claimExportFolder(folder: string, format: string, dataset: string): void {
  if (readManifest(folder)) return;
  writeManifest(folder, { tagbench: 1, format, dataset, items: {} }, undefined);
}
