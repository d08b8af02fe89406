/**
 * Messages between the gallery webview and the extension host. The host answers `GalleryHost`
 * requests (validated by `galleryRequestChecks`); the webview answers `GalleryView`.
 */
import type { Check } from './validate.ts';
import type { ReviewSuggestionsAction } from '../shared/reviewAction.ts';
import type { UnmatchedTerm } from '../shared/queryHint.ts';
import { VALUE_FIELDS } from '../shared/queryFields.ts';
import type { ValueField } from '../shared/queryFields.ts';
import { arr, bool, int, num, obj, oneOf, optional, str, union } from './validate.ts';

/** One image as the grid shows it. Thumbnails are at `${thumbBase}/${sha256.slice(0, 2)}/${sha256}-${thumbSize}.webp`. */
export interface GalleryItem {
  id: number;
  path: string;
  width: number;
  height: number;
  sha256: string;
  caption: string | null;
  tags: string[];
}

/** A malformed query: the message and where in the query text (0-based, UTF-16 units). */
export interface QueryProblem {
  message: string;
  position: number;
  length: number;
}

/** A page of results starting at `offset`, out of `total`; the first page also names the query's tag terms no image has. */
export interface GalleryPage {
  total: number;
  offset: number;
  items: GalleryItem[];
  unmatched?: UnmatchedTerm[];
}

/** Tag frequencies over a query's results, most frequent first. */
export interface TagFrequencies {
  images: number;
  tags: { tag: string; count: number }[];
}

/** Everything the side panel shows about one image. */
export interface ImageDetails {
  id: number;
  path: string;
  width: number;
  height: number;
  format: string;
  size: number;
  mtimeMs: number;
  channels: number;
  hasAlpha: boolean;
  bitDepth: number;
  space: string;
  frames: number;
  caption: string | null;
  tags: string[];
  problems: { kind: string; severity: 'error' | 'warning'; message: string }[];
  /** A webview URI of the full image. */
  imageUri: string;
}

/**
 * A tag completion: the tag to insert and how many images have it. With a tag database configured,
 * also the database's post count and category, and the alias that was typed when the match came
 * through one (shown as `alias → tag`).
 */
export interface TagSuggestion {
  tag: string;
  count: number;
  postCount?: number;
  category?: 'general' | 'artist' | 'copyright' | 'character' | 'meta' | 'other';
  alias?: string;
}

/** Which images a batch applies to: listed ones, or every result of a query (minus some). */
export type Selection =
  | { kind: 'ids'; ids: number[] }
  | { kind: 'query'; query: string; except: number[] };

export type { ReviewSuggestionsAction };

/** A batch edit of captions, a review of model suggestions (caption and sidecar), or a move to Tagbench's trash. */
export type BatchAction =
  | { kind: 'addTags'; tags: string[]; position: 'start' | 'end' }
  | { kind: 'removeTags'; tags: string[] }
  | { kind: 'replaceTag'; find: string; replace: string; regex: boolean }
  | { kind: 'setPrefix'; prefix: string }
  | ReviewSuggestionsAction
  | { kind: 'trash' };

/** What a batch would do, before it is applied. `changes` holds at most the first 100 files. */
export interface BatchPreview {
  /** The host's plan of exactly this change; `applyBatch` applies it by this id. */
  planId: string;
  files: number;
  changed: number;
  /** A suggestion review also names the suggestions it accepts or rejects in each file. */
  changes: { path: string; before: string | null; after: string | null; accepted?: string[]; rejected?: string[] }[];
  /** True when the change touches enough files that the user should confirm it first. */
  needsConfirmation: boolean;
}

/** What an applied (or undone) batch did. Files changed on disk since they were read are conflicts, never overwritten. */
export interface BatchOutcome {
  changed: number;
  unchanged: number;
  conflicts: { path: string; reason: string }[];
  /** A one-line description ("Added 2 tags to 40 captions"). */
  summary: string;
}

/** Requests the host answers. */
export interface GalleryHost {
  requests: {
    search: { params: { query: string; offset: number; limit: number }; result: GalleryPage | { error: QueryProblem } };
    tagFrequencies: { params: { query: string; limit: number }; result: TagFrequencies | { error: QueryProblem } };
    details: { params: { id: number }; result: ImageDetails | null };
    tagSuggestions: { params: { prefix: string; limit: number }; result: TagSuggestion[] };
    /** Values of a query field starting with a prefix (folder names, extensions, models, suggested tags), most used first. */
    fieldValues: { params: { field: ValueField; prefix: string; limit: number }; result: { value: string; count: number }[] };
    previewBatch: { params: { selection: Selection; action: BatchAction }; result: BatchPreview };
    applyBatch: { params: { planId: string }; result: BatchOutcome };
    undoBatch: { params: Record<string, never>; result: BatchOutcome | null };
    openImage: { params: { id: number; query: string }; result: null };
    createProject: { params: { name: string; selection: Selection }; result: { name: string; images: number } };
    ensureThumbnail: { params: { id: number }; result: boolean };
  };
  notifications: {
    /** The webview is ready for `init`. */
    ready: Record<string, never>;
    /** The webview's query, selection and scroll, for restoring it later. */
    viewState: { query: string; selected: number[]; scrollTop: number };
  };
}

/** Notifications the webview receives. */
export interface GalleryView {
  requests: Record<string, never>;
  notifications: {
    init: { dataset: string; thumbBase: string; thumbSize: number; query: string; selected: number[]; scrollTop: number };
    /** The index changed (files edited, added, removed): refresh the results. */
    indexChanged: { images: number };
    /** Run this query (from the "Search Dataset" command). */
    setQuery: { query: string };
  };
}

const MAX_IDS = 200_000;
const id = int(1, Number.MAX_SAFE_INTEGER);
const tag = str(500);

const selection: Check = union(
  obj({ kind: oneOf('ids'), ids: arr(id, MAX_IDS) }),
  obj({ kind: oneOf('query'), query: str(4000), except: arr(id, MAX_IDS) }),
);

const action: Check = union(
  obj({ kind: oneOf('addTags'), tags: arr(tag, 200), position: oneOf('start', 'end') }),
  obj({ kind: oneOf('removeTags'), tags: arr(tag, 200) }),
  obj({ kind: oneOf('replaceTag'), find: str(500), replace: str(500), regex: bool }),
  obj({ kind: oneOf('setPrefix'), prefix: str(500) }),
  obj({
    kind: oneOf('reviewSuggestions'),
    decision: oneOf('accept', 'reject'),
    model: optional(str(200)),
    minConfidence: optional(num(0, 1)),
    belowConfidence: optional(num(0, 1)),
    underscores: optional(oneOf('spaces', 'keep')),
  }),
  obj({ kind: oneOf('trash') }),
);

/** Runtime checks of every request and notification the host accepts from the webview. */
export const galleryRequestChecks: { [M in keyof GalleryHost['requests'] | keyof GalleryHost['notifications']]: Check } = {
  search: obj({ query: str(4000), offset: int(0, 10_000_000), limit: int(0, 2000) }),
  tagFrequencies: obj({ query: str(4000), limit: int(1, 10_000) }),
  details: obj({ id }),
  tagSuggestions: obj({ prefix: str(500), limit: int(1, 200) }),
  fieldValues: obj({ field: oneOf(...VALUE_FIELDS), prefix: str(500), limit: int(1, 200) }),
  previewBatch: obj({ selection, action }),
  applyBatch: obj({ planId: str(100) }),
  undoBatch: obj({}),
  openImage: obj({ id, query: str(4000) }),
  createProject: obj({ name: str(100), selection }),
  ensureThumbnail: obj({ id }),
  ready: obj({}),
  viewState: obj({ query: str(4000), selected: arr(id, MAX_IDS), scrollTop: optional(int(0, Number.MAX_SAFE_INTEGER)) }),
};
