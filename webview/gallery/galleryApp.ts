/**
 * tb-gallery: the gallery app. Owns the query, the results (ResultPages), the selection and the
 * focused result, and wires the toolbar, grid, side panels and batch bar to the host. Its state is
 * saved with the webview state API and sent to the host (`viewState`) so that a panel hidden and
 * shown again comes back with the same query, selection and scroll position.
 */
import { LitElement, html, nothing } from 'lit';
import type { PropertyValues, TemplateResult } from 'lit';
import '@vscode-elements/elements/dist/vscode-icon/index.js';
import type { GalleryItem, GalleryView, QueryProblem } from '../../src/protocol/galleryProtocol.ts';
import { unmatchedMessage } from '../../src/shared/queryHint.ts';
import { plural } from '../shared/format.ts';
import { debounce } from '../shared/timing.ts';
import type { VsCodeApi } from '../shared/vscodeApi.ts';
import './batchBar.ts';
import { baseStyles } from '../shared/baseStyles.ts';
import './detailsPanel.ts';
import { galleryAppStyles } from './galleryApp.styles.ts';
import type { GalleryRpc, TagQueryDetail } from './galleryRpc.ts';
import { addTerm, sortOf, tagTerm, withSort } from './queryText.ts';
import type { SortOrder } from './queryText.ts';
import { ResultPages } from './resultPages.ts';
import './searchBar.ts';
import { CELL_SIZES } from './searchBar.ts';
import type { QueryReplace, ShownProblem } from './searchBar.ts';
import { GallerySelection } from './selection.ts';
import type { SelectionState } from './selection.ts';
import './tagPanel.ts';
import './virtualGrid.ts';
import type { GridClick, GridCommand, GridRange, GridSource, VirtualGrid } from './virtualGrid.ts';

/**
 * What the gallery keeps with `vscode.setState`. `dataset`, `query`, `selected` and `scrollTop` are
 * also what the host's panel serializer reads back after a window reload.
 */
export interface GallerySavedState {
  dataset: string;
  query: string;
  selected: number[];
  scrollTop: number;
  selection: SelectionState;
  focusIndex: number;
  cellSize: number;
  detailsOpen: boolean;
  tagsOpen: boolean;
}

type InitParams = GalleryView['notifications']['init'];

/** How a query is run: from the top, or restoring a position, focus and selection. */
interface RunOptions {
  keepSelection?: boolean;
  scrollTop?: number;
  focusIndex?: number;
  focusGrid?: boolean;
}

/** Pause in typing after which the query runs. */
const TYPING_PAUSE_MS = 350;
/** Largest result count whose ids are walked to drop vanished ids from the selection after a change. */
const MAX_PRUNE_SCAN = 20_000;
/** Most ids a selection sent to the host may list. */
const MAX_SELECTION_IDS = 200_000;

/** The gallery app element. */
export class GalleryApp extends LitElement {
  static override styles = [baseStyles, galleryAppStyles];
  static override properties = {
    datasetName: { state: true },
    query: { state: true },
    problem: { state: true },
    selection: { state: true },
    focusIndex: { state: true },
    cellSize: { state: true },
    detailsOpen: { state: true },
    tagsOpen: { state: true },
    version: { state: true },
    refreshKey: { state: true },
    started: { state: true },
    notice: { state: true },
  };

  declare datasetName: string;
  /** The text in the query box. */
  declare query: string;
  declare problem: ShownProblem | null;
  declare selection: GallerySelection;
  declare focusIndex: number;
  declare cellSize: number;
  declare detailsOpen: boolean;
  declare tagsOpen: boolean;
  /** Bumped when what the grid shows changes (results, selection, thumbnails). */
  declare version: number;
  /** Bumped when the index changed, for the panels to load again. */
  declare refreshKey: number;
  declare started: boolean;
  declare notice: string;

  private rpc: GalleryRpc | null = null;
  private api: VsCodeApi<GallerySavedState> | null = null;
  private thumbBase = '';
  private thumbSize = 256;
  private readonly pages: ResultPages;
  private readonly thumbs = new Map<number, 'retrying' | 'retried' | 'broken'>();
  private anchor: number | null = null;
  private scrollOffset = 0;
  private range = { first: 0, last: 0 };
  private querySeq = 0;
  /** Queries being run; a refresh asked for meanwhile waits for them (it would supersede them). */
  private running = 0;
  private refreshPending = false;
  private selectSeq = 0;
  private readonly runSoon = debounce((query: string) => void this.runQuery(query), TYPING_PAUSE_MS);
  private readonly saveSoon = debounce(() => this.saveState(), 250);
  private readonly source: GridSource;
  private sortMemo: { query: string; sort: SortOrder } = { query: '', sort: sortOf('') };

  constructor() {
    super();
    this.datasetName = '';
    this.query = '';
    this.problem = null;
    this.selection = GallerySelection.none;
    this.focusIndex = 0;
    this.cellSize = 160;
    this.detailsOpen = true;
    this.tagsOpen = true;
    this.version = 0;
    this.refreshKey = 0;
    this.started = false;
    this.notice = '';
    this.pages = new ResultPages((query, offset, limit) =>
      this.requireRpc().request('search', { query, offset, limit }),
    );
    this.pages.onChange = () => this.version++;
    const pages = this.pages;
    this.source = {
      get total() {
        return pages.total;
      },
      item: (index) => pages.item(index),
      isSelected: (id) => this.selection.has(id),
      thumbUrl: (item) => this.thumbUrl(item),
    };
  }

  /** Connects the app to the host: call before sending `ready`. */
  connect(rpc: GalleryRpc, api: VsCodeApi<GallerySavedState>): void {
    this.rpc = rpc;
    this.api = api;
    rpc.on('init', (params) => this.onInit(params));
    rpc.on('indexChanged', () => void this.refresh());
    rpc.on('setQuery', ({ query }) => {
      this.query = query;
      void this.runQuery(query);
    });
    window.addEventListener('pagehide', () => this.saveSoon.flush());
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.saveSoon.flush();
    this.runSoon.cancel();
    this.pages.dispose();
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (!this.started) return;
    if (
      ['selection', 'focusIndex', 'cellSize', 'detailsOpen', 'tagsOpen'].some((key) =>
        changed.has(key as keyof GalleryApp),
      )
    )
      this.saveSoon();
  }

  override render(): TemplateResult {
    const total = this.pages.total;
    const count = this.selection.count(total);
    const focused = this.pages.item(this.focusIndex);
    return html`
      <tb-search-bar
        .query=${this.query}
        .rpc=${this.rpc}
        .problem=${this.problem}
        .total=${total}
        .selected=${count}
        .loading=${this.pages.pending}
        .unmatched=${this.query === this.pages.query ? this.pages.unmatched : []}
        .sort=${this.sortOrder()}
        .cellSize=${this.cellSize}
        .detailsOpen=${this.detailsOpen}
        .tagsOpen=${this.tagsOpen}
        @query-input=${this.onQueryInput}
        @query-submit=${this.onQuerySubmit}
        @query-replace=${this.onQueryReplace}
        @sort-change=${this.onSortChange}
        @cell-size-change=${this.onCellSize}
        @toggle-panel=${this.onTogglePanel}
      ></tb-search-bar>
      ${this.notice ? html`<p class="notice muted" role="status">${this.notice}</p>` : nothing}
      <div class="body" @tag-query=${this.onTagQuery}>
        <tb-virtual-grid
          .source=${this.started ? this.source : null}
          .version=${this.version}
          .cellSize=${this.cellSize}
          .focusIndex=${this.focusIndex}
          .label=${`Images in ${this.datasetName || 'the dataset'}: ${plural(total, 'result')}`}
          @grid-range=${this.onRange}
          @grid-click=${this.onGridClick}
          @grid-command=${this.onGridCommand}
          @thumb-error=${this.onThumbError}
        ><span slot="empty">${this.emptyText()}</span></tb-virtual-grid>
        ${
          this.detailsOpen || this.tagsOpen
            ? html`
          <aside aria-label="Side panels">
            ${this.renderSection(
              'details',
              'Details',
              this.detailsOpen,
              html`
              <tb-details-panel .rpc=${this.rpc} .imageId=${focused?.id ?? null} .refreshKey=${this.refreshKey}></tb-details-panel>`,
            )}
            ${this.renderSection(
              'tags',
              'Tags in results',
              this.tagsOpen,
              html`
              <tb-tag-panel .rpc=${this.rpc} .query=${this.pages.pending || this.pages.problem ? null : this.pages.query} .refreshKey=${this.refreshKey}></tb-tag-panel>`,
            )}
          </aside>`
            : nothing
        }
      </div>
      <tb-batch-bar .rpc=${this.rpc} .selection=${this.selection} .count=${count} @batch-applied=${this.onBatchApplied}></tb-batch-bar>
    `;
  }

  private renderSection(panel: 'details' | 'tags', title: string, open: boolean, body: TemplateResult): TemplateResult {
    return html`
      <section aria-label=${title}>
        <button class="plain section-header" aria-expanded=${open ? 'true' : 'false'} @click=${() => this.togglePanel(panel)}>
          <vscode-icon name="chevron-right" aria-hidden="true"></vscode-icon>${title}
        </button>
        ${open ? body : nothing}
      </section>`;
  }

  /** What the grid says when it has no results: fix the query, the closest tags to a term no image has, or that nothing matches. */
  private emptyText(): string {
    if (this.pages.problem) return 'Fix the query to see results.';
    const unmatched = this.pages.unmatched[0];
    return unmatched ? unmatchedMessage(unmatched) : 'No images match this query.';
  }

  /** The order the query box asks for (the same object while the text is the same, so the toolbar does not re-render). */
  private sortOrder(): SortOrder {
    if (this.sortMemo.query !== this.query) this.sortMemo = { query: this.query, sort: sortOf(this.query) };
    return this.sortMemo.sort;
  }

  private requireRpc(): GalleryRpc {
    if (!this.rpc) throw new Error('The gallery is not connected to the host.');
    return this.rpc;
  }

  private thumbUrl(item: GalleryItem): string | null {
    const state = this.thumbs.get(item.id);
    if (state === 'broken') return null;
    const url = `${this.thumbBase}/${item.sha256.slice(0, 2)}/${item.sha256}-${this.thumbSize}.webp`;
    return state === 'retried' ? `${url}?retry=1` : url;
  }

  // ---- boot and host notifications ----

  private onInit(init: InitParams): void {
    performance.mark('tagbench:init');
    const saved = this.api?.getState();
    this.datasetName = init.dataset;
    this.thumbBase = init.thumbBase.replace(/\/+$/, '');
    this.thumbSize = init.thumbSize;
    const wide = window.innerWidth > 600;
    this.cellSize = clampCell(saved?.cellSize ?? 160);
    this.detailsOpen = saved?.detailsOpen ?? wide;
    this.tagsOpen = saved?.tagsOpen ?? wide;
    const same = saved?.query === init.query && saved.selection !== undefined;
    this.selection = same ? GallerySelection.fromState(saved.selection) : GallerySelection.of(init.selected);
    this.query = init.query;
    this.thumbs.clear();
    this.started = true;
    void this.runQuery(init.query, {
      keepSelection: true,
      scrollTop: init.scrollTop,
      focusIndex: same ? (saved.focusIndex ?? 0) : 0,
      focusGrid: true,
    });
  }

  /** Runs `query` from the top (or at a restored position). A malformed query shows its problem and no results. */
  private async runQuery(query: string, options: RunOptions = {}): Promise<void> {
    this.runSoon.cancel();
    this.running++;
    try {
      await this.runQueryNow(query, options);
    } finally {
      this.running--;
      if (this.running === 0 && this.refreshPending) {
        this.refreshPending = false;
        void this.refresh();
      }
    }
  }

  private async runQueryNow(query: string, options: RunOptions): Promise<void> {
    const seq = ++this.querySeq;
    const previous = this.pages.pending ? null : this.pages.query;
    let problem: QueryProblem | null;
    try {
      problem = await this.pages.open(query);
    } catch (err) {
      if (seq === this.querySeq) this.notice = `Search failed: ${(err as Error).message}`;
      return;
    }
    if (seq !== this.querySeq) return;
    performance.mark('tagbench:results');
    this.notice = '';
    this.problem = problem ? { problem, query } : null;
    if (!options.keepSelection && query !== previous) {
      this.selection = GallerySelection.none;
      this.anchor = null;
    }
    this.focusIndex = Math.min(options.focusIndex ?? 0, Math.max(0, this.pages.total - 1));
    this.scrollOffset = options.scrollTop ?? 0;
    this.version++;
    await this.updateComplete;
    const grid = this.grid;
    grid?.scrollToOffset(this.scrollOffset);
    if (options.focusGrid && grid && !this.matches(':focus-within')) grid.focus();
    // A new query reaches the host at once (the process and export questions offer "the gallery's
    // results"); a scroll position is saved a moment later.
    this.saveSoon();
    if (query !== previous) this.saveSoon.flush();
  }

  /** The index changed: the same query again, keeping the scroll position and the selected ids still there. */
  private async refresh(): Promise<void> {
    if (this.running > 0) {
      this.refreshPending = true;
      return;
    }
    if (!this.started || this.pages.pending) return;
    const seq = ++this.querySeq;
    let problem: QueryProblem | null;
    try {
      problem = await this.pages.open(this.pages.query, this.range.first, this.range.last);
    } catch (err) {
      this.notice = `Refreshing failed: ${(err as Error).message}`;
      return;
    }
    if (seq !== this.querySeq) return;
    this.problem = problem ? { problem, query: this.pages.query } : null;
    this.thumbs.clear();
    this.refreshKey++;
    this.focusIndex = Math.min(this.focusIndex, Math.max(0, this.pages.total - 1));
    await this.pruneSelection(seq);
  }

  /** Drops selected ids that are no longer among the results (when that can be checked cheaply). */
  private async pruneSelection(seq: number): Promise<void> {
    const listed = this.selection.listedIds();
    if (listed.length === 0) return;
    const total = this.pages.total;
    const loaded = new Set<number>();
    for (let i = this.range.first; i <= this.range.last; i++) {
      const item = this.pages.item(i);
      if (item) loaded.add(item.id);
    }
    if (listed.every((id) => loaded.has(id))) return;
    if (total > MAX_PRUNE_SCAN) return;
    const ids = total === 0 ? [] : await this.pages.idsBetween(0, total - 1);
    if (!ids || seq !== this.querySeq) return;
    const present = new Set(ids);
    this.selection = this.selection.filter((id) => present.has(id));
    this.version++;
  }

  private saveState(): void {
    if (!this.started || !this.api || !this.rpc) return;
    const query = this.pages.pending ? this.query : this.pages.query;
    const selection = this.selection.toState();
    const selected = selection.kind === 'ids' ? selection.ids.slice(0, MAX_SELECTION_IDS) : [];
    this.api.setState({
      dataset: this.datasetName,
      query,
      selected,
      scrollTop: this.scrollOffset,
      selection,
      focusIndex: this.focusIndex,
      cellSize: this.cellSize,
      detailsOpen: this.detailsOpen,
      tagsOpen: this.tagsOpen,
    });
    if (query.length <= 4000) this.rpc.notify('viewState', { query, selected, scrollTop: this.scrollOffset });
  }

  private get grid(): VirtualGrid | null {
    return this.renderRoot.querySelector('tb-virtual-grid');
  }

  // ---- toolbar ----

  private onQueryInput(event: CustomEvent<{ query: string }>): void {
    this.query = event.detail.query;
    if (this.query !== this.pages.query || this.problem) this.runSoon(this.query);
    else this.runSoon.cancel();
  }

  private onQuerySubmit(event: CustomEvent<{ query: string }>): void {
    this.query = event.detail.query;
    void this.runQuery(this.query);
  }

  /** A suggested tag replaces the term it was suggested for (`blo` becomes `blonde_hair`), and the query runs. */
  private onQueryReplace(event: CustomEvent<QueryReplace>): void {
    const { position, length, text } = event.detail;
    this.query = this.query.slice(0, position) + text + this.query.slice(position + length);
    void this.runQuery(this.query);
  }

  private onSortChange(event: CustomEvent<SortOrder>): void {
    this.query = withSort(this.query, event.detail);
    void this.runQuery(this.query);
  }

  private onCellSize(event: CustomEvent<{ size: number }>): void {
    this.cellSize = clampCell(event.detail.size);
  }

  private onTogglePanel(event: CustomEvent<{ panel: 'details' | 'tags' }>): void {
    this.togglePanel(event.detail.panel);
  }

  private togglePanel(panel: 'details' | 'tags'): void {
    if (panel === 'details') this.detailsOpen = !this.detailsOpen;
    else this.tagsOpen = !this.tagsOpen;
  }

  private onTagQuery(event: CustomEvent<TagQueryDetail>): void {
    const term = `${event.detail.exclude ? '-' : ''}${tagTerm(event.detail.tag)}`;
    this.query = addTerm(this.query, term);
    void this.runQuery(this.query);
  }

  private onBatchApplied(): void {
    void this.refresh();
  }

  // ---- grid ----

  private onRange(event: CustomEvent<GridRange>): void {
    const { first, last, scrollTop } = event.detail;
    this.range = { first, last };
    this.pages.want(first, last);
    if (scrollTop !== this.scrollOffset) {
      this.scrollOffset = scrollTop;
      this.saveSoon();
    }
  }

  private onGridClick(event: CustomEvent<GridClick>): void {
    const { index, toggle, extend } = event.detail;
    const item = this.pages.item(index);
    const from = this.anchor ?? this.focusIndex;
    this.focusIndex = index;
    this.grid?.focus();
    if (!item) return;
    if (extend) {
      this.anchor = from;
      void this.selectRange(from, index, toggle);
    } else if (toggle) {
      this.anchor = index;
      this.setSelection(this.selection.toggle(item.id));
    } else {
      this.anchor = index;
      this.setSelection(GallerySelection.of([item.id]));
    }
  }

  private onGridCommand(event: CustomEvent<GridCommand>): void {
    const command = event.detail;
    switch (command.kind) {
      case 'move': {
        const from = this.focusIndex;
        this.focusIndex = command.index;
        if (command.extend) {
          this.anchor ??= from;
          void this.selectRange(this.anchor, command.index, false);
        }
        return;
      }
      case 'toggle': {
        const item = this.pages.item(command.index);
        if (!item) return;
        this.anchor = command.index;
        this.setSelection(this.selection.toggle(item.id));
        return;
      }
      case 'selectAll':
        this.setSelection(GallerySelection.all(this.pages.query));
        return;
      case 'clear':
        this.anchor = null;
        this.selectSeq++;
        this.setSelection(GallerySelection.none);
        return;
      case 'open': {
        const item = this.pages.item(command.index);
        if (item && this.rpc)
          void this.rpc
            .request('openImage', { id: item.id, query: this.pages.query })
            .catch((err: Error) => (this.notice = `Could not open the image: ${err.message}`));
      }
    }
  }

  /** Selects results `from`..`to` (added to the selection when `add`), fetching ids of pages not loaded. */
  private async selectRange(from: number, to: number, add: boolean): Promise<void> {
    const seq = ++this.selectSeq;
    if (Math.abs(to - from) + 1 > MAX_SELECTION_IDS) {
      this.notice = `A range selection can hold at most ${plural(MAX_SELECTION_IDS, 'image')}; use Ctrl+A to select all results.`;
      return;
    }
    const ids = await this.pages.idsBetween(from, to);
    if (!ids || seq !== this.selectSeq) return;
    this.setSelection(add ? this.selection.add(ids) : GallerySelection.of(ids));
  }

  private setSelection(selection: GallerySelection): void {
    this.selection = selection;
    this.version++;
  }

  private async onThumbError(event: CustomEvent<{ id: number }>): Promise<void> {
    const { id } = event.detail;
    const state = this.thumbs.get(id);
    if (state === 'retrying' || state === 'broken') return;
    if (state === 'retried' || !this.rpc) {
      this.thumbs.set(id, 'broken');
      this.version++;
      return;
    }
    this.thumbs.set(id, 'retrying');
    let made: boolean;
    try {
      made = await this.rpc.request('ensureThumbnail', { id });
    } catch {
      made = false;
    }
    this.thumbs.set(id, made ? 'retried' : 'broken');
    this.version++;
  }
}

function clampCell(size: number): number {
  return Math.min(CELL_SIZES.max, Math.max(CELL_SIZES.min, Math.round(size) || 160));
}

customElements.define('tb-gallery', GalleryApp);

declare global {
  interface HTMLElementTagNameMap {
    'tb-gallery': GalleryApp;
  }
}
