/**
 * A processing recipe with an optional ONNX upscale step between the sharp operations: orient and
 * crop, then upscale, then resize, colour and encode. Each part is a plain recipe, so replaying the
 * whole list on the original reproduces the output.
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import type { ModelInfo } from '../models/modelCatalog.ts';
import { upscaleImageToPng } from '../models/upscaler.ts';
import { applyRecipe } from './recipe.ts';
import type { RecipeOutput } from './recipe.ts';
import { RecipeError } from './operations.ts';
import type { Operation } from './operations.ts';

/** Upscaling with a super-resolution model to a target long side (images already that large are left alone). */
export interface UpscaleStep {
  op: 'upscale';
  /** The model's file name without `.onnx`, e.g. `realesr-animevideov3-x4`. */
  model: string;
  /** Content hash of the model file, so a replay can tell it has the same weights. */
  modelSha256: string;
  targetLongSide: number;
}

/** One step of a processing pipeline. */
export type PipelineOperation = Operation | UpscaleStep;

/** What runPipeline needs. */
export interface PipelineOptions {
  /** Finds the model of an upscale step (by name); throws when it is not available. */
  resolveModel: (name: string) => Promise<ModelInfo>;
  maxPixels?: number;
  signal?: AbortSignal;
}

/** Runs the operations on an original image and returns the encoded output. */
export async function runPipeline(
  original: Buffer,
  operations: readonly PipelineOperation[],
  options: PipelineOptions,
): Promise<RecipeOutput> {
  const index = operations.findIndex((op) => op.op === 'upscale');
  const maxPixels = options.maxPixels !== undefined ? { maxPixels: options.maxPixels } : {};
  if (index < 0) return applyRecipe(original, { operations: operations as Operation[] }, maxPixels);
  const step = operations[index] as UpscaleStep;
  const before = operations.slice(0, index) as Operation[];
  const after = operations.slice(index + 1) as Operation[];
  if (
    after.some((op) => op.op === 'orient' || op.op === 'crop') ||
    before.some((op) => op.op !== 'orient' && op.op !== 'crop')
  ) {
    throw new RecipeError(
      'Only orient and crop may come before an upscale step, and only resize, colour and encode after it.',
    );
  }
  if (!after.some((op) => op.op === 'encode')) throw new RecipeError('A recipe must end with an encode step.');
  const model = await options.resolveModel(step.model);
  const hash = modelHash(model.file);
  if (hash !== step.modelSha256)
    throw new RecipeError(`The model ${step.model} is not the one this recipe used (its content hash differs).`);
  const cropped = await applyRecipe(original, { operations: [...before, { op: 'encode', format: 'png' }] }, maxPixels);
  const upscaled = await upscaleImageToPng(cropped.data, {
    model,
    targetLongSide: step.targetLongSide,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  return applyRecipe(upscaled.png, { operations: after }, maxPixels);
}

const hashes = new Map<string, { size: number; mtimeMs: number; sha256: string }>();

/** The SHA-256 of a model file (cached while the file is unchanged). */
export function modelHash(file: string): string {
  const stat = statSync(file);
  const cached = hashes.get(file);
  if (cached && cached.size === stat.size && cached.mtimeMs === stat.mtimeMs) return cached.sha256;
  const sha256 = createHash('sha256').update(readFileSync(file)).digest('hex');
  hashes.set(file, { size: stat.size, mtimeMs: stat.mtimeMs, sha256 });
  return sha256;
}
