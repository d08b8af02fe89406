/**
 * Exporting one image: its crop (from the sidecar, or found now for `crop: auto`), the resize to its
 * bucket when a resolution is set, and its caption in the trainer's form, written into the export
 * folder. Only what changed since the previous export is done again, and only as far as needed: an
 * unchanged source (same size and time as the manifest records) is not even read, a changed caption
 * rewrites only the caption, and an image is decoded only when its output must be made.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, lstatSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { atomicTempFile, writeFileAtomic } from '../atomicWrite.ts';
import { CaptionDecodeError, decodeCaption } from '../caption/captionFile.ts';
import { captionPathFor, sidecarPathFor } from '../dataset/filePairing.ts';
import { parseSidecar } from '../sidecar/sidecar.ts';
import { detectBordersInImage } from '../processing/autoCrop.ts';
import { cropOf } from '../processing/cropState.ts';
import { isWholeImage } from '../processing/cropRect.ts';
import type { CropRect } from '../processing/cropRect.ts';
import { applyRecipe, planResize } from '../processing/recipe.ts';
import type { Operation } from '../processing/operations.ts';
import { openSource } from '../imaging/sourceImage.ts';
import { formatCaption } from './captionFormat.ts';
import type { CaptionOptions } from './captionFormat.ts';
import { inTestSplit } from './hfMetadata.ts';
import { cachedManifest, exportPath } from './exportFolder.ts';
import type { ExportManifest, ManifestEntry } from './exportFolder.ts';
import { kohyaSubsetOf } from './kohyaConcepts.ts';

/** The trainer formats Tagbench writes. */
export type ExportFormat = 'kohya' | 'hf' | 'plain';

/** What an export job does. */
export interface ExportParams {
  format: ExportFormat;
  /** Absolute path of the export folder. */
  out: string;
  /** Concept name (kohya folder `<repeats>_<name>`) of the images outside any concept folder, or of all when merged. */
  name: string;
  repeats: number;
  /**
   * kohya: `keep` gives each `<repeats>_<name>` folder of the dataset its own subset with its own repeats;
   * `merge` puts every training image into `<repeats>_<name>` (absent in jobs planned before: merge).
   * Regularisation folders stay apart either way.
   */
  concepts?: 'keep' | 'merge';
  /** Resize each image to its bucket at this resolution (crop-to-bucket, no upscaling); null keeps sizes. */
  resolution: number | null;
  crop: 'auto' | 'none';
  caption: CaptionOptions;
  /** kohya class tokens of the `<repeats>_<name>` subset (concept folders use their own name). */
  classTokens: string;
  /** hf: share of images in the test split (0 for none). */
  testFraction: number;
  /** Output file stem for each source path (unique within the export). */
  names: Record<string, string>;
  /**
   * kohya: dataset.toml's image_dir paths relative to the export folder (the default, so the folder
   * can be copied to a training machine) or absolute (absent in jobs planned before: relative).
   */
  paths?: 'relative' | 'absolute';
}

/** Where the dataset is and its settings. */
export interface ExportEnvironment {
  root: string;
  captionExtension: string;
  maxPixels: number;
}

/** One exported image: its manifest entry plus what the finishing step needs. */
export interface ExportItemResult extends ManifestEntry {
  /** Output-relative image path. */
  path: string;
  text: string;
  keepTokens: number;
  /** Output-relative folder it went to (kohya subset, hf split). */
  folder: string;
}

/** The outcome of one image. */
export interface ExportOutcome {
  state: 'done' | 'skipped';
  result: ExportItemResult;
}

/** Made part of every recipe's inputs: raise it when the way exports make images changes, so re-exports redo them. */
const RECIPE_VERSION = 1;

/** The folder inside the export an image goes to. */
export function exportFolderFor(
  params: Pick<ExportParams, 'format' | 'repeats' | 'name' | 'classTokens' | 'concepts' | 'testFraction'>,
  path: string,
  sha256: string,
): string {
  switch (params.format) {
    case 'kohya':
      return kohyaSubsetOf(params, path).folder;
    case 'hf':
      return inTestSplit(sha256, params.testFraction) ? 'test' : 'train';
    case 'plain':
      return '';
  }
}

/**
 * Exports an image when that needs neither reading nor decoding its original: the manifest records the
 * same source size and time, the same recipe inputs, and outputs that are still as written. A changed
 * caption is rewritten; undefined when the image itself must be made (see exportImage).
 */
export function exportUnchangedImage(
  env: Pick<ExportEnvironment, 'root' | 'captionExtension'>,
  params: ExportParams,
  path: string,
  pass?: ExportPass,
): ExportOutcome | undefined {
  const previous = pass ? pass.previous(path) : previousBySource(params.out, path);
  if (!previous || previous.entry.sourceSize === undefined || previous.entry.inputKey === undefined) return undefined;
  const stat = statSync(join(env.root, path));
  if (stat.size !== previous.entry.sourceSize || stat.mtimeMs !== previous.entry.sourceMtimeMs) return undefined;
  return reuseOutput(env, params, path, previous, previous.entry.sourceSha256, stat, pass?.verified);
}

/** A pass over many images of one export: the manifest looked up once, each folder checked once. */
export interface ExportPass {
  previous: (source: string) => PreviousOutput | undefined;
  verified: Set<string>;
}

/** Starts a pass over the images of an export into `out`. */
export function exportPass(out: string): ExportPass {
  const manifest = cachedManifest(out);
  const bySource = manifest ? manifestBySource(manifest) : new Map<string, PreviousOutput>();
  return { previous: (source) => bySource.get(source), verified: new Set() };
}

/** Exports the image at dataset-relative `path`. */
export async function exportImage(env: ExportEnvironment, params: ExportParams, path: string): Promise<ExportOutcome> {
  const unchanged = exportUnchangedImage(env, params, path);
  if (unchanged) return unchanged;
  const file = join(env.root, path);
  const stat = statSync(file);
  const original = readFileSync(file);
  const sourceSha256 = createHash('sha256').update(original).digest('hex');
  const previous = previousBySource(params.out, path);
  if (previous) {
    const reused = reuseOutput(env, params, path, previous, sourceSha256, stat);
    if (reused) return reused;
  }
  const source = await openSource(original, env.maxPixels);

  const operations: Operation[] = [{ op: 'orient' }];
  let width = source.width;
  let height = source.height;
  const storedCrop = params.crop === 'auto' ? readCrop(join(env.root, sidecarPathFor(path))) : undefined;
  if (params.crop === 'auto') {
    const rect = storedCrop ?? (await detectBordersInImage(original, { maxPixels: env.maxPixels }));
    if (rect && !isWholeImage(rect, width, height)) {
      operations.push({ op: 'crop', rect });
      ({ width, height } = rect);
    }
  }
  if (params.resolution)
    operations.push(planResize(width, height, { resolution: params.resolution, mode: 'crop', allowUpscale: false }));
  const keepBytes =
    operations.length === 1 &&
    (source.format === 'jpeg' || source.format === 'png' || source.format === 'webp') &&
    source.orientation <= 1;
  const ext = keepBytes ? (source.format === 'jpeg' ? 'jpg' : source.format) : source.format === 'jpeg' ? 'jpg' : 'png';
  if (!keepBytes) {
    operations.push({ op: 'colour', toSrgb: true, flatten: ext === 'jpg' ? '#ffffff' : null, stripMetadata: true });
    operations.push(ext === 'jpg' ? { op: 'encode', format: 'jpeg', quality: 95 } : { op: 'encode', format: 'png' });
  }
  const recipeKey = keepBytes
    ? 'copy'
    : createHash('sha256').update(JSON.stringify(operations)).digest('hex').slice(0, 16);

  const folder = exportFolderFor(params, path, sourceSha256);
  const stem = stemOf(params, path);
  const outPath = folder ? `${folder}/${stem}.${ext}` : `${stem}.${ext}`;
  const caption = exportCaption(env, params, path);
  const captionPath = captionPathOf(params, outPath, caption.text);
  const outFile = exportPath(params.out, outPath, true);
  if (keepBytes) copyAtomic(file, outFile);
  else
    writeFileAtomic(outFile, (await applyRecipe(original, { operations }, { maxPixels: env.maxPixels })).data, {
      durable: false,
    });
  const result: ExportItemResult = {
    path: outPath,
    source: path,
    sourceSha256,
    recipeKey,
    captionHash: caption.hash,
    caption: captionPath,
    sourceSize: stat.size,
    sourceMtimeMs: stat.mtimeMs,
    inputKey: inputKeyOf(params, storedCrop),
    outputMtimeMs: lstatSync(outFile).mtimeMs,
    captionMtimeMs: captionPath ? writeCaption(params.out, captionPath, caption.text) : null,
    text: caption.text,
    keepTokens: caption.keepTokens,
    folder,
  };
  return { state: 'done', result };
}

/**
 * The outcome when the previous output image can stay: same source content and recipe inputs, the same
 * output path, and the image file as it was written. Writes the caption when it changed.
 */
function reuseOutput(
  env: Pick<ExportEnvironment, 'root' | 'captionExtension'>,
  params: ExportParams,
  path: string,
  previous: PreviousOutput,
  sourceSha256: string,
  stat: { size: number; mtimeMs: number },
  verified?: Set<string>,
): ExportOutcome | undefined {
  const { outPath, entry } = previous;
  if (entry.sourceSha256 !== sourceSha256 || entry.inputKey === undefined || entry.outputMtimeMs === undefined)
    return undefined;
  const storedCrop = params.crop === 'auto' ? readCrop(join(env.root, sidecarPathFor(path))) : undefined;
  const inputKey = inputKeyOf(params, storedCrop);
  if (entry.inputKey !== inputKey) return undefined;
  const folder = exportFolderFor(params, path, sourceSha256);
  const expected = `${folder ? `${folder}/` : ''}${stemOf(params, path)}${outPath.slice(outPath.lastIndexOf('.'))}`;
  if (expected !== outPath) return undefined;
  const image = lstatSync(exportPath(params.out, outPath, false, verified), { throwIfNoEntry: false });
  if (!image?.isFile() || image.mtimeMs !== entry.outputMtimeMs) return undefined;
  const caption = exportCaption(env, params, path);
  const captionPath = captionPathOf(params, outPath, caption.text);
  const written = captionPath
    ? lstatSync(exportPath(params.out, captionPath, false, verified), { throwIfNoEntry: false })
    : undefined;
  const captionUpToDate =
    entry.captionHash === caption.hash &&
    entry.caption === captionPath &&
    (!captionPath || (written?.isFile() === true && written.mtimeMs === entry.captionMtimeMs));
  const result: ExportItemResult = {
    path: outPath,
    source: path,
    sourceSha256,
    recipeKey: entry.recipeKey,
    captionHash: caption.hash,
    caption: captionPath,
    sourceSize: stat.size,
    sourceMtimeMs: stat.mtimeMs,
    inputKey,
    outputMtimeMs: image.mtimeMs,
    captionMtimeMs: captionPath
      ? captionUpToDate
        ? written!.mtimeMs
        : writeCaption(params.out, captionPath, caption.text)
      : null,
    text: caption.text,
    keepTokens: caption.keepTokens,
    folder,
  };
  return { state: captionUpToDate ? 'skipped' : 'done', result };
}

/** What the recipe of an image is decided from besides its content: the options and the stored crop. */
function inputKeyOf(params: ExportParams, storedCrop: CropRect | undefined): string {
  const inputs = [RECIPE_VERSION, params.crop, params.crop === 'auto' ? (storedCrop ?? null) : null, params.resolution];
  return createHash('sha256').update(JSON.stringify(inputs)).digest('hex').slice(0, 16);
}

function stemOf(params: ExportParams, path: string): string {
  return params.names[path] ?? path.slice(path.lastIndexOf('/') + 1).replace(/\.[^.]+$/, '');
}

/**
 * The caption file written beside an output image, or null: none for hf (captions go into
 * metadata.jsonl), and none for an empty kohya caption, since sd-scripts stops at an empty caption file
 * (without one it trains the image on its subset's class tokens).
 */
function captionPathOf(params: ExportParams, outPath: string, text: string): string | null {
  if (params.format === 'hf' || (params.format === 'kohya' && text === '')) return null;
  return outPath.replace(/\.[^.]+$/, '.txt');
}

function exportCaption(
  env: Pick<ExportEnvironment, 'root' | 'captionExtension'>,
  params: ExportParams,
  path: string,
): { text: string; keepTokens: number; hash: string } {
  const caption = formatCaption(
    readCaptionText(join(env.root, captionPathFor(path, env.captionExtension))),
    params.caption,
  );
  return { ...caption, hash: createHash('sha256').update(caption.text).digest('hex').slice(0, 16) };
}

/** Writes a caption file inside the export; returns its modification time. */
function writeCaption(out: string, captionPath: string, text: string): number {
  const file = exportPath(out, captionPath, true);
  writeFileAtomic(file, text, { durable: false });
  return lstatSync(file).mtimeMs;
}

/** Copies a file into place through a temporary file beside it, so the target (or a link there) is replaced, never written through. */
function copyAtomic(from: string, to: string): void {
  const temp = atomicTempFile(to);
  try {
    copyFileSync(from, temp);
    renameSync(temp, to);
  } catch (err) {
    rmSync(temp, { force: true });
    throw err;
  }
}

function readCrop(sidecarFile: string): CropRect | undefined {
  try {
    return cropOf(parseSidecar(readFileSync(sidecarFile))).rect;
  } catch {
    return undefined;
  }
}

function readCaptionText(file: string): string | null {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch {
    return null;
  }
  try {
    return decodeCaption(bytes).text;
  } catch (err) {
    if (err instanceof CaptionDecodeError)
      throw new Error(`The caption ${file} cannot be exported: ${err.message}`, { cause: err });
    throw err;
  }
}

/** An output of the previous export and its manifest entry. */
export interface PreviousOutput {
  outPath: string;
  entry: ManifestEntry;
}

const bySourceOf = new WeakMap<ExportManifest, Map<string, PreviousOutput>>();

/** A manifest's outputs by source image. */
function manifestBySource(manifest: ExportManifest): Map<string, PreviousOutput> {
  let bySource = bySourceOf.get(manifest);
  if (!bySource) {
    bySource = new Map(Object.entries(manifest.items).map(([outPath, entry]) => [entry.source, { outPath, entry }]));
    bySourceOf.set(manifest, bySource);
  }
  return bySource;
}

/** The previous export's output of a source image (the manifest is read once per folder and change). */
function previousBySource(out: string, source: string): PreviousOutput | undefined {
  const manifest = cachedManifest(out);
  return manifest ? manifestBySource(manifest).get(source) : undefined;
}
