/**
 * Reading one image file for the index: its bytes, content hash, facts (decoded, or reused from
 * identical content already indexed), thumbnail, caption and sidecar. Failures become problems.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Database } from 'better-sqlite3';
import { analyzeImage } from '../imaging/analyzeImage.ts';
import type { ImageFacts } from '../imaging/analyzeImage.ts';
import { ImageError } from '../imaging/imageError.ts';
import { thumbnailFile } from '../imaging/thumbnailCache.ts';
import { CaptionDecodeError, decodeCaption } from '../caption/captionFile.ts';
import { parseSidecar, SidecarError } from '../sidecar/sidecar.ts';
import { problem } from '../problems.ts';
import type { Problem } from '../problems.ts';
import type { DatasetSettings } from '../dataset/datasetSettings.ts';
import type { ScannedFile } from '../dataset/scanFolder.ts';
import type { CaptionState, ImageRecord, SidecarState } from './imageStore.ts';

/** What reading an image gave: a record to write (with a thumbnail and a warning), or a problem. */
export type ImageOutcome =
  | { kind: 'indexed'; record: ImageRecord; thumbnail?: Buffer; warning?: Problem }
  | { kind: 'failed'; problem: Problem; file: ScannedFile; reasonLost?: boolean };

/** A problem with the size and mtime of the file it is about, so later runs keep it while the file is unchanged. */
export type FileProblem = Problem & { size: number; mtimeMs: number };

/** What readImageFile needs besides the file. */
export interface ReadContext {
  settings: DatasetSettings;
  wantThumbs: boolean;
  thumbsDir: string;
  factsOf: (sha: string) => ImageFacts | undefined;
  caption: ScannedFile | undefined;
  sidecar: ScannedFile | undefined;
  problems: Problem[];
}

/** Reads one image file: hash, facts (decoded, or reused from identical content), caption, sidecar. */
export async function readImageFile(root: string, file: ScannedFile, ctx: ReadContext): Promise<ImageOutcome> {
  let bytes: Buffer;
  try {
    bytes = await readFile(join(root, file.path));
  } catch (err) {
    return {
      kind: 'failed',
      file,
      problem: withState(problem(file.path, 'unreadable', `The file cannot be read: ${(err as Error).message}.`), file),
    };
  }
  if (bytes.length === 0)
    return {
      kind: 'failed',
      file,
      problem: withState(problem(file.path, 'empty-file', 'The file is empty (0 bytes).'), file),
    };
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const ext = file.path.slice(file.path.lastIndexOf('.') + 1);
  const thumbFile = thumbnailFile(ctx.thumbsDir, sha256, ctx.settings.thumbnailSize);
  const needThumb = ctx.wantThumbs && !existsSync(thumbFile);
  let facts = needThumb ? undefined : ctx.factsOf(sha256);
  let thumbnail: Buffer | undefined;
  let warning: Problem | undefined;
  if (!facts || needThumb) {
    try {
      const analysis = await analyzeImage(bytes, {
        ext,
        maxPixels: ctx.settings.maxPixels,
        ...(needThumb ? { thumbnailSize: ctx.settings.thumbnailSize } : {}),
      });
      facts = analysis.facts;
      thumbnail = analysis.thumbnail;
      if (analysis.extensionMismatch)
        warning = withState(problem(file.path, 'extension-mismatch', analysis.extensionMismatch), file);
    } catch (err) {
      if (err instanceof ImageError)
        return {
          kind: 'failed',
          file,
          problem: withState(problem(file.path, err.kind, err.message), file),
          reasonLost: err.reasonLost,
        };
      return {
        kind: 'failed',
        file,
        problem: withState(
          problem(file.path, 'corrupt-image', `The image could not be decoded: ${(err as Error).message}.`),
          file,
        ),
      };
    }
  } else {
    const mismatch = mismatchWarning(file, facts);
    if (mismatch) warning = mismatch;
  }
  const record: ImageRecord = {
    path: file.path,
    size: file.size,
    mtimeMs: file.mtimeMs,
    sha256,
    ...facts,
    caption: readCaption(root, ctx.caption, ctx.problems),
    sidecar: readSidecarState(root, ctx.sidecar, ctx.problems),
  };
  const outcome: ImageOutcome = { kind: 'indexed', record };
  if (thumbnail) outcome.thumbnail = thumbnail;
  if (warning) outcome.warning = warning;
  return outcome;
}

function mismatchWarning(file: ScannedFile, facts: ImageFacts): Problem | undefined {
  const ext = file.path.slice(file.path.lastIndexOf('.') + 1).toLowerCase();
  const expected = ext === 'jpg' || ext === 'jpeg' ? 'jpeg' : ext === 'tif' ? 'tiff' : ext;
  if (expected === facts.format || (expected === 'avif' && facts.format === 'heif')) return undefined;
  const name = facts.format === 'jpeg' ? 'JPEG' : facts.format.toUpperCase();
  return withState(problem(file.path, 'extension-mismatch', `The file is named .${ext} but holds ${name} data.`), file);
}

export function readCaption(root: string, file: ScannedFile | undefined, problems: Problem[]): CaptionState | null {
  if (!file) return null;
  const state: CaptionState = { path: file.path, size: file.size, mtimeMs: file.mtimeMs, text: null };
  try {
    state.text = decodeCaption(readFileSync(join(root, file.path))).text;
  } catch (err) {
    const kind = err instanceof CaptionDecodeError ? 'caption-encoding' : 'caption-unreadable';
    problems.push(
      withState(
        problem(
          file.path,
          kind,
          err instanceof CaptionDecodeError ? err.message : `The caption cannot be read: ${(err as Error).message}.`,
        ),
        file,
      ),
    );
  }
  return state;
}

export function readSidecarState(
  root: string,
  file: ScannedFile | undefined,
  problems: Problem[],
): SidecarState | null {
  if (!file) return null;
  const state: SidecarState = { path: file.path, size: file.size, mtimeMs: file.mtimeMs, json: null };
  try {
    const bytes = readFileSync(join(root, file.path));
    parseSidecar(bytes);
    state.json = bytes.toString('utf8');
  } catch (err) {
    const message =
      err instanceof SidecarError ? err.message : `The sidecar cannot be read: ${(err as Error).message}.`;
    problems.push(withState(problem(file.path, 'sidecar-invalid', message), file));
  }
  return state;
}

/**
 * A caption or sidecar state as the file is now: read again when the file changed since `state` was
 * taken (a batch edit may have written it in between), null when it is gone. Called inside the
 * index's write transaction, so a writer that changes the file later also updates the row later.
 */
export function currentState<T extends CaptionState | SidecarState>(
  root: string,
  state: T | null,
  read: (root: string, file: ScannedFile, problems: Problem[]) => T | null,
  problems: Problem[],
): T | null {
  if (!state) return state;
  const now = scannedFile(root, state.path);
  if (!now) return null;
  if (now.size === state.size && now.mtimeMs === state.mtimeMs) return state;
  return read(root, now, problems);
}

/** The file at `path` as a scan sees it (size, mtime), or undefined when it is not there or cannot be read. */
export function scannedFile(root: string, path: string): ScannedFile | undefined {
  try {
    const stat = statSync(join(root, path));
    return stat.isFile() ? { path, size: stat.size, mtimeMs: Math.trunc(stat.mtimeMs) } : undefined;
  } catch {
    return undefined;
  }
}

/** Facts of already-indexed identical content, so a copy need not be decoded again. */
export function factsFromIndex(db: Database, sha256: string): ImageFacts | undefined {
  const row = db
    .prepare(
      `SELECT format, width, height, channels, has_alpha, bit_depth, space, frames, orientation, phash, dhash
    FROM images WHERE sha256 = ? LIMIT 1`,
    )
    .get(sha256) as Record<string, unknown> | undefined;
  if (!row) return undefined;
  return {
    format: row.format as ImageFacts['format'],
    width: row.width as number,
    height: row.height as number,
    channels: row.channels as number,
    hasAlpha: row.has_alpha === 1,
    bitDepth: row.bit_depth as number,
    space: row.space as string,
    frames: row.frames as number,
    orientation: row.orientation as number,
    phash: row.phash as string,
    dhash: row.dhash as string,
  };
}

/** Attaches a file's size and mtime to a problem. */
export function withState(p: Problem, file: ScannedFile): FileProblem {
  return { ...p, size: file.size, mtimeMs: file.mtimeMs };
}
