/**
 * The contract a Danbooru-style tagger (WD14, wd-v3, eva02 ...) must meet: a folder with
 * `model.onnx` and `selected_tags.csv` (columns tag_id,name,category,count); one float32 input
 * shaped [batch,H,W,3] with H = W (channels last, BGR, 0..255) and an output [batch, n] of
 * probabilities in the CSV's row order. Input and output names differ between versions: they are
 * read from the session. A model that does not fit is refused with a one-sentence reason.
 */
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { InferenceSession } from 'onnxruntime-node';
import { ModelContractError } from '../../models/upscalerContract.ts';
import { danbooruCategory } from '../../../shared/tagCategory.ts';
import type { TagCategory } from '../../../shared/tagCategory.ts';

/** File names inside a tagger folder. */
export const TAGGER_MODEL_FILE = 'model.onnx';
/** File names inside a tagger folder. */
export const TAGGER_TAGS_FILE = 'selected_tags.csv';

/** One row of `selected_tags.csv`. */
export interface TaggerTag {
  name: string;
  category: TagCategory;
}

/** What the tagger needs to know about a model's input and output. */
export interface TaggerContract {
  inputName: string;
  outputName: string;
  /** Side of the square input image (448 for the real models). */
  size: number;
  /** Set when the model's batch dimension is fixed (then batches are cut to this many images). */
  maxBatch?: number;
  /** The tags, in output order. */
  tags: TaggerTag[];
}

/** The tag category a `selected_tags.csv` category number stands for: Danbooru's, 9 for ratings (unknown numbers count as general). */
export function tagCategory(value: number): TagCategory {
  return value === 9 ? 'rating' : (danbooruCategory(value) ?? 'general');
}

/** Splits CSV text into rows of fields (RFC 4180 quoting; CRLF or LF; a leading BOM is dropped). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  const source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (quoted) {
      if (c === '"' && source[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && source[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows.filter((r) => r.length > 1 || r[0] !== '');
}

/** Reads the tags of `selected_tags.csv` text; throws ModelContractError (naming `label`) when the columns are missing or a row is malformed. */
export function parseSelectedTags(text: string, label = TAGGER_TAGS_FILE): TaggerTag[] {
  const rows = parseCsv(text);
  const header = (rows[0] ?? []).map((h) => h.trim().toLowerCase());
  const nameColumn = header.indexOf('name');
  const categoryColumn = header.indexOf('category');
  if (nameColumn < 0 || categoryColumn < 0)
    throw new ModelContractError(
      `${label} has no "name" and "category" columns in its header (expected tag_id,name,category,count)`,
    );
  const tags: TaggerTag[] = [];
  for (let i = 1; i < rows.length; i++) {
    const row = rows[i]!;
    const name = row[nameColumn]?.trim();
    const category = Number(row[categoryColumn]);
    if (!name || row[categoryColumn] === undefined || !Number.isInteger(category))
      throw new ModelContractError(`${label} row ${i + 1} has no tag name or no whole-number category`);
    tags.push({ name, category: tagCategory(category) });
  }
  if (tags.length === 0) throw new ModelContractError(`${label} lists no tags`);
  return tags;
}

/** Reads `selected_tags.csv` from a tagger folder. */
export function readSelectedTags(folder: string): TaggerTag[] {
  let text: string;
  try {
    text = readFileSync(join(folder, TAGGER_TAGS_FILE), 'utf8');
  } catch (error) {
    throw new ModelContractError(
      `${basename(folder)} cannot be used as a tagger: ${TAGGER_TAGS_FILE} cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
    );
  }
  try {
    return parseSelectedTags(text);
  } catch (error) {
    throw new ModelContractError(`${basename(folder)} cannot be used as a tagger: ${(error as Error).message}`);
  }
}

const shapeText = (shape: ReadonlyArray<number | string>): string => `[${shape.join(',')}]`;
const fixed = (d: number | string | undefined): number | undefined => (typeof d === 'number' && d > 0 ? d : undefined);

/**
 * Checks a loaded tagger session against its tag list and returns what the tagger needs; throws
 * ModelContractError with a message naming the model (`label`, usually the folder name) and what is wrong.
 */
export function readTaggerContract(
  session: InferenceSession,
  tags: readonly TaggerTag[],
  label: string,
): TaggerContract {
  const need =
    'a tagger needs one float32 input [batch,H,W,3] (channels last, H = W) and a float32 output [batch,tags]';
  const refuse = (why: string): never => {
    throw new ModelContractError(`${label} cannot be used as a tagger: ${why}; ${need}`);
  };
  if (session.inputMetadata.length !== 1) refuse(`its model has ${session.inputMetadata.length} inputs`);
  const input = session.inputMetadata[0]!;
  if (!input.isTensor) return refuse(`its input "${input.name}" is not a tensor`);
  const shape = input.shape;
  const describe = `its input "${input.name}" is ${input.type} ${shapeText(shape)}`;
  if (input.type !== 'float32') refuse(describe);
  if (shape.length !== 4) refuse(describe);
  if (shape[3] !== 3) refuse(shape[1] === 3 ? `${describe}, channels first (NCHW)` : describe);
  const height = fixed(shape[1]);
  const width = fixed(shape[2]);
  if (height === undefined || width === undefined) refuse(`${describe}, without a fixed image size`);
  if (height !== width) refuse(`${describe}, not square`);
  const batch = fixed(shape[0]);

  const candidates = session.outputMetadata.flatMap((o) => (o.isTensor && o.shape.length === 2 ? [o] : []));
  const output =
    candidates.find((o) => o.shape[1] === tags.length) ??
    candidates.find((o) => typeof o.shape[1] !== 'number') ??
    candidates[0] ??
    session.outputMetadata[0];
  if (!output) return refuse('its model has no outputs');
  if (!output.isTensor) return refuse(`its output "${output.name}" is not a tensor`);
  if (output.type !== 'float32' || output.shape.length !== 2)
    refuse(`its output "${output.name}" is ${output.type} ${shapeText(output.shape)}`);
  const width2 = fixed(output.shape[1]);
  if (width2 !== undefined && width2 !== tags.length) {
    throw new ModelContractError(
      `${label} cannot be used as a tagger: ${TAGGER_TAGS_FILE} lists ${tags.length} tags but the model's output "${output.name}" gives ${width2} scores per image`,
    );
  }
  return {
    inputName: input.name,
    outputName: output.name,
    size: height!,
    ...(batch !== undefined ? { maxBatch: batch } : {}),
    tags: [...tags],
  };
}
