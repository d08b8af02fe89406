/**
 * Finds the local taggers and scorers a user can pick. A tagger is a folder holding `model.onnx` and
 * `selected_tags.csv`; a scorer is a folder holding `clip.onnx` (or `embedding.onnx`) and
 * `aesthetic.onnx`. Searched: every subfolder of `<models>/taggers` (`<models>/scorers`), and each
 * configured folder, which is either such a model folder itself or a folder of them. Each model's
 * contract is read from a loaded session; models that do not fit come back as rejected, with the
 * reason. Results are kept per folder state (file sizes and times), so listing again is cheap.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { InferenceSession } from 'onnxruntime-node';
import type { SessionCache } from '../../models/sessionCache.ts';
import { ModelContractError } from '../../models/upscalerContract.ts';
import { modelVersion } from './modelVersion.ts';
import { readScorerContract, SCORER_EMBEDDING_FILES, SCORER_HEAD_FILE, scorerFiles } from './scorerContract.ts';
import type { ScorerContract } from './scorerContract.ts';
import { readSelectedTags, readTaggerContract, TAGGER_MODEL_FILE, TAGGER_TAGS_FILE } from './taggerContract.ts';

/** A usable tagger folder. */
export interface TaggerInfo {
  /** `tagger:<folder name>`, the id its results carry. */
  id: string;
  name: string;
  folder: string;
  modelFile: string;
  inputName: string;
  outputName: string;
  /** Side of the square input. */
  size: number;
  /** Number of tags (rows of selected_tags.csv). */
  tagCount: number;
  /** First 12 hex digits of model.onnx's SHA-256. */
  version: string;
}

/** A usable scorer folder. */
export interface ScorerInfo extends ScorerContract {
  /** `scorer:<folder name>`. */
  id: string;
  name: string;
  folder: string;
  embeddingFile: string;
  headFile: string;
  /** `<12 hex of the embedding model's SHA-256>+<12 hex of the head's>`. */
  version: string;
}

/** A model folder that was found but cannot be used, and why. */
export interface RejectedLocalModel {
  folder: string;
  reason: string;
}

/** Where to look. */
export interface LocalModelSearch {
  /** The models folder: its `taggers/` and `scorers/` subfolders are searched. */
  modelsFolder?: string;
  /** Configured folders: each is a model folder or a folder of model folders. */
  folders?: readonly string[];
  /** Load the sessions through this cache (they stay warm for the annotators); default: one-off sessions. */
  sessions?: SessionCache;
}

/** Taggers found, and the folders refused. */
export interface TaggerCatalog {
  taggers: TaggerInfo[];
  rejected: RejectedLocalModel[];
}

/** Scorers found, and the folders refused. */
export interface ScorerCatalog {
  scorers: ScorerInfo[];
  rejected: RejectedLocalModel[];
}

const isTaggerFolder = (folder: string): boolean =>
  existsSync(join(folder, TAGGER_MODEL_FILE)) || existsSync(join(folder, TAGGER_TAGS_FILE));
const isScorerFolder = (folder: string): boolean =>
  [...SCORER_EMBEDDING_FILES, SCORER_HEAD_FILE].some((name) => existsSync(join(folder, name)));

/** The candidate model folders: `<models>/<kind>/*` and each configured folder (itself, or its subfolders), without duplicates. */
function candidateFolders(
  search: LocalModelSearch,
  kind: 'taggers' | 'scorers',
  isModelFolder: (folder: string) => boolean,
): string[] {
  const roots: string[] = [];
  if (search.modelsFolder) roots.push(join(search.modelsFolder, kind));
  const found: string[] = [];
  const subfolders = (folder: string): string[] =>
    readdirSync(folder, { withFileTypes: true })
      .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
      .map((e) => join(folder, e.name))
      .sort((a, b) => a.localeCompare(b));
  for (const root of roots)
    if (existsSync(root) && statSync(root).isDirectory()) found.push(...subfolders(root).filter(isModelFolder));
  for (const folder of search.folders ?? []) {
    if (!existsSync(folder) || !statSync(folder).isDirectory()) continue;
    if (isModelFolder(folder)) found.push(folder);
    else found.push(...subfolders(folder).filter(isModelFolder));
  }
  return [...new Set(found.map((f) => resolve(f)))];
}

/** Size and modification time of files, for the result cache. */
function stamp(files: readonly string[]): string {
  return files.map((f) => (existsSync(f) ? `${statSync(f).size}:${statSync(f).mtimeMs}` : '-')).join('|');
}

const taggerCache = new Map<string, { stamp: string; result: TaggerInfo | RejectedLocalModel }>();
const scorerCache = new Map<string, { stamp: string; result: ScorerInfo | RejectedLocalModel }>();

/** Lists the usable taggers (sorted by folder as found) and the refused folders. */
export async function findTaggers(search: LocalModelSearch): Promise<TaggerCatalog> {
  const catalog: TaggerCatalog = { taggers: [], rejected: [] };
  for (const folder of candidateFolders(search, 'taggers', isTaggerFolder)) {
    const result = await describeTagger(folder, search.sessions);
    if ('reason' in result) catalog.rejected.push(result);
    else catalog.taggers.push(result);
  }
  return catalog;
}

/** Lists the usable scorers and the refused folders. */
export async function findScorers(search: LocalModelSearch): Promise<ScorerCatalog> {
  const catalog: ScorerCatalog = { scorers: [], rejected: [] };
  for (const folder of candidateFolders(search, 'scorers', isScorerFolder)) {
    const result = await describeScorer(folder, search.sessions);
    if ('reason' in result) catalog.rejected.push(result);
    else catalog.scorers.push(result);
  }
  return catalog;
}

/** Loads a session (through the cache when given) and runs `use` with it. */
async function withSession<T>(
  file: string,
  sessions: SessionCache | undefined,
  use: (session: InferenceSession) => Promise<T>,
): Promise<T> {
  if (sessions) return sessions.withSession(file, use);
  const session = await InferenceSession.create(file, { executionProviders: ['cpu'], intraOpNumThreads: 1 });
  try {
    return await use(session);
  } finally {
    await session.release();
  }
}

/** Reads one tagger folder's contract; a folder that cannot be used comes back as a RejectedLocalModel. */
export async function describeTagger(
  folder: string,
  sessions?: SessionCache,
): Promise<TaggerInfo | RejectedLocalModel> {
  const path = resolve(folder);
  const name = basename(path);
  const modelFile = join(path, TAGGER_MODEL_FILE);
  const key = stamp([modelFile, join(path, TAGGER_TAGS_FILE)]);
  const cached = taggerCache.get(path);
  if (cached?.stamp === key) return cached.result;
  let result: TaggerInfo | RejectedLocalModel;
  if (!existsSync(modelFile))
    result = {
      folder: path,
      reason: `${name} cannot be used as a tagger: it has ${TAGGER_TAGS_FILE} but no ${TAGGER_MODEL_FILE}`,
    };
  else if (!existsSync(join(path, TAGGER_TAGS_FILE)))
    result = {
      folder: path,
      reason: `${name} cannot be used as a tagger: it has ${TAGGER_MODEL_FILE} but no ${TAGGER_TAGS_FILE}`,
    };
  else {
    try {
      const tags = readSelectedTags(path);
      const contract = await loadChecked(
        modelFile,
        sessions,
        (session) => readTaggerContract(session, tags, name),
        `${name} cannot be used as a tagger: its ${TAGGER_MODEL_FILE}`,
      );
      result = {
        id: `tagger:${name}`,
        name,
        folder: path,
        modelFile,
        inputName: contract.inputName,
        outputName: contract.outputName,
        size: contract.size,
        tagCount: tags.length,
        version: await modelVersion(modelFile),
      };
    } catch (error) {
      result = { folder: path, reason: reasonOf(error) };
    }
  }
  taggerCache.set(path, { stamp: key, result });
  return result;
}

/** Reads one scorer folder's contract; a folder that cannot be used comes back as a RejectedLocalModel. */
export async function describeScorer(
  folder: string,
  sessions?: SessionCache,
): Promise<ScorerInfo | RejectedLocalModel> {
  const path = resolve(folder);
  const name = basename(path);
  const files = scorerFiles(path);
  const key = stamp([...SCORER_EMBEDDING_FILES, SCORER_HEAD_FILE].map((f) => join(path, f)));
  const cached = scorerCache.get(path);
  if (cached?.stamp === key) return cached.result;
  let result: ScorerInfo | RejectedLocalModel;
  if (!files.embedding)
    result = {
      folder: path,
      reason: `${name} cannot be used as a scorer: it has no embedding model (${SCORER_EMBEDDING_FILES.join(' or ')})`,
    };
  else if (!files.head)
    result = {
      folder: path,
      reason: `${name} cannot be used as a scorer: it has no aesthetic head (${SCORER_HEAD_FILE})`,
    };
  else {
    const { embedding, head } = files;
    try {
      const contract = await loadChecked(
        embedding,
        sessions,
        (e) =>
          loadChecked(
            head,
            sessions,
            async (h) => readScorerContract(e, h, name),
            `${name} cannot be used as a scorer: its ${basename(head)}`,
          ),
        `${name} cannot be used as a scorer: its ${basename(embedding)}`,
      );
      const [a, b] = await Promise.all([modelVersion(embedding), modelVersion(head)]);
      result = {
        id: `scorer:${name}`,
        name,
        folder: path,
        embeddingFile: embedding,
        headFile: head,
        ...contract,
        version: `${a}+${b}`,
      };
    } catch (error) {
      result = { folder: path, reason: reasonOf(error) };
    }
  }
  scorerCache.set(path, { stamp: key, result });
  return result;
}

/** Loads a model and checks it; a model ONNX Runtime cannot load becomes a ModelContractError starting with `prefix`. */
async function loadChecked<T>(
  file: string,
  sessions: SessionCache | undefined,
  check: (session: InferenceSession) => T | Promise<T>,
  prefix: string,
): Promise<T> {
  let loaded = false;
  try {
    return await withSession(file, sessions, async (session) => {
      loaded = true;
      return check(session);
    });
  } catch (error) {
    if (!loaded && !(error instanceof ModelContractError))
      throw new ModelContractError(`${prefix} is not a loadable ONNX model (${firstLine(error)})`);
    throw error;
  }
}

function reasonOf(error: unknown): string {
  return error instanceof ModelContractError ? error.message : firstLine(error);
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!.trim();
}
