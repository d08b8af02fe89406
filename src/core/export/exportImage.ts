/**
 * Exporting one image: its crop (from the sidecar, or found now for `crop: auto`), the resize to its
 * bucket when a resolution is set, and its caption in the trainer's form, written into the export
 * folder. An image whose source, processing and caption match the previous export is skipped.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '../atomicWrite.ts';
import { CaptionDecodeError, decodeCaption } from '../caption/captionFile.ts';
import { captionPathFor, sidecarPathFor } from '../dataset/filePairing.ts';
import { parseSidecar } from '../sidecar/sidecar.ts';
import { detectBordersInImage } from '../processing/autoCrop.ts';
import { cropOf } from '../processing/cropState.ts';
import { isWholeImage } from '../processing/cropRect.ts';
import { applyRecipe, planResize } from '../processing/recipe.ts';
import type { Operation } from '../processing/operations.ts';
import { openSource } from '../imaging/sourceImage.ts';
import { formatCaption } from './captionFormat.ts';
import type { CaptionOptions } from './captionFormat.ts';
import { inTestSplit } from './hfMetadata.ts';
import { readManifest } from './exportFolder.ts';
import type { ExportManifest, ManifestEntry } from './exportFolder.ts';

/** The trainer formats Tagbench writes. */
export type ExportFormat = 'kohya' | 'hf' | 'plain';

/** What an export job does. */
export interface ExportParams {
  format: ExportFormat;
  /** Absolute path of the export folder. */
  out: string;
  /** Concept name (kohya folder `<repeats>_<name>`). */
  name: string;
  repeats: number;
  /** Resize each image to its bucket at this resolution (crop-to-bucket, no upscaling); null keeps sizes. */
  resolution: number | null;
  crop: 'auto' | 'none';
  caption: CaptionOptions;
  classTokens: string;
  /** hf: share of images in the test split (0 for none). */
  testFraction: number;
  /** Output file stem for each source path (unique within the export). */
  names: Record<string, string>;
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

/** The folder inside the export an image goes to. */
export function exportFolderFor(params: Pick<ExportParams, 'format' | 'repeats' | 'name' | 'testFraction'>, sha256: string): string {
  switch (params.format) {
    case 'kohya': return `${params.repeats}_${safeName(params.name)}`;
    case 'hf': return inTestSplit(sha256, params.testFraction) ? 'test' : 'train';
    case 'plain': return '';
  }
}

/** Exports the image at dataset-relative `path`. */
export async function exportImage(env: ExportEnvironment, params: ExportParams, path: string): Promise<{ state: 'done' | 'skipped'; result: ExportItemResult }> {
  const original = readFileSync(join(env.root, path));
  const sourceSha256 = createHash('sha256').update(original).digest('hex');
  const source = await openSource(original, env.maxPixels);

  const operations: Operation[] = [{ op: 'orient' }];
  let width = source.width;
  let height = source.height;
  if (params.crop === 'auto') {
    const stored = readCrop(join(env.root, sidecarPathFor(path)));
    const rect = stored ?? (await detectBordersInImage(original, { maxPixels: env.maxPixels }));
    if (rect && !isWholeImage(rect, width, height)) {
      operations.push({ op: 'crop', rect });
      ({ width, height } = rect);
    }
  }
  if (params.resolution) operations.push(planResize(width, height, { resolution: params.resolution, mode: 'crop', allowUpscale: false }));
  const keepBytes = operations.length === 1 && (source.format === 'jpeg' || source.format === 'png' || source.format === 'webp') && source.orientation <= 1;
  const ext = keepBytes ? (source.format === 'jpeg' ? 'jpg' : source.format) : source.format === 'jpeg' ? 'jpg' : 'png';
  if (!keepBytes) {
    operations.push({ op: 'colour', toSrgb: true, flatten: ext === 'jpg' ? '#ffffff' : null, stripMetadata: true });
    operations.push(ext === 'jpg' ? { op: 'encode', format: 'jpeg', quality: 95 } : { op: 'encode', format: 'png' });
  }
  const recipeKey = keepBytes ? 'copy' : createHash('sha256').update(JSON.stringify(operations)).digest('hex').slice(0, 16);

  const folder = exportFolderFor(params, sourceSha256);
  const stem = params.names[path] ?? path.slice(path.lastIndexOf('/') + 1).replace(/\.[^.]+$/, '');
  const outPath = folder ? `${folder}/${stem}.${ext}` : `${stem}.${ext}`;
  const caption = formatCaption(readCaptionText(join(env.root, captionPathFor(path, env.captionExtension))), params.caption);
  const captionHash = createHash('sha256').update(caption.text).digest('hex').slice(0, 16);
  const captionPath = params.format === 'hf' ? null : outPath.replace(/\.[^.]+$/, '.txt');
  const result: ExportItemResult = { path: outPath, source: path, sourceSha256, recipeKey, captionHash, caption: captionPath, text: caption.text, keepTokens: caption.keepTokens, folder };

  const previous = previousEntry(params.out, outPath);
  const outFile = join(params.out, outPath);
  if (previous && previous.sourceSha256 === sourceSha256 && previous.recipeKey === recipeKey && previous.captionHash === captionHash
    && existsSync(outFile) && (!captionPath || existsSync(join(params.out, captionPath)))) {
    return { state: 'skipped', result };
  }
  mkdirSync(dirname(outFile), { recursive: true });
  if (keepBytes) copyFileSync(join(env.root, path), outFile);
  else writeFileAtomic(outFile, (await applyRecipe(original, { operations }, { maxPixels: env.maxPixels })).data, { durable: false });
  if (captionPath) writeFileAtomic(join(params.out, captionPath), caption.text, { durable: false });
  return { state: 'done', result };
}

/** A folder-safe concept name. */
export function safeName(name: string): string {
  const safe = [...name.trim()].map((c) => (c.charCodeAt(0) < 32 || '\\/:*?"<>|'.includes(c) ? '_' : c)).join('').replace(/_+/g, '_').replace(/^\.+/, '');
  return safe || 'dataset';
}

function readCrop(sidecarFile: string): { left: number; top: number; width: number; height: number } | undefined {
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
    if (err instanceof CaptionDecodeError) throw new Error(`The caption ${file} cannot be exported: ${err.message}`, { cause: err });
    throw err;
  }
}

const manifests = new Map<string, { mtimeMs: number; manifest: ExportManifest | undefined }>();

/** The previous export's entry for an output path (the manifest is read once per folder and change). */
function previousEntry(out: string, outPath: string): ManifestEntry | undefined {
  const file = join(out, '.tagbench-export.json');
  const mtimeMs = existsSync(file) ? statSync(file).mtimeMs : -1;
  let cached = manifests.get(out);
  if (!cached || cached.mtimeMs !== mtimeMs) {
    cached = { mtimeMs, manifest: mtimeMs < 0 ? undefined : readManifest(out) };
    manifests.set(out, cached);
  }
  return cached.manifest?.items[outPath];
}
