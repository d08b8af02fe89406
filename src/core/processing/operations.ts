/**
 * The operations of a processing recipe: plain JSON objects (stored as they are in a sidecar's
 * `recipes`), checked with one-sentence errors before anything is decoded. Field names are part of
 * sidecar schema version 1: a change of meaning gets a new field or op name, never a reused one.
 */
import type { CropRect } from './cropRect.ts';
import { rectProblem } from './cropRect.ts';

/** Apply the EXIF orientation, so later coordinates are those of the image as displayed (always done; recorded first). */
export interface OrientOp {
  op: 'orient';
}

/** Keep only this region (displayed coordinates; must lie inside the image). */
export interface CropOp {
  op: 'crop';
  rect: CropRect;
}

/** How resize reaches its target size. */
export type ResizeMode = 'crop' | 'fit' | 'pad';

/**
 * Scale to a target size. 'crop' covers width x height and centre-crops to exactly that size (what
 * kohya's bucketing does); 'fit' fits inside it (the output may be smaller); 'pad' fits, then pads to
 * exactly that size with padColour. Without allowUpscale a smaller image is not enlarged: 'crop'
 * then crops to the target's aspect ratio at the image's own scale.
 */
export interface ResizeOp {
  op: 'resize';
  width: number;
  height: number;
  mode: ResizeMode;
  allowUpscale: boolean;
  /** '#rgb', '#rrggbb' or '#rrggbbaa'; for 'pad' only (default black). */
  padColour?: string;
}

/**
 * Colour handling. toSrgb converts to 8-bit sRGB through the embedded profile (CMYK, grey and 16-bit
 * sources included); without it pixel values, grey, 16-bit depth (PNG only) and the ICC profile are
 * kept (CMYK is converted all the same: no output format here holds it). flatten composites
 * transparency onto a colour; null keeps alpha (JPEG, which has none, then flattens onto white).
 * stripMetadata drops EXIF and XMP (the orientation is applied either way).
 */
export interface ColourOp {
  op: 'colour';
  toSrgb: boolean;
  flatten: string | null;
  stripMetadata: boolean;
}

/** Output formats. */
export type OutputFormat = 'png' | 'jpeg' | 'webp';

/** Encode the result; quality (1-100, default 95) is for jpeg and webp only. JPEG at 90 and above keeps full-resolution colour (4:4:4). */
export interface EncodeOp {
  op: 'encode';
  format: OutputFormat;
  quality?: number;
}

/** One step of a recipe. */
export type Operation = OrientOp | CropOp | ResizeOp | ColourOp | EncodeOp;

/** Ordered operations applied to an original image's bytes. */
export interface Recipe {
  operations: Operation[];
}

/** A recipe that cannot be applied, with the reason in one sentence. */
export class RecipeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RecipeError';
  }
}

/** The order operations run in (each at most once). */
export const OPERATION_ORDER: readonly Operation['op'][] = ['orient', 'crop', 'resize', 'colour', 'encode'];

/** Largest output side: WebP's limit, and far beyond any training resolution. */
export const MAX_OUTPUT_SIDE = 16383;

/** Default quality of lossy formats. */
export const DEFAULT_QUALITY = 95;

/** The colour step used when a recipe has none: 8-bit sRGB, alpha kept, metadata stripped. */
export const DEFAULT_COLOUR: ColourOp = { op: 'colour', toSrgb: true, flatten: null, stripMetadata: true };

const FIELDS: Record<Operation['op'], { required: readonly string[]; optional: readonly string[] }> = {
  orient: { required: [], optional: [] },
  crop: { required: ['rect'], optional: [] },
  resize: { required: ['width', 'height', 'mode', 'allowUpscale'], optional: ['padColour'] },
  colour: { required: ['toSrgb', 'flatten', 'stripMetadata'], optional: [] },
  encode: { required: ['format'], optional: ['quality'] },
};

const MAX_OPERATIONS = 16;

/**
 * Checks a recipe (e.g. parsed from JSON) and returns it normalised: orient first, a colour step,
 * explicit quality, encode last, in OPERATION_ORDER. Throws RecipeError naming the first problem.
 */
export function validateRecipe(value: unknown): Recipe {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new RecipeError('A recipe must be an object with an "operations" list.');
  const { operations, ...rest } = value as Record<string, unknown>;
  const extra = Object.keys(rest)[0];
  if (extra !== undefined) throw new RecipeError(`A recipe has only "operations"; "${extra}" is not a recipe field.`);
  if (!Array.isArray(operations)) throw new RecipeError('The recipe\'s "operations" must be a list.');
  if (operations.length > MAX_OPERATIONS)
    throw new RecipeError(`A recipe has at most ${MAX_OPERATIONS} operations, not ${operations.length}.`);
  const checked = operations.map((op: unknown, i) => validateOperation(op, i + 1));
  let last = -1;
  for (const op of checked) {
    const rank = OPERATION_ORDER.indexOf(op.op);
    if (rank === last) throw new RecipeError(`The recipe has more than one "${op.op}" operation.`);
    if (rank < last) {
      throw new RecipeError(
        `The "${op.op}" operation comes after "${OPERATION_ORDER[last]}"; operations run in the order ${OPERATION_ORDER.join(', ')}.`,
      );
    }
    last = rank;
  }
  const encode = checked.find((op) => op.op === 'encode');
  if (!encode) throw new RecipeError('The recipe has no "encode" operation, so it does not say what format to write.');
  const find = <K extends Operation['op']>(name: K): Extract<Operation, { op: K }> | undefined =>
    checked.find((op): op is Extract<Operation, { op: K }> => op.op === name);
  const normalised: Operation[] = [{ op: 'orient' }];
  const crop = find('crop');
  if (crop) normalised.push(crop);
  const resize = find('resize');
  if (resize) normalised.push(resize);
  normalised.push(find('colour') ?? { ...DEFAULT_COLOUR });
  normalised.push(encode.format === 'png' ? encode : { ...encode, quality: encode.quality ?? DEFAULT_QUALITY });
  return { operations: normalised };
}

/** Checks one operation; `position` (1-based) is for the message. Returns a copy with only known fields. */
export function validateOperation(value: unknown, position = 1): Operation {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new RecipeError(`Operation ${position} must be an object with an "op" field.`);
  const raw = value as Record<string, unknown>;
  const name = raw.op;
  if (typeof name !== 'string' || !(name in FIELDS)) {
    throw new RecipeError(
      `Operation ${position} has an unknown op ${show(name)}; known ops are ${OPERATION_ORDER.join(', ')}.`,
    );
  }
  const op = name as Operation['op'];
  const where = `Operation ${position} (${op})`;
  const { required, optional } = FIELDS[op];
  for (const key of Object.keys(raw)) {
    if (key !== 'op' && !required.includes(key) && !optional.includes(key))
      throw new RecipeError(`${where} has an unknown field "${key}".`);
  }
  for (const key of required) if (raw[key] === undefined) throw new RecipeError(`${where} needs a "${key}" field.`);
  switch (op) {
    case 'orient':
      return { op };
    case 'crop': {
      const problem = rectProblem(raw.rect);
      if (problem) throw new RecipeError(`${where} has an invalid rect: ${problem}.`);
      const { left, top, width, height } = raw.rect as CropRect;
      return { op, rect: { left, top, width, height } };
    }
    case 'resize': {
      const width = side(raw.width, `${where} width`);
      const height = side(raw.height, `${where} height`);
      if (raw.mode !== 'crop' && raw.mode !== 'fit' && raw.mode !== 'pad')
        throw new RecipeError(`${where} has mode ${show(raw.mode)}; use "crop", "fit" or "pad".`);
      if (typeof raw.allowUpscale !== 'boolean')
        throw new RecipeError(`${where} needs allowUpscale to be true or false.`);
      const result: ResizeOp = { op, width, height, mode: raw.mode, allowUpscale: raw.allowUpscale };
      if (raw.padColour !== undefined) {
        if (raw.mode !== 'pad') throw new RecipeError(`${where} has a padColour, which only the "pad" mode uses.`);
        result.padColour = colour(raw.padColour, `${where} padColour`);
      }
      return result;
    }
    case 'colour': {
      for (const key of ['toSrgb', 'stripMetadata'] as const) {
        if (typeof raw[key] !== 'boolean') throw new RecipeError(`${where} needs ${key} to be true or false.`);
      }
      const flatten = raw.flatten === null ? null : colour(raw.flatten, `${where} flatten`);
      return { op, toSrgb: raw.toSrgb as boolean, flatten, stripMetadata: raw.stripMetadata as boolean };
    }
    case 'encode': {
      if (raw.format !== 'png' && raw.format !== 'jpeg' && raw.format !== 'webp') {
        throw new RecipeError(`${where} has format ${show(raw.format)}; use "png", "jpeg" or "webp".`);
      }
      if (raw.quality === undefined) return { op, format: raw.format };
      if (raw.format === 'png') throw new RecipeError(`${where} has a quality, which PNG (lossless) does not use.`);
      const quality = raw.quality;
      if (typeof quality !== 'number' || !Number.isInteger(quality) || quality < 1 || quality > 100) {
        throw new RecipeError(`${where} quality must be a whole number from 1 to 100, not ${show(quality)}.`);
      }
      return { op, format: raw.format, quality };
    }
  }
}

/** An RGBA colour from '#rgb', '#rrggbb' or '#rrggbbaa' (alpha 0-1), or undefined when the text is not one. */
export function parseColour(text: string): { r: number; g: number; b: number; alpha: number } | undefined {
  const m = /^#([0-9a-f]{3}|[0-9a-f]{6}|[0-9a-f]{8})$/i.exec(text);
  if (!m) return undefined;
  let hex = m[1]!;
  if (hex.length === 3) hex = [...hex].map((c) => c + c).join('');
  const byte = (i: number): number => parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return { r: byte(0), g: byte(1), b: byte(2), alpha: hex.length === 8 ? byte(3) / 255 : 1 };
}

function side(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value))
    throw new RecipeError(`${what} must be a whole number of pixels, not ${show(value)}.`);
  if (value < 1 || value > MAX_OUTPUT_SIDE)
    throw new RecipeError(`${what} must be from 1 to ${MAX_OUTPUT_SIDE} pixels, not ${value}.`);
  return value;
}

function colour(value: unknown, what: string): string {
  if (typeof value !== 'string' || !parseColour(value))
    throw new RecipeError(`${what} must be a colour like "#ffffff", not ${show(value)}.`);
  return value.toLowerCase();
}

/** A value as it would appear in JSON, for messages (NaN and undefined included). */
function show(value: unknown): string {
  return typeof value === 'number' || value === undefined ? String(value) : JSON.stringify(value);
}
