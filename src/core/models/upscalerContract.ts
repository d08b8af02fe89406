/**
 * The contract an ONNX super-resolution model must meet to be used as an upscaler: one float32 input
 * shaped [1, 3, h, w] (RGB, 0..1) and a float32 output shaped [1, 3, s*h, s*w]. Reads it from a
 * loaded session and finds the scale from the file name (`-x4`, `_x2`, `4x-`...) or by a probe run.
 */
import { basename } from 'node:path';
import { Tensor } from 'onnxruntime-node';
import type { InferenceSession } from 'onnxruntime-node';

/** What the upscaler needs to know about a model's inputs and outputs. */
export interface UpscalerContract {
  inputName: string;
  outputName: string;
  scale: number;
  /** Set when the model only accepts one input size: tiles are then exactly this size, padded at edges. */
  fixedSize?: { width: number; height: number };
}

/** A model that cannot be used as an upscaler, with the reason in the message. */
export class ModelContractError extends Error {
  override name = 'ModelContractError';
}

/** The scale written in a model file name (`realesr-animevideov3-x4.onnx`, `4x-UltraSharp.onnx`, `RealESRGAN_x2plus.onnx`), if any. */
export function scaleFromFileName(file: string): number | undefined {
  const stem = basename(file).replace(/\.onnx$/i, '');
  const match = /(?:^|[^a-z0-9])x([1-8])(?![0-9])/i.exec(stem) ?? /(?:^|[^a-z0-9])([1-8])x(?![a-z0-9])/i.exec(stem);
  return match ? Number(match[1]) : undefined;
}

/** Shape as text for messages: [1,3,h,w]. */
function shapeText(shape: ReadonlyArray<number | string>): string {
  return `[${shape.join(',')}]`;
}

/**
 * Reads and checks the upscaler contract of a loaded session; throws ModelContractError with a
 * message naming the file and what is wrong when the model is not an RGB image-to-image model.
 */
export async function readUpscalerContract(session: InferenceSession, file: string): Promise<UpscalerContract> {
  const name = basename(file);
  const need =
    'an upscaler needs one float32 input shaped [1,3,h,w] (RGB, channels first, 0..1) and a float32 output [1,3,H,W]';
  const refuse = (why: string): never => {
    throw new ModelContractError(`${name} cannot be used as an upscaler: ${why}; ${need}`);
  };
  if (session.inputMetadata.length !== 1) refuse(`it has ${session.inputMetadata.length} inputs`);
  if (session.outputMetadata.length < 1) refuse('it has no outputs');
  const input = session.inputMetadata[0]!;
  const output = session.outputMetadata[0]!;
  if (!input.isTensor) return refuse(`its input "${input.name}" is not a tensor`);
  if (!output.isTensor) return refuse(`its output "${output.name}" is not a tensor`);
  const inShape = input.shape;
  const describe = `its input "${input.name}" is ${input.type} ${shapeText(inShape)}`;
  if (input.type !== 'float32') refuse(describe);
  if (inShape.length !== 4) refuse(describe);
  const [batch, channels, h, w] = inShape;
  if (typeof batch === 'number' && batch !== 1 && batch !== -1) refuse(`${describe} (batch of ${batch})`);
  if (channels !== 3) refuse(inShape[3] === 3 ? `${describe} (channels last)` : describe);
  const outShape = output.shape;
  if (output.type !== 'float32' || outShape.length !== 4 || (typeof outShape[1] === 'number' && outShape[1] !== 3))
    refuse(`its output "${output.name}" is ${output.type} ${shapeText(outShape)}`);

  const staticDim = (d: number | string | undefined): number | undefined =>
    typeof d === 'number' && d > 0 ? d : undefined;
  const fixedH = staticDim(h);
  const fixedW = staticDim(w);
  if ((fixedH === undefined) !== (fixedW === undefined)) refuse(`${describe} (one fixed and one free image dimension)`);
  const fixedSize = fixedH !== undefined && fixedW !== undefined ? { width: fixedW, height: fixedH } : undefined;

  let scale = scaleFromFileName(file);
  const outH = staticDim(outShape[2]);
  if (scale === undefined && fixedSize && outH !== undefined) scale = outH / fixedSize.height;
  if (scale === undefined) {
    const probe = await probeOutput(session, input.name, output.name, fixedSize);
    scale = probe.dims[2]! / probe.height;
    if (probe.dims.length !== 4 || probe.dims[1] !== 3 || probe.dims[3]! / probe.width !== scale) {
      refuse(
        `its output for a ${probe.width}x${probe.height} probe is [${probe.dims.join(',')}], not [1,3,s*${probe.height},s*${probe.width}]`,
      );
    }
  }
  if (!Number.isInteger(scale) || scale < 1 || scale > 16)
    refuse(`its output is ${scale}x its input, not a whole scale from 1 to 16`);
  return { inputName: input.name, outputName: output.name, scale, ...(fixedSize ? { fixedSize } : {}) };
}

/** Runs the model once on a small grey image (16x16, or its fixed size) and returns the output's dimensions. */
async function probeOutput(
  session: InferenceSession,
  inputName: string,
  outputName: string,
  fixedSize?: { width: number; height: number },
): Promise<{ dims: readonly number[]; width: number; height: number }> {
  const width = fixedSize?.width ?? 16;
  const height = fixedSize?.height ?? 16;
  const feed = new Tensor('float32', new Float32Array(3 * width * height).fill(0.5), [1, 3, height, width]);
  const result = await session.run({ [inputName]: feed });
  return { dims: result[outputName]?.dims ?? [], width, height };
}
