/**
 * The contract of a CLIP-style aesthetic scorer: an embedding model with one float32 input
 * [batch,3,S,S] (RGB, channels first, CLIP-normalised) and an output [batch,d], and a head taking
 * [batch,d] to [batch,1] (or [batch]). Names and sizes are read from the sessions; a pair that does
 * not fit is refused with a one-sentence reason.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { InferenceSession } from 'onnxruntime-node';
import { ModelContractError } from '../../models/upscalerContract.ts';

/** Embedding model file names a scorer folder may hold, in order of preference. */
export const SCORER_EMBEDDING_FILES: readonly string[] = ['clip.onnx', 'embedding.onnx'];
/** The aesthetic head's file name in a scorer folder. */
export const SCORER_HEAD_FILE = 'aesthetic.onnx';

/** The embedding model and head files present in a scorer folder (absolute paths), either possibly missing. */
export function scorerFiles(folder: string): { embedding?: string; head?: string } {
  const embedding = SCORER_EMBEDDING_FILES.map((name) => join(folder, name)).find((file) => existsSync(file));
  const head = join(folder, SCORER_HEAD_FILE);
  return { ...(embedding ? { embedding } : {}), ...(existsSync(head) ? { head } : {}) };
}

/** What the scorer needs to know about its two models. */
export interface ScorerContract {
  embeddingInput: string;
  embeddingOutput: string;
  /** Side of the square input image (224 for most CLIP models). */
  size: number;
  /** Embedding width when the models state it. */
  dim?: number;
  headInput: string;
  headOutput: string;
  /** Set when either model's batch dimension is fixed. */
  maxBatch?: number;
}

const shapeText = (shape: ReadonlyArray<number | string>): string => `[${shape.join(',')}]`;
const fixed = (d: number | string | undefined): number | undefined => (typeof d === 'number' && d > 0 ? d : undefined);

/** Checks an embedding session and an aesthetic head session; throws ModelContractError naming `label` and what is wrong. */
export function readScorerContract(embedding: InferenceSession, head: InferenceSession, label: string): ScorerContract {
  const need = 'a scorer needs an embedding model [batch,3,S,S] -> [batch,d] and a head [batch,d] -> [batch,1]';
  const refuse = (why: string): never => {
    throw new ModelContractError(`${label} cannot be used as a scorer: ${why}; ${need}`);
  };
  if (embedding.inputMetadata.length !== 1) refuse(`its embedding model has ${embedding.inputMetadata.length} inputs`);
  const input = embedding.inputMetadata[0]!;
  if (!input.isTensor) return refuse(`the embedding input "${input.name}" is not a tensor`);
  const describe = `the embedding input "${input.name}" is ${input.type} ${shapeText(input.shape)}`;
  if (input.type !== 'float32' || input.shape.length !== 4) refuse(describe);
  if (input.shape[1] !== 3) refuse(input.shape[3] === 3 ? `${describe}, channels last (NHWC)` : describe);
  const height = fixed(input.shape[2]);
  const width = fixed(input.shape[3]);
  if (height === undefined || width === undefined) refuse(`${describe}, without a fixed image size`);
  if (height !== width) refuse(`${describe}, not square`);
  const output =
    embedding.outputMetadata.find((o) => o.isTensor && o.shape.length === 2) ?? embedding.outputMetadata[0];
  if (!output?.isTensor || output.type !== 'float32' || output.shape.length !== 2)
    refuse(`its embedding model has no float32 [batch,d] output`);
  const dim = output!.isTensor ? fixed(output!.shape[1]) : undefined;

  if (head.inputMetadata.length !== 1) refuse(`its head has ${head.inputMetadata.length} inputs`);
  const headIn = head.inputMetadata[0]!;
  if (!headIn.isTensor || headIn.type !== 'float32' || headIn.shape.length !== 2)
    return refuse(`the head input "${headIn.name}" is not float32 [batch,d]`);
  const headDim = fixed(headIn.shape[1]);
  if (dim !== undefined && headDim !== undefined && dim !== headDim)
    refuse(`the embedding model gives ${dim} values but the head takes ${headDim}`);
  const headOut = head.outputMetadata[0];
  if (
    !headOut?.isTensor ||
    headOut.type !== 'float32' ||
    headOut.shape.length < 1 ||
    headOut.shape.length > 2 ||
    (headOut.shape.length === 2 && fixed(headOut.shape[1]) !== undefined && headOut.shape[1] !== 1)
  ) {
    refuse('its head has no float32 [batch,1] output');
  }
  const batches = [fixed(input.shape[0]), fixed(headIn.shape[0])].filter((b): b is number => b !== undefined);
  const maxBatch = batches.length > 0 ? Math.min(...batches) : undefined;
  return {
    embeddingInput: input.name,
    embeddingOutput: output!.name,
    size: height!,
    ...((dim ?? headDim) ? { dim: dim ?? headDim } : {}),
    headInput: headIn.name,
    headOutput: headOut!.name,
    ...(maxBatch !== undefined ? { maxBatch } : {}),
  };
}
