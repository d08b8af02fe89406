/**
 * Everything a front end asks of one dataset, over one read-write index connection: search, details,
 * listings, batch edits with preview and undo, projects, on-demand thumbnails. The data worker
 * serves it to the extension host; tests use it directly.
 */
import type { Database } from 'better-sqlite3';
import { isAbsolute, join, resolve } from 'node:path';
import { datasetLayout, ensureTagbenchDir } from '../dataset/datasetLayout.ts';
import { openIndexDatabase } from '../index/database.ts';
import { listProblems } from '../index/datasetIndex.ts';
import { folderListing, imageById, imageByPath, imageCount, tagSuggestions } from '../index/imageQueries.ts';
import type { FileEntry, FolderEntry, ImageInfo } from '../index/imageQueries.ts';
import { searchImages, tagStats } from '../index/search.ts';
import { fieldValues } from '../index/fieldValues.ts';
import type { FieldValue } from '../index/fieldValues.ts';
import type { ValueField } from '../../shared/queryFields.ts';
import { QueryError } from '../../shared/queryError.ts';
import { ensureThumbnail } from '../imaging/thumbnailCache.ts';
import type { BatchPlan, BatchResult } from '../edits/batchEdit.ts';
import { stopMessage } from '../edits/batchFiles.ts';
import type { BatchStop } from '../edits/batchFiles.ts';
import { BatchService } from '../edits/batchService.ts';
import { withEditLockAsync } from '../edits/editLock.ts';
import type { BatchPlanPreview, RequestedBatchAction } from '../edits/batchService.ts';
import { listProjects, newProject, saveProject, deleteProject } from '../projects/projectStore.ts';
import type { Project } from '../projects/projectStore.ts';
import type { Problem } from '../problems.ts';
import { TagCompleter } from '../tags/tagCompletion.ts';
import type { TagDatabase } from '../tags/tagcompleteCsv.ts';
import { loadTagDatabaseCached } from './tagDatabaseCache.ts';
import type { BatchOutcome } from '../../shared/batchReport.ts';
import type { Selection } from '../../shared/imageSelection.ts';
import type { GalleryPage, QueryProblem, TagFrequencies } from '../../shared/searchResults.ts';
import type { TagSuggestion } from '../../shared/tagSuggestion.ts';

/** Settings a service needs from its front end. */
export interface ServiceSettings {
  captionExtension: string;
  thumbnailSize: number;
  /** Batches touching more files than this should be confirmed after a preview. */
  batchConfirmThreshold: number;
  /** A tagcomplete CSV whose tags complete beside the dataset's (relative to the dataset); null or absent for none. */
  tagDatabase?: string | null;
}

const PREVIEW_LIMIT = 100;
const MAX_PLANS = 8;

/** What an applied, undone or redone batch did, as the data worker answers it. */
export type ServiceBatchOutcome = BatchOutcome & { moved: number; sidecars: number; stopped?: BatchStop };

/** One dataset's queries and edits. */
export class DatasetService {
  readonly root: string;
  readonly db: Database;
  private settings: ServiceSettings;
  private readonly plans = new Map<string, BatchPlan>();
  private readonly batches: BatchService;
  private orderCache: { query: string; ids: number[]; paths: Map<number, string> } | undefined;
  private completer: { database: TagDatabase; completer: TagCompleter } | undefined;

  constructor(root: string, settings: ServiceSettings) {
    this.root = root;
    this.settings = settings;
    const layout = datasetLayout(root);
    ensureTagbenchDir(layout);
    this.db = openIndexDatabase(layout.indexFile).db;
    this.batches = new BatchService(root, this.db, () => this.settings.captionExtension);
  }

  /** Updates the settings (e.g. after the user changed them). */
  configure(settings: ServiceSettings): void {
    this.settings = settings;
    this.completer = undefined;
  }

  /** Forgets cached result orders and tag counts (call when the index changed behind this service). */
  invalidate(): void {
    this.orderCache = undefined;
    this.completer = undefined;
  }

  /** Number of indexed images. */
  imageCount(): number {
    return imageCount(this.db);
  }

  /** A page of results (the first with the tag terms no image has), or the query's problem. */
  search(query: string, offset: number, limit: number): GalleryPage | { error: QueryProblem } {
    return withQueryProblem(() => {
      const result = searchImages(this.db, query, { offset, limit, unmatched: offset === 0 });
      return {
        total: result.total,
        offset,
        items: result.items.map((i) => ({
          id: i.id,
          path: i.path,
          width: i.width,
          height: i.height,
          sha256: i.sha256,
          caption: i.caption,
          tags: i.tags,
        })),
        ...(result.unmatched?.length ? { unmatched: result.unmatched } : {}),
      };
    });
  }

  /** Tag frequencies over a query's results. */
  tagFrequencies(query: string, limit: number): TagFrequencies | { error: QueryProblem } {
    return withQueryProblem(() => tagStats(this.db, query, { limit }));
  }

  imageById(id: number): ImageInfo | null {
    return imageById(this.db, id) ?? null;
  }

  imageByPath(path: string): ImageInfo | null {
    return imageByPath(this.db, path) ?? null;
  }

  /**
   * Tags completing `prefix`, most used first: the dataset's own, and with a tag database also its
   * tags and aliases (an alias completes to its target). A database that cannot be loaded is left out
   * (tagDatabaseStatus says why).
   */
  tagSuggestions(prefix: string, limit: number): TagSuggestion[] {
    const loaded = this.tagDatabase();
    if (!loaded || 'error' in loaded) return tagSuggestions(this.db, prefix, limit);
    if (this.completer?.database !== loaded.database) {
      const dataset = tagStats(this.db).tags;
      this.completer = {
        database: loaded.database,
        completer: new TagCompleter({ dataset, database: loaded.database }),
      };
    }
    return this.completer.completer.complete(prefix, limit).map((c) => ({
      tag: c.tag,
      count: c.count,
      postCount: c.postCount,
      ...(c.category ? { category: c.category } : {}),
      ...(c.alias !== undefined ? { alias: c.alias } : {}),
    }));
  }

  /** Values of a query field starting with `prefix` (folder names, extensions, models, suggested tags), most used first. */
  fieldValues(field: ValueField, prefix: string, limit: number): FieldValue[] {
    return fieldValues(this.db, field, prefix, limit);
  }

  /** The configured tag database's size, or why it cannot be used; null when none is configured. */
  tagDatabaseStatus(): { file: string; tags: number; aliases: number } | { file: string; error: string } | null {
    const loaded = this.tagDatabase();
    if (!loaded) return null;
    if ('error' in loaded) return { file: loaded.file, error: loaded.error };
    return {
      file: loaded.file,
      tags: loaded.database.entries.length,
      aliases: Object.keys(loaded.database.aliases).length,
    };
  }

  folderListing(dir: string): { folders: FolderEntry[]; images: FileEntry[] } {
    return folderListing(this.db, dir);
  }

  problems(): Problem[] {
    return listProblems(this.db);
  }

  /** The image `step` places from `id` in the query's results, or null at either end. */
  neighbour(query: string, id: number, step: 1 | -1): { id: number; path: string } | null {
    const order = this.resultOrder(query);
    const index = order.ids.indexOf(id);
    if (index < 0) return null;
    const next = order.ids[index + step];
    return next === undefined ? null : { id: next, path: order.paths.get(next)! };
  }

  /** 1-based position of `id` in the query's results and their count (position 0 when it is not among them). */
  position(query: string, id: number): { position: number; total: number } {
    const order = this.resultOrder(query);
    return { position: order.ids.indexOf(id) + 1, total: order.ids.length };
  }

  /** The images a selection names, in result order for queries. */
  resolveSelection(selection: Selection): { id: number; path: string; sha256: string }[] {
    if (selection.kind === 'ids') {
      const rows = this.db
        .prepare('SELECT id, path, sha256 FROM images WHERE id IN (SELECT value FROM json_each(?))')
        .all(JSON.stringify(selection.ids)) as { id: number; path: string; sha256: string }[];
      const byId = new Map(rows.map((r) => [r.id, r]));
      return selection.ids.flatMap((id) => byId.get(id) ?? []);
    }
    const except = new Set(selection.except);
    const out: { id: number; path: string; sha256: string }[] = [];
    let cursor: string | undefined;
    do {
      const page = searchImages(this.db, selection.query, { limit: 10_000, ...(cursor ? { cursor } : {}) });
      for (const item of page.items)
        if (!except.has(item.id)) out.push({ id: item.id, path: item.path, sha256: item.sha256 });
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return out;
  }

  /**
   * Plans a batch and describes it; the plan is kept for applyBatch. An `applyRulesFile` action loads
   * its file here (relative to the dataset), throwing TagRulesError or TagCsvError for a bad one.
   */
  previewBatch(selection: Selection, action: RequestedBatchAction): BatchPlanPreview {
    const plan = this.batches.plan(this.resolveSelection(selection), action);
    this.plans.set(plan.id, plan);
    while (this.plans.size > MAX_PLANS) this.plans.delete(this.plans.keys().next().value!);
    return this.batches.preview(plan, PREVIEW_LIMIT, this.settings.batchConfirmThreshold);
  }

  /**
   * Applies a previewed batch (files changed since the preview are conflicts); sidecars listing tags
   * follow the captions. While another writer holds the edit lock it waits without blocking the thread,
   * so queries go on being answered.
   */
  async applyBatch(planId: string): Promise<ServiceBatchOutcome> {
    const plan = this.plans.get(planId);
    if (!plan) throw new Error('This preview is out of date; preview the change again.');
    this.plans.delete(planId);
    return this.underLock(plan.summary, () => outcome(this.batches.apply(plan), 'batch'));
  }

  /** Undoes the most recent batch, or returns null when there is none; sidecars follow the restored captions. */
  async undoBatch(): Promise<ServiceBatchOutcome | null> {
    return this.underLock('undo of a batch edit', () => {
      const result = this.batches.undo();
      return result ? outcome(result, 'undo') : null;
    });
  }

  /** Applies again the batch undone last, or returns null when there is none (or a new batch came since). */
  async redoBatch(): Promise<ServiceBatchOutcome | null> {
    return this.underLock('redo of a batch edit', () => {
      const result = this.batches.redo();
      return result ? outcome(result, 'redo') : null;
    });
  }

  /** Whether there is a batch to undo. */
  canUndo(): boolean {
    return this.batches.canUndo();
  }

  /** Whether there is a batch to redo. */
  canRedo(): boolean {
    return this.batches.canRedo();
  }

  /** Makes the thumbnail of an image if it is missing; returns its file, or null when the image is unknown. */
  async ensureThumbnail(id: number): Promise<string | null> {
    const row = this.db.prepare('SELECT path, sha256 FROM images WHERE id = ?').get(id) as
      { path: string; sha256: string } | undefined;
    if (!row) return null;
    return ensureThumbnail(
      datasetLayout(this.root).thumbsDir,
      join(this.root, row.path),
      row.sha256,
      this.settings.thumbnailSize,
    );
  }

  listProjects(): { projects: Project[]; problems: { file: string; message: string }[] } {
    return listProjects(this.root);
  }

  /** Creates a project from a selection (members by hash and path) or a saved query. */
  createProject(
    name: string,
    selection: Selection | null,
    query: string | null,
    trigger: string,
  ): { name: string; images: number; file: string } {
    if (query !== null) searchImages(this.db, query, { limit: 0 });
    const members = selection ? this.resolveSelection(selection).map((m) => ({ sha256: m.sha256, path: m.path })) : [];
    const project = newProject(name, { members, query, trigger });
    const file = saveProject(this.root, project);
    const images = query !== null ? searchImages(this.db, query, { limit: 0 }).total : members.length;
    return { name: project.name, images, file };
  }

  deleteProject(name: string): null {
    deleteProject(this.root, name);
    return null;
  }

  /** Closes the index connection. */
  close(): void {
    this.db.close();
  }

  /** Runs a batch step once the edit lock is free (waiting without blocking), forgetting cached orders and counts. */
  private async underLock<T>(purpose: string, step: () => T): Promise<T> {
    return withEditLockAsync(this.root, { purpose: `${purpose} (VS Code)` }, () => {
      this.invalidate();
      return step();
    });
  }

  /** The configured tag database (loaded on first use, again when its file changes), or undefined when none is set. */
  private tagDatabase(): ({ file: string } & ({ database: TagDatabase } | { error: string })) | undefined {
    const setting = this.settings.tagDatabase?.trim();
    if (!setting) return undefined;
    const file = isAbsolute(setting) ? setting : resolve(this.root, setting);
    return { file, ...loadTagDatabaseCached(file) };
  }

  private resultOrder(query: string): { ids: number[]; paths: Map<number, string> } {
    if (this.orderCache?.query !== query) {
      const rows = this.resolveSelection({ kind: 'query', query, except: [] });
      this.orderCache = { query, ids: rows.map((r) => r.id), paths: new Map(rows.map((r) => [r.id, r.path])) };
    }
    return this.orderCache;
  }
}

/** How messages of a stopped batch name the way to undo it and to bring the index up to date. */
const STOP_HINTS = { undo: 'Undo Last Batch Edit', index: 'the next index update' };

/**
 * A batch result as the fronts show it: the summary says what changed (`Removed "beard" from 2 of 7
 * images`), followed by what to do when it stopped before its end (a full disk).
 */
function outcome(result: BatchResult, what: 'batch' | 'undo' | 'redo'): ServiceBatchOutcome {
  const stop = result.stopped ? `. ${stopMessage(result.stopped, what, STOP_HINTS).replace(/\.$/, '')}` : '';
  return {
    changed: result.changed,
    unchanged: result.unchanged,
    conflicts: result.conflicts,
    summary: `${result.outcome}${stop}`,
    moved: result.moved,
    sidecars: result.sidecars,
    ...(result.stopped ? { stopped: result.stopped } : {}),
  };
}

function withQueryProblem<T>(fn: () => T): T | { error: QueryProblem } {
  try {
    return fn();
  } catch (err) {
    if (err instanceof QueryError)
      return { error: { message: err.message, position: err.position, length: err.length } };
    throw err;
  }
}
