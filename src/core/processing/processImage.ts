/**
 * Processing one image for a `process` job: auto-crop (never redoing approved or manual crops), an
 * optional upscale, a resize to the image's bucket, and an encode, written as a new file under
 * `.tagbench/derived/`. The original is only read; the crop state and the recipe go to its sidecar.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '../atomicWrite.ts';
import { sidecarPathFor, stemOf } from '../dataset/filePairing.ts';
import { TAGBENCH_DIR } from '../dataset/datasetLayout.ts';
import { parseSidecar, SidecarError, writeSidecar } from '../sidecar/sidecar.ts';
import { withEditLock } from '../edits/editLock.ts';
import type { Sidecar } from '../sidecar/sidecar.ts';
import { listUpscalerModels } from '../models/modelCatalog.ts';
import type { ModelInfo } from '../models/modelCatalog.ts';
import { detectBordersInImage } from './autoCrop.ts';
import { cropOf, shouldAutoCrop, withCrop } from './cropState.ts';
import type { CropRect } from './cropRect.ts';
import { isWholeImage } from './cropRect.ts';
import { planResize } from './recipe.ts';
import type { Operation, OutputFormat, ResizeMode } from './operations.ts';
import { modelHash, runPipeline } from './pipeline.ts';
import type { PipelineOperation } from './pipeline.ts';
import { openSource } from '../imaging/sourceImage.ts';

/** What a process job does to each image. */
export interface ProcessParams {
  crop: 'auto' | 'none';
  resize: { resolution: number; mode: ResizeMode; allowUpscale: boolean } | null;
  upscale: { model: string; targetLongSide: number } | null;
  /** 'auto': JPEG for JPEG sources, PNG for the rest. */
  format: OutputFormat | 'auto';
  quality: number;
  /** Flatten alpha onto this colour, or keep it (null). */
  flatten: string | null;
  /** Keep EXIF and ICC metadata in outputs (default: strip it). */
  keepMetadata?: boolean;
}

/** Where models are looked for, and the pixel limit. */
export interface ProcessEnvironment {
  root: string;
  maxPixels: number;
  builtInModels?: string;
  userModels?: string;
}

/** What processing an image produced (stored as the job item's result). */
export interface ProcessResult {
  output: string;
  width: number;
  height: number;
  crop: CropRect | null;
  cropState: string;
  bucket: string | null;
  upscaled: boolean;
}

/** Processes the image at dataset-relative `path`; 'skipped' when its output is already up to date. */
export async function processImage(
  env: ProcessEnvironment,
  params: ProcessParams,
  path: string,
  signal?: AbortSignal,
): Promise<{ state: 'done' | 'skipped'; result: ProcessResult }> {
  const original = readFileSync(join(env.root, path));
  const sha256 = createHash('sha256').update(original).digest('hex');
  const sidecarFile = join(env.root, sidecarPathFor(path));
  let sidecar = readSidecarFor(sidecarFile, sha256, path);
  const read = sidecar;
  const source = await openSource(original, env.maxPixels);
  const size = { width: source.width, height: source.height };

  if (params.crop === 'auto' && shouldAutoCrop(sidecar)) {
    const rect = await detectBordersInImage(original, { maxPixels: env.maxPixels });
    sidecar =
      rect && !isWholeImage(rect, size.width, size.height)
        ? withCrop(sidecar, 'auto', rect, size)
        : withCrop(sidecar, 'none');
  }
  const crop = cropOf(sidecar);
  const operations: PipelineOperation[] = [{ op: 'orient' }];
  let width = size.width;
  let height = size.height;
  if (crop.rect) {
    operations.push({ op: 'crop', rect: crop.rect });
    ({ width, height } = crop.rect);
  }
  let upscaled = false;
  if (params.upscale && Math.max(width, height) < params.upscale.targetLongSide) {
    const model = await findModel(env, params.upscale.model);
    operations.push({
      op: 'upscale',
      model: model.name,
      modelSha256: modelHash(model.file),
      targetLongSide: params.upscale.targetLongSide,
    });
    const factor = Math.min(model.scale, params.upscale.targetLongSide / Math.max(width, height));
    width = Math.round(width * factor);
    height = Math.round(height * factor);
    upscaled = true;
  }
  let bucket: string | null = null;
  if (params.resize) {
    const resize = planResize(width, height, {
      resolution: params.resize.resolution,
      mode: params.resize.mode,
      allowUpscale: params.resize.allowUpscale,
    });
    operations.push(resize);
    bucket = `${resize.width}x${resize.height}`;
  }
  const format: OutputFormat = params.format === 'auto' ? (source.format === 'jpeg' ? 'jpeg' : 'png') : params.format;
  operations.push({ op: 'colour', toSrgb: true, flatten: params.flatten, stripMetadata: params.keepMetadata !== true });
  operations.push(
    format === 'png' ? { op: 'encode', format } : ({ op: 'encode', format, quality: params.quality } as Operation),
  );

  const output = `${TAGBENCH_DIR}/derived/${stemOf(path)}.${format === 'jpeg' ? 'jpg' : format}`;
  const previous = (
    sidecar.recipes as
      { output?: string; sourceSha256?: string; operations?: unknown; outputSha256?: string }[] | undefined
  )?.find((r) => r.output === output);
  const outputFile = join(env.root, output);
  if (
    previous &&
    previous.sourceSha256 === sha256 &&
    JSON.stringify(previous.operations) === JSON.stringify(operations) &&
    existsSync(outputFile) &&
    createHash('sha256').update(readFileSync(outputFile)).digest('hex') === previous.outputSha256
  ) {
    saveSidecar(env.root, sidecarFile, read, sidecar);
    return {
      state: 'skipped',
      result: { output, width, height, crop: crop.rect ?? null, cropState: crop.state, bucket, upscaled },
    };
  }

  const result = await runPipeline(original, operations, {
    resolveModel: (name) => findModel(env, name),
    maxPixels: env.maxPixels,
    ...(signal ? { signal } : {}),
  });
  mkdirSync(dirname(outputFile), { recursive: true });
  writeFileAtomic(outputFile, result.data, { durable: false });
  const record = {
    output,
    sourceSha256: sha256,
    outputSha256: createHash('sha256').update(result.data).digest('hex'),
    at: new Date().toISOString(),
    operations,
  };
  const recipes = ((sidecar.recipes ?? []) as { output?: string }[]).filter((r) => r.output !== output);
  sidecar = { ...sidecar, recipes: [...recipes, record] };
  saveSidecar(env.root, sidecarFile, read, sidecar);
  return {
    state: 'done',
    result: {
      output,
      width: result.width,
      height: result.height,
      crop: crop.rect ?? null,
      cropState: crop.state,
      bucket,
      upscaled,
    },
  };
}

/** The image's sidecar, or a new one; refuses to go on over a sidecar it cannot read (it would be overwritten). */
function readSidecarFor(file: string, sha256: string, path: string): Sidecar {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch {
    return { tagbench: 1, image: { sha256, file: path.slice(path.lastIndexOf('/') + 1) } };
  }
  try {
    const sidecar = parseSidecar(bytes);
    return { ...sidecar, image: { ...sidecar.image, sha256 } };
  } catch (err) {
    if (err instanceof SidecarError)
      throw new Error(`${file} cannot be read (${err.message}); fix or remove it first.`, { cause: err });
    throw err;
  }
}

/**
 * Writes what processing changed (image hash, crop, recipes) under the dataset's edit lock; when another
 * writer changed the sidecar since it was read (a review, an editor save), its version is kept and only
 * those fields are set on it (the crop only when nobody else changed it).
 */
function saveSidecar(root: string, file: string, read: Sidecar, processed: Sidecar): void {
  withEditLock(root, { purpose: 'processing', timeoutMs: 5 * 60_000 }, () => {
    let now: Sidecar | undefined;
    try {
      now = parseSidecar(readFileSync(file));
    } catch {
      now = undefined;
    }
    const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
    const changedMeanwhile = now !== undefined && !same({ ...now, image: read.image }, read);
    writeIfChanged(
      file,
      !changedMeanwhile
        ? processed
        : {
            ...now!,
            image: processed.image,
            recipes: processed.recipes,
            ...(same(now!.crop, read.crop) ? { crop: processed.crop } : {}),
          },
    );
  });
}

function writeIfChanged(file: string, sidecar: Sidecar): void {
  const next = JSON.stringify(sidecar);
  let current: string | undefined;
  try {
    current = JSON.stringify(JSON.parse(readFileSync(file, 'utf8')));
  } catch {
    current = undefined;
  }
  if (current !== next) writeSidecar(file, sidecar);
}

const catalogs = new Map<string, Promise<ModelInfo[]>>();

/** Finds an upscaler model by name (file name without .onnx) or id. */
export async function findModel(
  env: Pick<ProcessEnvironment, 'builtInModels' | 'userModels'>,
  name: string,
): Promise<ModelInfo> {
  const key = `${env.builtInModels ?? ''}\0${env.userModels ?? ''}`;
  let models = catalogs.get(key);
  if (!models) {
    models = listUpscalerModels({
      ...(env.builtInModels ? { builtInFolder: env.builtInModels } : {}),
      ...(env.userModels ? { userFolder: env.userModels } : {}),
    }).then((c) => c.models);
    catalogs.set(key, models);
  }
  const found = (await models).find((m) => m.name === name || m.id === name || m.name === name.replace(/\.onnx$/, ''));
  if (!found)
    throw new Error(
      `There is no upscaler model "${name}"; available: ${(await models).map((m) => m.name).join(', ') || 'none'}.`,
    );
  return found;
}
