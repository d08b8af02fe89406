/**
 * Applying a recipe to an original image's bytes in one sharp pipeline (decoded once), the same way
 * every time: replaying a recipe on the same original with the same sharp/libvips gives identical
 * pixels and, for PNG, identical bytes. Also plans the resize for an image and makes the record a
 * sidecar keeps of a derived file.
 */
import { createHash } from 'node:crypto';
import type { Sharp } from 'sharp';
import { bucketFor, bucketsFor } from './buckets.ts';
import type { BucketOptions, BucketSize } from './buckets.ts';
import { parseColour, RecipeError, validateRecipe } from './operations.ts';
import type { ColourOp, EncodeOp, Operation, OutputFormat, Recipe, ResizeMode, ResizeOp } from './operations.ts';
import { planRecipe } from './recipePlan.ts';
import { DEFAULT_MAX_PIXELS, openSource } from '../imaging/sourceImage.ts';
import type { SourceImage } from '../imaging/sourceImage.ts';

/** Options of applyRecipe. */
export interface ApplyOptions {
  /** Originals with more pixels are refused before decoding, and so are outputs (default sharp's 268 MP). */
  maxPixels?: number;
}

/** The encoded result of a recipe. */
export interface RecipeOutput {
  data: Buffer;
  width: number;
  height: number;
  format: OutputFormat;
}

/** What planResize needs: the training resolution and how to reach its bucket. */
export interface ResizeTarget extends BucketOptions {
  resolution: number;
  mode: ResizeMode;
  allowUpscale: boolean;
  /** For 'pad'. */
  padColour?: string;
  /** The buckets to choose from (default: makeBuckets(resolution, options)). */
  buckets?: readonly BucketSize[];
}

/** A derived file's entry in the sidecar's `recipes` list (config/sidecar.schema.json). */
export interface RecipeRecord {
  output: string;
  sourceSha256: string;
  outputSha256: string;
  at: string;
  operations: Operation[];
}

const SHA256 = /^[0-9a-f]{64}$/;
const WHITE = { r: 255, g: 255, b: 255, alpha: 1 };

/**
 * Applies a recipe (validated and normalised first) to an original image. Throws RecipeError when the
 * recipe is invalid or does not fit this image, ImageError when the original cannot be decoded.
 */
export async function applyRecipe(original: Buffer, recipe: Recipe, options: ApplyOptions = {}): Promise<RecipeOutput> {
  const { operations } = validateRecipe(recipe);
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_PIXELS;
  const source = await openSource(original, maxPixels);
  const plan = planRecipe(source.width, source.height, operations, maxPixels);
  const resize = operations.find((op): op is ResizeOp => op.op === 'resize');
  const colour = operations.find((op): op is ColourOp => op.op === 'colour')!;
  const encode = operations.find((op): op is EncodeOp => op.op === 'encode')!;

  const { data, info } = await source.render((pipeline) => {
    let image = pipeline;
    if (plan.extract) image = image.extract(plan.extract);
    if (plan.scale) image = image.resize(plan.scale.width, plan.scale.height, { fit: 'fill', kernel: 'lanczos3' });
    if (plan.cut) image = image.extract(plan.cut);
    const flatten =
      colour.flatten !== null ? parseColour(colour.flatten)! : encode.format === 'jpeg' ? WHITE : undefined;
    if (flatten) image = image.flatten({ background: { r: flatten.r, g: flatten.g, b: flatten.b } });
    const padColour = parseColour(resize?.padColour ?? '#000000')!;
    if (plan.pad) {
      const alpha = flatten ? 1 : padColour.alpha;
      image = image.extend({ ...plan.pad, background: { ...padColour, alpha } });
    }
    image = applyColour(
      image,
      source,
      colour,
      encode.format,
      !plan.pad || (padColour.r === padColour.g && padColour.g === padColour.b),
    );
    return applyEncode(image, encode);
  });
  return { data, width: info.width, height: info.height, format: encode.format };
}

/** The colour conversion and metadata of the output (see ColourOp). */
function applyColour(
  image: Sharp,
  source: SourceImage,
  colour: ColourOp,
  format: OutputFormat,
  greyPad: boolean,
): Sharp {
  if (!colour.stripMetadata) image = image.keepExif().keepXmp();
  if (colour.toSrgb || source.space === 'cmyk') return image.toColourspace('srgb');
  image = image.keepIccProfile();
  const deep = source.highDepth && format === 'png';
  if (source.grey && greyPad) return image.toColourspace(deep ? 'grey16' : 'b-w');
  return image.toColourspace(deep ? 'rgb16' : 'srgb');
}

/** The encoder, with its settings spelled out so a sharp default changing cannot change replays. */
function applyEncode(image: Sharp, encode: EncodeOp): Sharp {
  switch (encode.format) {
    case 'png':
      return image.png({ compressionLevel: 6, adaptiveFiltering: false, palette: false });
    case 'jpeg': {
      const quality = encode.quality!;
      return image.jpeg({ quality, chromaSubsampling: quality >= 90 ? '4:4:4' : '4:2:0', mozjpeg: false });
    }
    case 'webp':
      return image.webp({ quality: encode.quality!, effort: 4 });
  }
}

/** The resize step that puts a width x height image (after any crop) into its bucket for a training resolution. */
export function planResize(width: number, height: number, target: ResizeTarget): ResizeOp {
  const buckets = target.buckets ?? bucketsFor(target.resolution, target);
  const bucket = bucketFor(width, height, buckets);
  const op: ResizeOp = {
    op: 'resize',
    width: bucket.width,
    height: bucket.height,
    mode: target.mode,
    allowUpscale: target.allowUpscale,
  };
  if (target.mode === 'pad' && target.padColour !== undefined) op.padColour = target.padColour;
  return op;
}

/**
 * The sidecar record of a file made by a recipe: its path (as given; relative to the dataset root
 * with `/` is best), the source and output hashes, when, and the normalised operations that replay it.
 */
export function recipeRecord(
  recipe: Recipe,
  sourceSha256: string,
  output: Buffer,
  outputPath: string,
  at: Date = new Date(),
): RecipeRecord {
  if (!SHA256.test(sourceSha256))
    throw new RecipeError(`The source hash must be 64 lower-case hex digits, not "${sourceSha256}".`);
  if (outputPath === '') throw new RecipeError('The output path is empty.');
  return {
    output: outputPath,
    sourceSha256,
    outputSha256: createHash('sha256').update(output).digest('hex'),
    at: at.toISOString(),
    operations: validateRecipe(recipe).operations,
  };
}
