/**
 * The results of the current query, fetched from the host a page at a time as the grid needs them:
 * the pages in view plus one page either side, and while the view glides (wheel, keys, a fling)
 * one more ahead in its direction, so it finds its results there. Fast scrolling (a scrollbar drag) waits to settle so only
 * the final viewport's pages are fetched; at most MAX_PAGES pages are kept, the farthest from the
 * view dropped.
 */
import type { GalleryItem, GalleryPage, QueryProblem } from '../../src/protocol/galleryProtocol.ts';
import type { UnmatchedTerm } from '../../src/shared/queryHint.ts';

/** Fetches `limit` results of `query` from `offset`. */
export type SearchFn = (query: string, offset: number, limit: number) => Promise<GalleryPage | { error: QueryProblem }>;

/** Results per page request. */
export const PAGE_SIZE = 200;
/** Pages kept in memory (6,000 results). */
const MAX_PAGES = 30;
/** Page requests in flight at once. */
const MAX_IN_FLIGHT = 3;
/** How long the viewport must rest (and for at least two frames) before its missing pages are fetched after a fast move. */
const SETTLE_MS = 60;
const SETTLE_FRAMES = 2;
/** Largest page the host accepts, used when collecting ids for a range selection. */
const MAX_LIMIT = 2000;

/** A query's results, paged in on demand. */
export class ResultPages {
  /** The query the results belong to. */
  query = '';
  /** Number of results. */
  total = 0;
  /** True until the first results of a query have arrived. */
  pending = true;
  /** Why the query has no results because it is malformed (then there are none), or null. */
  problem: QueryProblem | null = null;
  /** The query's tag terms no image has, with the closest tags (from its first page). */
  unmatched: UnmatchedTerm[] = [];
  /** Called whenever results arrive or change. */
  onChange: () => void = () => {};
  private readonly search: SearchFn;
  private pages = new Map<number, GalleryItem[]>();
  private readonly loading = new Set<number>();
  /** Bumped each time a new set of results is installed; answers for older ones are dropped. */
  private generation = 0;
  private openSeq = 0;
  private wanted = { first: 0, last: 0 };
  /** Which way the view last moved (1 down, -1 up), and whether slowly (wheel, keys, a fling): then one more page ahead is fetched. */
  private direction: 1 | -1 = 1;
  private gliding = false;
  /** While waiting for the view to rest after a fast move: the frame callback, when it last moved, and whether it moved since the last frame. */
  private settle: { frame: number; movedAt: number; moved: boolean; quiet: number } | null = null;

  constructor(search: SearchFn) {
    this.search = search;
  }

  /** The result at `index`, or undefined while its page is not loaded. */
  item(index: number): GalleryItem | undefined {
    return this.pages.get(Math.floor(index / PAGE_SIZE))?.[index % PAGE_SIZE];
  }

  /** Number of pages held (for tests and diagnostics). */
  get pagesHeld(): number {
    return this.pages.size;
  }

  /**
   * Runs `query`, fetching the pages that hold results `first`..`last` before showing any of them
   * (so a refresh does not flash placeholders). Resolves to the problem of a malformed query, in
   * which case there are no results (none are shown for a query that is not valid); to null
   * otherwise (also when a later call superseded it).
   */
  async open(query: string, first = 0, last = first): Promise<QueryProblem | null> {
    const seq = ++this.openSeq;
    const indices = pageRange(first, last);
    const results = await Promise.all(indices.map((p) => this.search(query, p * PAGE_SIZE, PAGE_SIZE)));
    if (seq !== this.openSeq) return null;
    const problem = results.find((r): r is { error: QueryProblem } => 'error' in r)?.error ?? null;
    this.generation++;
    this.cancelTimer();
    this.loading.clear();
    this.pages = new Map();
    this.query = query;
    this.problem = problem;
    this.pending = false;
    this.wanted = { first, last };
    if (problem) {
      this.total = 0;
      this.unmatched = [];
      this.onChange();
      return problem;
    }
    const pages = results as GalleryPage[];
    this.total = pages[0]!.total;
    this.unmatched = pages.find((page) => page.offset === 0)?.unmatched ?? (indices[0] === 0 ? [] : this.unmatched);
    indices.forEach((p, i) => this.pages.set(p, pages[i]!.items));
    this.onChange();
    this.fill();
    return null;
  }

  /**
   * The grid shows results `first`..`last`. Missing pages are fetched at once while the view moves
   * slowly (less than a page since the last call: wheel or keys, so the page ahead arrives in time),
   * and only once it rests when it moves fast (a scrollbar drag), so passing pages are never fetched.
   * Resting is counted in frames as well as time, so on a slow machine the time between two frames
   * of one drag is not taken for a rest.
   */
  want(first: number, last: number): void {
    const slow = Math.abs(first - this.wanted.first) < PAGE_SIZE;
    if (first !== this.wanted.first) this.direction = first > this.wanted.first ? 1 : -1;
    this.gliding = slow && first !== this.wanted.first;
    this.wanted = { first, last };
    if (slow) {
      this.cancelTimer();
      this.fill();
      return;
    }
    if (this.settle) Object.assign(this.settle, { movedAt: performance.now(), moved: true, quiet: 0 });
    if (this.missing().length === 0 || this.settle) return;
    const settle = { frame: 0, movedAt: performance.now(), moved: false, quiet: 0 };
    const tick = (): void => {
      if (this.settle !== settle) return;
      if (settle.moved) Object.assign(settle, { moved: false, quiet: 0 });
      else settle.quiet++;
      if (settle.quiet >= SETTLE_FRAMES && performance.now() - settle.movedAt >= SETTLE_MS) {
        this.settle = null;
        this.fill();
        return;
      }
      settle.frame = requestAnimationFrame(tick);
    };
    this.settle = settle;
    settle.frame = requestAnimationFrame(tick);
  }

  /** Ids of results `from`..`to` (inclusive), from loaded pages and the host; null if the results changed meanwhile. */
  async idsBetween(from: number, to: number): Promise<number[] | null> {
    const generation = this.generation;
    const lo = Math.max(0, Math.min(from, to));
    const hi = Math.min(this.total - 1, Math.max(from, to));
    const ids: number[] = [];
    let index = lo;
    while (index <= hi) {
      const item = this.item(index);
      if (item) {
        ids.push(item.id);
        index++;
        continue;
      }
      let end = index;
      while (end < hi && end - index + 1 < MAX_LIMIT && !this.item(end + 1)) end++;
      const page = await this.search(this.query, index, end - index + 1);
      if (generation !== this.generation || 'error' in page) return null;
      for (const it of page.items) ids.push(it.id);
      if (page.items.length < end - index + 1) return ids;
      index = end + 1;
    }
    return ids;
  }

  /** Stops pending work (the webview is going away or the query is being replaced). */
  dispose(): void {
    this.cancelTimer();
    this.generation++;
    this.openSeq++;
  }

  /** Pages of the wanted range not loaded nor loading: visible ones first, then the next one ahead, then behind, then one more ahead. */
  private missing(): number[] {
    const visible = pageRange(this.wanted.first, this.wanted.last);
    const lastPage = Math.max(0, Math.ceil(this.total / PAGE_SIZE) - 1);
    const [top, bottom] = [visible[0]!, visible[visible.length - 1]!];
    const ahead = this.direction > 0 ? [bottom + 1, top - 1, bottom + 2] : [top - 1, bottom + 1, top - 2];
    const around = ahead.slice(0, this.gliding ? 3 : 2).filter((p) => p >= 0 && p <= lastPage);
    return [...visible, ...around].filter((p) => p <= lastPage && !this.pages.has(p) && !this.loading.has(p));
  }

  private fill(): void {
    if (this.pending) return;
    for (const p of this.missing()) {
      if (this.loading.size >= MAX_IN_FLIGHT) break;
      void this.load(p);
    }
  }

  private async load(p: number): Promise<void> {
    const generation = this.generation;
    this.loading.add(p);
    let result: GalleryPage | { error: QueryProblem } | undefined;
    try {
      result = await this.search(this.query, p * PAGE_SIZE, PAGE_SIZE);
    } catch (err) {
      console.warn(`Could not load results: ${(err as Error).message}`);
    }
    if (generation !== this.generation) return;
    this.loading.delete(p);
    if (!result || 'error' in result) return;
    this.pages.set(p, result.items);
    this.total = result.total;
    this.evict();
    this.onChange();
    if (!this.settle) this.fill();
  }

  private evict(): void {
    if (this.pages.size <= MAX_PAGES) return;
    const center = Math.floor((this.wanted.first + this.wanted.last) / 2 / PAGE_SIZE);
    const byDistance = [...this.pages.keys()].sort((a, b) => Math.abs(b - center) - Math.abs(a - center));
    for (const p of byDistance.slice(0, this.pages.size - MAX_PAGES)) this.pages.delete(p);
  }

  private cancelTimer(): void {
    if (this.settle) cancelAnimationFrame(this.settle.frame);
    this.settle = null;
  }
}

function pageRange(first: number, last: number): number[] {
  const from = Math.floor(Math.max(0, first) / PAGE_SIZE);
  const to = Math.max(from, Math.floor(Math.max(0, last) / PAGE_SIZE));
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}
