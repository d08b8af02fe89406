/**
 * kohya concept folders: `<repeats>_<name>` (e.g. `10_alice`, `img/5_bob`), read as sd-scripts reads
 * a train or regularisation folder, and the kohya subset each exported image goes to. Regularisation
 * folders (`1_regularization`, `reg/1_woman`, ...) are never merged into training images.
 */
import type { ExportParams } from './exportImage.ts';

/** A concept folder of the dataset. */
export interface KohyaConcept {
  /** Dataset-relative path of the folder (`img/10_alice`). */
  folder: string;
  repeats: number;
  /** The name after the first underscore, which sd-scripts uses as class tokens for images without a caption. */
  name: string;
  /** Regularisation images: the name or a folder above it says so (`reg`, `regularization`, `class_images`, ...). */
  isReg: boolean;
}

const CONCEPT_FOLDER = /^([1-9]\d{0,5})_(.*\S.*)$/;
const REG_FOLDER = /^(?:(?:reg|regs|regulari[sz]ation|regulari[sz]ations)(?:[ _-].*)?|class[ _-]?(?:images?|imgs?))$/i;

/** Whether a folder name marks regularisation images (`reg`, `regs`, `regularization`, `reg_woman`, `class_images`, ...). */
export function isRegularisationName(name: string): boolean {
  return REG_FOLDER.test(name.trim());
}

/** A folder name's repeats and concept name when it is a kohya concept folder (`10_alice`), else undefined. */
export function parseConceptFolder(name: string): { repeats: number; name: string } | undefined {
  const match = CONCEPT_FOLDER.exec(name);
  return match ? { repeats: Number(match[1]), name: match[2]! } : undefined;
}

/** The concept folder an image (dataset-relative path) belongs to: its nearest `<repeats>_<name>` folder. */
export function conceptOf(path: string): KohyaConcept | undefined {
  const folders = path.split('/').slice(0, -1);
  for (let i = folders.length - 1; i >= 0; i--) {
    const concept = parseConceptFolder(folders[i]!);
    if (!concept) continue;
    const isReg = isRegularisationName(concept.name) || folders.slice(0, i).some(isRegularisationName);
    return { folder: folders.slice(0, i + 1).join('/'), repeats: concept.repeats, name: concept.name, isReg };
  }
  return undefined;
}

/** The kohya subset an exported image goes to. */
export interface KohyaSubsetOf {
  /** Output-relative folder (`10_alice`, regularisation images under `reg/`). */
  folder: string;
  repeats: number;
  classTokens: string;
  isReg: boolean;
  /** The dataset's concept folder it comes from, or null for the images outside any (or merged). */
  concept: string | null;
}

/** A folder-safe concept name. */
export function safeName(name: string): string {
  const safe = [...name.trim()]
    .map((c) => (c.charCodeAt(0) < 32 || '\\/:*?"<>|'.includes(c) ? '_' : c))
    .join('')
    .replace(/_+/g, '_')
    .replace(/^\.+/, '');
  return safe || 'dataset';
}

/**
 * The subset of the image at `path`: its own concept folder's (repeats and name from the folder) unless
 * concepts are merged; regularisation folders stay apart either way; everything else goes to
 * `<repeats>_<name>` with the export's repeats, name and class tokens.
 */
export function kohyaSubsetOf(
  params: Pick<ExportParams, 'repeats' | 'name' | 'classTokens' | 'concepts'>,
  path: string,
): KohyaSubsetOf {
  const concept = conceptOf(path);
  if (concept && (params.concepts === 'keep' || concept.isReg)) {
    const folder = `${concept.repeats}_${safeName(concept.name)}`;
    return {
      folder: concept.isReg ? `reg/${folder}` : folder,
      repeats: concept.repeats,
      classTokens: concept.name.trim(),
      isReg: concept.isReg,
      concept: concept.folder,
    };
  }
  return {
    folder: `${params.repeats}_${safeName(params.name)}`,
    repeats: params.repeats,
    classTokens: params.classTokens,
    isReg: false,
    concept: null,
  };
}
