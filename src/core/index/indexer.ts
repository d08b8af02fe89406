/**
 * Indexing a dataset: scan the folder, read what changed since the last run, and bring the index
 * (and the thumbnail cache) in line with the files. Nothing outside `.tagbench/` is modified.
 *
 * Incremental: an image whose size and mtime match its row is not read again; a caption or sidecar
 * is re-read when its own size or mtime changed. A new file whose content hash matches a row whose
 * file disappeared is that image, moved: the row keeps its id. Failed files keep their problem until
 * they change.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { availableParallelism } from 'node:os';
import sharp from 'sharp';
import type { Database } from 'better-sqlite3';
import { evictThumbnails, storeThumbnail, thumbnailFile } from '../imaging/thumbnailCache.ts';
import { findAtomicTemps, removeStrayTemps } from '../strayTempFiles.ts';
import { problem } from '../problems.ts';
import type { Problem } from '../problems.ts';
import { checkDatasetRoot } from '../dataset/datasetRoot.ts';
import { datasetLayout, ensureTagbenchDir } from '../dataset/datasetLayout.ts';
import { normalizeSettings, readDatasetSettings } from '../dataset/datasetSettings.ts';
import type { DatasetSettings } from '../dataset/datasetSettings.ts';
import { scanFolder } from '../dataset/scanFolder.ts';
import type { ScannedFile } from '../dataset/scanFolder.ts';
import { captionPathFor, pairFiles, sidecarPathFor } from '../dataset/filePairing.ts';
import { openIndexDatabase } from './database.ts';
import { THUMBS_SWEEP_KEY, THUMBS_SWEPT_AT_KEY } from './schema.ts';
import { asDiskFull } from '../diskFull.ts';
import { ImageStore } from './imageStore.ts';
import { loadIndexedImages, loadStoredProblems, replaceProblems } from './indexedState.ts';
import type { IndexedImage } from './indexedState.ts';
import {
  currentState,
  factsFromIndex,
  readCaption,
  readImageFile,
  readSidecarState,
  withState,
} from './imageFileReader.ts';
import type { ImageOutcome } from './imageFileReader.ts';
import { adoptOrphanSidecars } from './orphanSidecars.ts';

/** Options of indexDataset. */
export interface IndexOptions {
  /** Make missing thumbnails (default true). */
  thumbnails?: boolean;
  /** Images read and decoded at the same time (default: twice the number of CPU cores). */
  concurrency?: number;
  /** Index folders that look implausible (home, system folders, too many files). */
  force?: boolean;
  /** Throw the index away first and read every file again. */
  rebuild?: boolean;
  /** Overrides of the dataset's `.tagbench/dataset.json` settings for this run. */
  settings?: Partial<DatasetSettings>;
  signal?: AbortSignal;
  onProgress?: (progress: IndexProgress) => void;
}

/** Where a run is. `total` is the number of files to read in the 'read' phase. */
export interface IndexProgress {
  phase: 'scan' | 'read' | 'finish';
  done: number;
  total: number;
  path?: string;
}

/** What a run did. */
export interface IndexSummary {
  root: string;
  /** Dataset images in the index after the run. */
  images: number;
  new: number;
  changed: number;
  moved: number;
  removed: number;
  captionsChanged: number;
  thumbnailsMade: number;
  /** Thumbnails removed because their content is no longer in the index (removed or changed images). */
  thumbnailsRemoved: number;
  /** Temporary files that interrupted writes left behind, removed (see strayTempFiles.ts). */
  tempFilesRemoved: number;
  problems: number;
  errors: number;
  warnings: number;
  cancelled: boolean;
  durationMs: number;
  /** Notes about the index itself: migrations, a replaced index. */
  messages: string[];
}

/** Indexes the dataset at `rootDir` and returns a summary. Throws DatasetError for a bad root. */
export async function indexDataset(rootDir: string, options: IndexOptions = {}): Promise<IndexSummary> {
  const started = performance.now();
  const root = checkDatasetRoot(rootDir, options.force);
  const layout = datasetLayout(root);
  const settings = normalizeSettings({ ...readDatasetSettings(layout.settingsFile), ...options.settings });
  const wantThumbs = options.thumbnails !== false;
  const progress = options.onProgress ?? (() => {});
  progress({ phase: 'scan', done: 0, total: 0 });
  const scan = scanFolder(root, {
    captionExtension: settings.captionExtension,
    exclude: settings.exclude,
    maxFiles: settings.maxFiles,
    force: options.force,
  });

  ensureTagbenchDir(layout);
  const opened = openIndexDatabase(layout.indexFile, { rebuild: options.rebuild === true });
  const db = opened.db;
  try {
    return await runIndex({
      db,
      root,
      layout,
      settings,
      scan,
      wantThumbs,
      options,
      progress,
      started,
      messages: opened.messages,
    });
  } catch (err) {
    // Every write is in a transaction or atomic: what failed left the index as it was before it.
    throw asDiskFull(
      err,
      `the index of ${root} could not be updated (it keeps its last complete state, and the next run goes on from there)`,
      layout.dir,
    );
  } finally {
    db.close();
  }
}

interface RunContext {
  db: Database;
  root: string;
  layout: ReturnType<typeof datasetLayout>;
  settings: DatasetSettings;
  scan: ReturnType<typeof scanFolder>;
  wantThumbs: boolean;
  options: IndexOptions;
  progress: (p: IndexProgress) => void;
  started: number;
  messages: string[];
}

async function runIndex(ctx: RunContext): Promise<IndexSummary> {
  const { db, root, layout, settings, scan, wantThumbs } = ctx;
  const store = new ImageStore(db);
  const indexed = loadIndexedImages(db);
  const oldProblems = loadStoredProblems(db);
  const problems: Problem[] = [...scan.problems];
  const pairing = pairFiles(scan.images, scan.captions, scan.sidecars, settings.captionExtension);
  problems.push(...pairing.problems);
  for (const orphan of pairing.orphanCaptions) {
    problems.push(
      problem(
        orphan.path,
        'caption-without-image',
        `No image named like this caption is beside it; trainers will ignore it.`,
      ),
    );
  }

  const onDisk = new Set(scan.images.map((f) => f.path));
  const missingBySha = new Map<string, IndexedImage>();
  for (const row of indexed.values()) if (!onDisk.has(row.path)) missingBySha.set(row.sha256, row);

  const summary: IndexSummary = {
    root,
    images: 0,
    new: 0,
    changed: 0,
    moved: 0,
    removed: 0,
    captionsChanged: 0,
    thumbnailsMade: 0,
    thumbnailsRemoved: 0,
    tempFilesRemoved: 0,
    problems: 0,
    errors: 0,
    warnings: 0,
    cancelled: false,
    durationMs: 0,
    messages: ctx.messages,
  };
  const captionOf = (imagePath: string): ScannedFile | undefined =>
    scan.captions.get(captionPathFor(imagePath, settings.captionExtension));
  const sidecarOf = (imagePath: string): ScannedFile | undefined => scan.sidecars.get(sidecarPathFor(imagePath));
  const keepOldProblems = (path: string, file: ScannedFile | undefined): void => {
    for (const p of oldProblems.get(path) ?? [])
      if (file && p.size === file.size && p.mtimeMs === file.mtimeMs) problems.push(withState(p.problem, file));
  };

  // Decide what must be read.
  const toRead: ScannedFile[] = [];
  for (const file of scan.images) {
    const row = indexed.get(file.path);
    if (row && row.size === file.size && row.mtimeMs === file.mtimeMs) {
      if (wantThumbs && !existsSync(thumbnailFile(layout.thumbsDir, row.sha256, settings.thumbnailSize)))
        toRead.push(file);
      else keepOldProblems(file.path, file);
      continue;
    }
    // A file that failed keeps its problem while unchanged; unreadable ones are retried (permissions change without mtime).
    const failed = oldProblems
      .get(file.path)
      ?.find(
        (p) =>
          p.size === file.size &&
          p.mtimeMs === file.mtimeMs &&
          p.problem.severity === 'error' &&
          p.problem.kind !== 'unreadable',
      );
    if (failed && !row) {
      problems.push(withState(failed.problem, file));
      continue;
    }
    toRead.push(file);
  }

  // A kill while thumbnails are written can leave temporary files among them: sweep after this run.
  if (
    wantThumbs &&
    toRead.length > 0 &&
    db.prepare('SELECT value FROM meta WHERE key = ?').pluck().get(THUMBS_SWEEP_KEY) !== '1'
  ) {
    setMeta(db, THUMBS_SWEEP_KEY, '1');
  }

  // Read, hash and decode, a few at a time; write rows in batches.
  const pending: ImageOutcome[] = [];
  // Immediate: the write lock is held from the first re-stat of a caption (see currentState) to the commit.
  const flushPending = db.transaction(() => {
    for (const outcome of pending.splice(0)) applyOutcome(outcome);
  });
  const flush = (): void => flushPending.immediate();
  const applyOutcome = (outcome: ImageOutcome): void => {
    if (outcome.kind === 'failed') {
      problems.push(outcome.problem);
      const row = indexed.get(outcome.file.path);
      if (row) {
        store.delete(row.id);
        indexed.delete(row.path);
        summary.removed++;
      }
      return;
    }
    const record = outcome.record;
    record.caption = currentState(root, record.caption, readCaption, problems);
    record.sidecar = currentState(root, record.sidecar, readSidecarState, problems);
    if (outcome.kind === 'indexed' && outcome.thumbnail) {
      storeThumbnail(thumbnailFile(layout.thumbsDir, record.sha256, settings.thumbnailSize), outcome.thumbnail);
      summary.thumbnailsMade++;
    }
    if (outcome.kind === 'indexed' && outcome.warning) problems.push(outcome.warning);
    const existing = indexed.get(record.path);
    const moved = !existing ? missingBySha.get(record.sha256) : undefined;
    if (existing) {
      if (existing.size !== record.size || existing.mtimeMs !== record.mtimeMs || existing.sha256 !== record.sha256) {
        store.update(existing.id, record);
        summary.changed++;
      } else {
        if (
          !sameFile(record.caption ?? undefined, existing.captionPath, existing.captionSize, existing.captionMtimeMs)
        ) {
          store.setCaption(existing.id, record.caption);
          summary.captionsChanged++;
        }
        if (
          !sameFile(record.sidecar ?? undefined, existing.sidecarPath, existing.sidecarSize, existing.sidecarMtimeMs)
        ) {
          store.setSidecar(existing.id, record.sidecar);
        }
      }
      existing.size = record.size;
      existing.mtimeMs = record.mtimeMs;
      existing.sha256 = record.sha256;
    } else if (moved) {
      missingBySha.delete(record.sha256);
      indexed.delete(moved.path);
      store.update(moved.id, record);
      indexed.set(record.path, { ...moved, path: record.path, size: record.size, mtimeMs: record.mtimeMs });
      summary.moved++;
    } else {
      const id = store.insert(record);
      indexed.set(record.path, {
        id,
        path: record.path,
        size: record.size,
        mtimeMs: record.mtimeMs,
        sha256: record.sha256,
        captionPath: null,
        captionSize: null,
        captionMtimeMs: null,
        sidecarPath: null,
        sidecarSize: null,
        sidecarMtimeMs: null,
      });
      summary.new++;
    }
    const row = indexed.get(record.path)!;
    row.captionPath = record.caption?.path ?? null;
    row.captionSize = record.caption?.size ?? null;
    row.captionMtimeMs = record.caption?.mtimeMs ?? null;
    row.sidecarPath = record.sidecar?.path ?? null;
    row.sidecarSize = record.sidecar?.size ?? null;
    row.sidecarMtimeMs = record.sidecar?.mtimeMs ?? null;
  };

  // Two images in flight per core keeps the cores busy while each image waits on I/O or the main thread.
  const concurrency = Math.max(1, ctx.options.concurrency ?? 2 * availableParallelism());
  const previousSharpConcurrency = sharp.concurrency();
  sharp.concurrency(1);
  let done = 0;
  let lastFlush = performance.now();
  ctx.progress({ phase: 'read', done, total: toRead.length });
  try {
    let next = 0;
    const read = (file: ScannedFile): Promise<ImageOutcome> =>
      readImageFile(root, file, {
        settings,
        wantThumbs,
        thumbsDir: layout.thumbsDir,
        factsOf: (sha) => factsFromIndex(db, sha),
        caption: captionOf(file.path),
        sidecar: sidecarOf(file.path),
        problems,
      });
    // Failures whose reason libvips lost (other decodes ran at the same time) are read again alone.
    const readAgainAlone: ScannedFile[] = [];
    const workerLoop = async (): Promise<void> => {
      while (next < toRead.length && !ctx.options.signal?.aborted) {
        const file = toRead[next++]!;
        const outcome = await read(file);
        if (outcome.kind === 'failed' && outcome.reasonLost) readAgainAlone.push(file);
        else pending.push(outcome);
        done++;
        ctx.progress({ phase: 'read', done, total: toRead.length, path: file.path });
        if (pending.length >= 256 || performance.now() - lastFlush > 500) {
          flush();
          lastFlush = performance.now();
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, toRead.length) }, workerLoop));
    for (const file of readAgainAlone) pending.push(await read(file));
    flush();
  } finally {
    sharp.concurrency(previousSharpConcurrency);
  }

  if (ctx.options.signal?.aborted) {
    summary.cancelled = true;
    return finishSummary(db, summary, ctx.started, problems, false);
  }

  ctx.progress({ phase: 'finish', done, total: toRead.length });
  const wasRead = new Set(toRead);
  db.transaction(() => {
    // Captions and sidecars that changed beside unchanged images.
    for (const file of scan.images) {
      const row = indexed.get(file.path);
      if (!row || wasRead.has(file)) continue;
      const caption = captionOf(file.path);
      if (!sameFile(caption, row.captionPath, row.captionSize, row.captionMtimeMs)) {
        store.setCaption(row.id, readCaption(root, caption, problems));
        summary.captionsChanged++;
      } else if (caption) {
        keepOldProblems(caption.path, caption);
      }
      const sidecar = sidecarOf(file.path);
      if (sidecar || row.sidecarPath === sidecarPathFor(file.path)) {
        if (!sameFile(sidecar, row.sidecarPath, row.sidecarSize, row.sidecarMtimeMs))
          store.setSidecar(row.id, readSidecarState(root, sidecar, problems));
        else if (sidecar) keepOldProblems(sidecar.path, sidecar);
      }
    }
    // Rows whose files are gone.
    for (const row of [...indexed.values()]) {
      if (!onDisk.has(row.path)) {
        store.delete(row.id);
        indexed.delete(row.path);
        summary.removed++;
      }
    }
    adoptOrphanSidecars(db, store, root, pairing.orphanSidecars, indexed, problems);
  }).immediate();
  sweepLeftovers(db, ctx, summary);
  return finishSummary(db, summary, ctx.started, problems, true);
}

/** A thumbnail cache not swept for this long is swept after the next complete run, whatever the flag says. */
const SWEEP_EVERY_MS = 24 * 3600_000;

/**
 * After a complete run: removes the temporary files interrupted writes left in the dataset. When the
 * cache needs it (content left the index, a run making thumbnails may have been killed, or a day has
 * passed), also evicts the thumbnails of content no longer indexed and removes stray temporary files
 * in `.tagbench/`: one listing of the cache, skipped on a run that changed nothing.
 */
function sweepLeftovers(db: Database, ctx: RunContext, summary: IndexSummary): void {
  const temps = ctx.scan.tempFiles.map((path) => join(ctx.root, path));
  const meta = db.prepare('SELECT value FROM meta WHERE key = ?').pluck();
  const flag = meta.get(THUMBS_SWEEP_KEY) as string | undefined;
  const sweptAt = Number(meta.get(THUMBS_SWEPT_AT_KEY) ?? 0);
  if (flag !== '0' || Date.now() - sweptAt > SWEEP_EVERY_MS) {
    // Reset first: content removed from now on sets the flag again for the next run.
    db.transaction(() => {
      setMeta(db, THUMBS_SWEEP_KEY, '0');
      setMeta(db, THUMBS_SWEPT_AT_KEY, String(Date.now()));
    }).immediate();
    let live: Set<string> | undefined;
    const isLive = (sha: string): boolean => {
      live ??= new Set(db.prepare('SELECT sha256 FROM images').pluck().all() as string[]);
      return live.has(sha);
    };
    const thumbs = evictThumbnails(ctx.layout.thumbsDir, isLive);
    summary.thumbnailsRemoved = thumbs.removed;
    temps.push(...thumbs.temps, ...findAtomicTemps(ctx.layout.dir, ctx.layout.thumbsDir));
  }
  summary.tempFilesRemoved = removeStrayTemps(temps);
}

function setMeta(db: Database, key: string, value: string): void {
  db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(
    key,
    value,
  );
}

function finishSummary(
  db: Database,
  summary: IndexSummary,
  started: number,
  problems: Problem[],
  complete: boolean,
): IndexSummary {
  if (complete) replaceProblems(db, problems);
  const counts = db
    .prepare(
      `SELECT (SELECT count(*) FROM images) AS images,
    (SELECT count(*) FROM problems WHERE severity = 'error') AS errors,
    (SELECT count(*) FROM problems WHERE severity = 'warning') AS warnings`,
    )
    .get() as { images: number; errors: number; warnings: number };
  summary.images = counts.images;
  summary.errors = complete ? counts.errors : problems.filter((p) => p.severity === 'error').length;
  summary.warnings = complete ? counts.warnings : problems.filter((p) => p.severity === 'warning').length;
  summary.problems = summary.errors + summary.warnings;
  summary.durationMs = Math.round(performance.now() - started);
  return summary;
}

function sameFile(
  file: ScannedFile | undefined,
  path: string | null,
  size: number | null,
  mtimeMs: number | null,
): boolean {
  if (!file) return path === null;
  return file.path === path && file.size === size && file.mtimeMs === mtimeMs;
}
