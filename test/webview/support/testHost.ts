/**
 * The extension host side of the gallery protocol for webview tests: it answers from a real SQLite
 * index with the core's search, tag statistics and lookups, validates every message the webview
 * sends with the protocol's own checks, and records batch and open requests instead of editing.
 */
import type { Database } from 'better-sqlite3';
import { RpcEndpoint } from '../../../src/protocol/rpc.ts';
import type { HandlerError, WireMessage } from '../../../src/protocol/rpc.ts';
import { galleryRequestChecks } from '../../../src/protocol/galleryProtocol.ts';
import type {
  BatchOutcome,
  BatchPreview,
  GalleryHost,
  GalleryItem,
  GalleryView,
  QueryProblem,
} from '../../../src/protocol/galleryProtocol.ts';
import { searchImages, tagStats } from '../../../src/core/index/search.ts';
import { imageById, tagSuggestions } from '../../../src/core/index/imageQueries.ts';
import { fieldValues } from '../../../src/core/index/fieldValues.ts';
import { QueryError } from '../../../src/shared/queryError.ts';

type Requests = GalleryHost['requests'];
type ViewState = GalleryHost['notifications']['viewState'];

/** A request the webview made, with its parameters. */
export interface RecordedCall {
  method: string;
  params: unknown;
  at: number;
}

/** What `init` says, besides the thumbnail base. */
export interface InitOptions {
  query?: string;
  selected?: number[];
  scrollTop?: number;
}

/** The test host. */
export class TestGalleryHost {
  readonly rpc: RpcEndpoint<GalleryHost, GalleryView>;
  readonly calls: RecordedCall[] = [];
  /** Messages refused by the protocol checks (must stay empty). */
  readonly problems: string[] = [];
  readonly viewStates: ViewState[] = [];
  /** The preview `previewBatch` answers with (built from the selection when unset). */
  needsConfirmation = true;
  /** The changes `previewBatch` lists, when set (otherwise a tag added to each selected caption). */
  previewChanges: BatchPreview['changes'] | null = null;
  /** What `applyBatch` throws instead of applying (as the host does when the user declines its confirmation). */
  applyRefusal: HandlerError | null = null;
  private readonly db: Database;
  private readonly origin: string;
  private readyResolve: (() => void) | undefined;
  /** Resolves when the webview sent `ready`. */
  readonly ready: Promise<void>;

  constructor(
    db: Database,
    origin: string,
    thumbBase: string,
    send: (message: WireMessage) => void,
    init: InitOptions = {},
    onEnsure?: (sha256: string) => void,
  ) {
    this.db = db;
    this.origin = origin;
    this.rpc = new RpcEndpoint<GalleryHost, GalleryView>(send);
    this.rpc.onProblem = (problem) => this.problems.push(problem);
    this.ready = new Promise((resolve) => (this.readyResolve = resolve));
    const checks = galleryRequestChecks;
    const handle = <M extends keyof Requests & string>(
      method: M,
      fn: (params: Requests[M]['params']) => Requests[M]['result'],
    ): void => {
      this.rpc.handle(
        method,
        (params) => {
          this.calls.push({ method, params, at: Date.now() });
          return fn(params);
        },
        checks[method],
      );
    };
    this.rpc.on(
      'ready',
      () => {
        this.calls.push({ method: 'ready', params: {}, at: Date.now() });
        this.rpc.notify('init', {
          dataset: 'synthetic',
          thumbBase,
          thumbSize: 256,
          query: init.query ?? '',
          selected: init.selected ?? [],
          scrollTop: init.scrollTop ?? 0,
        });
        this.readyResolve?.();
      },
      checks.ready,
    );
    this.rpc.on('viewState', (state) => this.viewStates.push(state), checks.viewState);
    handle('search', ({ query, offset, limit }) => this.search(query, offset, limit));
    handle('tagFrequencies', ({ query, limit }) => queryResult(() => tagStats(this.db, query, { limit })));
    handle('details', ({ id }) => {
      const info = imageById(this.db, id);
      if (!info) return null;
      return {
        id: info.id,
        path: info.path,
        width: info.width,
        height: info.height,
        format: info.format,
        size: info.size,
        mtimeMs: info.mtimeMs,
        channels: info.channels,
        hasAlpha: info.hasAlpha,
        bitDepth: info.bitDepth,
        space: info.space,
        frames: info.frames,
        caption: info.caption,
        tags: info.tags,
        problems: info.problems,
        imageUri: `${this.origin}/images/${info.id}.webp`,
      };
    });
    handle('tagSuggestions', ({ prefix, limit }) => tagSuggestions(this.db, prefix, limit));
    handle('fieldValues', ({ field, prefix, limit }) => fieldValues(this.db, field, prefix, limit));
    handle('previewBatch', ({ selection }) => this.preview(selection));
    handle('applyBatch', () => {
      if (this.applyRefusal) throw this.applyRefusal;
      return outcome('Added 1 tag to 3 captions', 3);
    });
    handle('undoBatch', () => outcome('Undid: added 1 tag to 3 captions', 3));
    handle('redoBatch', () => outcome('Redid: added 1 tag to 3 captions', 3));
    handle('openImage', () => null);
    handle('createProject', ({ name, selection }) => ({
      name,
      images: selection.kind === 'ids' ? selection.ids.length : 0,
    }));
    handle('ensureThumbnail', ({ id }) => {
      const info = imageById(this.db, id);
      if (info) onEnsure?.(info.sha256);
      return info !== undefined;
    });
  }

  /** The calls of one method. */
  callsOf(method: string): RecordedCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** The host's own answer to a search (for comparing with what the webview shows). */
  search(query: string, offset: number, limit: number): Requests['search']['result'] {
    return queryResult(() => {
      const result = searchImages(this.db, query, { offset, limit, unmatched: offset === 0 });
      return {
        total: result.total,
        offset,
        items: result.items.map(toGalleryItem),
        ...(result.unmatched?.length ? { unmatched: result.unmatched } : {}),
      };
    });
  }

  private preview(selection: Requests['previewBatch']['params']['selection']): BatchPreview {
    const ids = selection.kind === 'ids' ? selection.ids : [];
    const files =
      selection.kind === 'ids'
        ? ids.length
        : (this.search(selection.query, 0, 0) as { total: number }).total - selection.except.length;
    const changes =
      this.previewChanges ??
      ids.slice(0, 100).map((id) => {
        const info = imageById(this.db, id);
        return {
          path: info?.path ?? `#${id}`,
          before: info?.caption ?? null,
          after: `${info?.caption ?? ''}, new tag`,
        };
      });
    return {
      planId: `plan-${this.callsOf('previewBatch').length}`,
      files,
      changed: files,
      changes,
      needsConfirmation: this.needsConfirmation,
    };
  }
}

function queryResult<T>(run: () => T): T | { error: QueryProblem } {
  try {
    return run();
  } catch (err) {
    if (err instanceof QueryError)
      return { error: { message: err.message, position: err.position, length: err.length } };
    throw err;
  }
}

function toGalleryItem(item: {
  id: number;
  path: string;
  width: number;
  height: number;
  sha256: string;
  caption: string | null;
  tags: string[];
}): GalleryItem {
  return {
    id: item.id,
    path: item.path,
    width: item.width,
    height: item.height,
    sha256: item.sha256,
    caption: item.caption,
    tags: item.tags,
  };
}

function outcome(summary: string, changed: number): BatchOutcome {
  return {
    changed,
    unchanged: 0,
    conflicts: [{ path: '10_alice/a.png', reason: 'changed on disk since it was read' }],
    summary,
  };
}
