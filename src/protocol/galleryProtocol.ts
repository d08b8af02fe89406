/**
 * Messages between the gallery webview and the extension host. The host answers `GalleryHost`
 * requests (validated by `galleryRequestChecks`); the webview answers `GalleryView`.
 */
import type { Check } from './validate.ts';
import type { ReviewSuggestionsAction } from '../shared/reviewAction.ts';
import type { BatchOutcome, BatchPreview } from '../shared/batchReport.ts';
import type { Selection } from '../shared/imageSelection.ts';
import type { GalleryItem, GalleryPage, QueryProblem, TagFrequencies } from '../shared/searchResults.ts';
import type { TagSuggestion } from '../shared/tagSuggestion.ts';
import { checkGalleryBatchAction } from '../shared/batchAction.ts';
import type { GalleryBatchAction } from '../shared/batchAction.ts';
import { VALUE_FIELDS } from '../shared/queryFields.ts';
import type { ValueField } from '../shared/queryFields.ts';
import { arr, int, obj, oneOf, optional, str, union } from './validate.ts';

export type {
  BatchOutcome,
  BatchPreview,
  GalleryItem,
  GalleryPage,
  QueryProblem,
  ReviewSuggestionsAction,
  Selection,
  TagFrequencies,
  TagSuggestion,
};

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

/** A batch edit of captions, a review of model suggestions (caption and sidecar), or a move to Tagbench's trash (src/shared/batchAction.ts). */
export type BatchAction = GalleryBatchAction;

/** Requests the host answers. */
export interface GalleryHost {
  requests: {
    search: { params: { query: string; offset: number; limit: number }; result: GalleryPage | { error: QueryProblem } };
    tagFrequencies: { params: { query: string; limit: number }; result: TagFrequencies | { error: QueryProblem } };
    details: { params: { id: number }; result: ImageDetails | null };
    tagSuggestions: { params: { prefix: string; limit: number }; result: TagSuggestion[] };
    /** Values of a query field starting with a prefix (folder names, extensions, models, suggested tags), most used first. */
    fieldValues: {
      params: { field: ValueField; prefix: string; limit: number };
      result: { value: string; count: number }[];
    };
    previewBatch: { params: { selection: Selection; action: BatchAction }; result: BatchPreview };
    applyBatch: { params: { planId: string }; result: BatchOutcome };
    undoBatch: { params: Record<string, never>; result: BatchOutcome | null };
    redoBatch: { params: Record<string, never>; result: BatchOutcome | null };
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
    init: {
      dataset: string;
      thumbBase: string;
      thumbSize: number;
      query: string;
      selected: number[];
      scrollTop: number;
    };
    /** The index changed (files edited, added, removed): refresh the results. */
    indexChanged: { images: number };
    /** Run this query (from the "Search Dataset" command). */
    setQuery: { query: string };
  };
}

const MAX_IDS = 200_000;
const id = int(1, Number.MAX_SAFE_INTEGER);

const selection: Check = union(
  obj({ kind: oneOf('ids'), ids: arr(id, MAX_IDS) }),
  obj({ kind: oneOf('query'), query: str(4000), except: arr(id, MAX_IDS) }),
);

const action: Check = checkGalleryBatchAction;

/** Runtime checks of every request and notification the host accepts from the webview. */
export const galleryRequestChecks: {
  [M in keyof GalleryHost['requests'] | keyof GalleryHost['notifications']]: Check;
} = {
  search: obj({ query: str(4000), offset: int(0, 10_000_000), limit: int(0, 2000) }),
  tagFrequencies: obj({ query: str(4000), limit: int(1, 10_000) }),
  details: obj({ id }),
  tagSuggestions: obj({ prefix: str(500), limit: int(1, 200) }),
  fieldValues: obj({ field: oneOf(...VALUE_FIELDS), prefix: str(500), limit: int(1, 200) }),
  previewBatch: obj({ selection, action }),
  applyBatch: obj({ planId: str(100) }),
  undoBatch: obj({}),
  redoBatch: obj({}),
  openImage: obj({ id, query: str(4000) }),
  createProject: obj({ name: str(100), selection }),
  ensureThumbnail: obj({ id }),
  ready: obj({}),
  viewState: obj({
    query: str(4000),
    selected: arr(id, MAX_IDS),
    scrollTop: optional(int(0, Number.MAX_SAFE_INTEGER)),
  }),
};
