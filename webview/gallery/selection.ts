/**
 * The gallery's selection: a set of image ids, or every result of a query except some ids (what
 * Ctrl+A makes, without fetching the ids of every result).
 */
import type { Selection } from '../../src/protocol/galleryProtocol.ts';

/** How a selection is kept, and saved in the webview state. */
export type SelectionState = { kind: 'ids'; ids: number[] } | { kind: 'query'; query: string; except: number[] };

/** A selection of gallery results. Immutable: every change makes a new one. */
export class GallerySelection {
  private readonly kind: 'ids' | 'query';
  private readonly query: string;
  /** The selected ids, or in 'query' mode the ids left out. */
  private readonly ids: ReadonlySet<number>;

  private constructor(kind: 'ids' | 'query', query: string, ids: ReadonlySet<number>) {
    this.kind = kind;
    this.query = query;
    this.ids = ids;
  }

  /** Nothing selected. */
  static readonly none = new GallerySelection('ids', '', new Set());

  /** These ids. */
  static of(ids: Iterable<number>): GallerySelection {
    return new GallerySelection('ids', '', new Set(ids));
  }

  /** Every result of `query`. */
  static all(query: string): GallerySelection {
    return new GallerySelection('query', query, new Set());
  }

  /** A selection from its saved state. */
  static fromState(state: SelectionState): GallerySelection {
    return state.kind === 'ids'
      ? GallerySelection.of(state.ids)
      : new GallerySelection('query', state.query, new Set(state.except));
  }

  /** True when this is "all results of a query". */
  get isAll(): boolean {
    return this.kind === 'query';
  }

  /** True when nothing can be selected by it. */
  isEmpty(total: number): boolean {
    return this.count(total) === 0;
  }

  /** How many images are selected, out of `total` results of the current query. */
  count(total: number): number {
    return this.kind === 'ids' ? this.ids.size : Math.max(0, total - this.ids.size);
  }

  /** Whether the image `id` is selected. */
  has(id: number): boolean {
    return this.kind === 'ids' ? this.ids.has(id) : !this.ids.has(id);
  }

  /** The selection with `id` flipped. */
  toggle(id: number): GallerySelection {
    const ids = new Set(this.ids);
    if (ids.has(id)) ids.delete(id);
    else ids.add(id);
    return new GallerySelection(this.kind, this.query, ids);
  }

  /** The selection plus `ids`. */
  add(ids: Iterable<number>): GallerySelection {
    const next = new Set(this.ids);
    for (const id of ids) {
      if (this.kind === 'ids') next.add(id);
      else next.delete(id);
    }
    return new GallerySelection(this.kind, this.query, next);
  }

  /** Only the listed ids that pass `keep` stay selected (in 'query' mode, only such exceptions stay). */
  filter(keep: (id: number) => boolean): GallerySelection {
    return new GallerySelection(this.kind, this.query, new Set([...this.ids].filter(keep)));
  }

  /** The listed ids: the selected ones, or in 'query' mode the exceptions. */
  listedIds(): number[] {
    return [...this.ids];
  }

  /** The selection as the host takes it. */
  toProtocol(): Selection {
    return this.kind === 'ids'
      ? { kind: 'ids', ids: [...this.ids] }
      : { kind: 'query', query: this.query, except: [...this.ids] };
  }

  /** The selection as saved in the webview state. */
  toState(): SelectionState {
    return this.kind === 'ids'
      ? { kind: 'ids', ids: [...this.ids] }
      : { kind: 'query', query: this.query, except: [...this.ids] };
  }
}
