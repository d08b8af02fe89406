/** Search results as every front shows them: pages of images, tag frequencies, and a malformed query's problem. */
import type { UnmatchedTerm } from './queryHint.ts';

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
