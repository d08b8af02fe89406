/**
 * tb-virtual-grid: a virtualized grid of thumbnails, each with its file name and the start of its
 * caption (the full path, size and caption on hover). Only the rows in view (plus OVERSCAN rows
 * either side) are in the DOM; a spacer gives the scroller the full height. Row elements are
 * recycled: each row of results goes to the slot `row % slots`, and slots keep their order, so a
 * scroll step changes the content of the rows that came into view and moves nothing else (a
 * thumbnail element is made anew only when its image changes, so a recycled cell never shows the
 * image of the result before), and a row is rendered again only when it or the results changed.
 * While the view moves fast (a fling, a scrollbar drag) cells coming into view get their name and
 * caption but no thumbnail yet: thumbnails load once it slows down or stops, so passing cells cost
 * no image loads. Focus stays on the grid element and `aria-activedescendant` names the focused
 * cell, so cells can come and go. It owns layout, scrolling and keys; what a click or
 * key means for the selection is the app's.
 */
import { LitElement, html, nothing } from 'lit';
import type { PropertyValues, TemplateResult } from 'lit';
import { guard } from 'lit/directives/guard.js';
import { ifDefined } from 'lit/directives/if-defined.js';
import { keyed } from 'lit/directives/keyed.js';
import type { GalleryItem } from '../../src/protocol/galleryProtocol.ts';
import { emit } from '../shared/events.ts';
import { styleProps } from '../shared/styleProps.ts';
import { virtualGridStyles } from './virtualGrid.styles.ts';

/** What the grid shows: the results and how each looks. */
export interface GridSource {
  readonly total: number;
  item(index: number): GalleryItem | undefined;
  isSelected(id: number): boolean;
  /** The thumbnail URL, or null when there is none to show. */
  thumbUrl(item: GalleryItem): string | null;
}

/** A keyboard or double-click command on the grid. */
export type GridCommand =
  | { kind: 'move'; index: number; extend: boolean }
  | { kind: 'toggle'; index: number }
  | { kind: 'selectAll' }
  | { kind: 'clear' }
  | { kind: 'open'; index: number };

/** A click on a cell. */
export interface GridClick {
  index: number;
  toggle: boolean;
  extend: boolean;
}

/** The results in view, and the scroll offset. */
export interface GridRange {
  first: number;
  last: number;
  scrollTop: number;
}

interface Metrics {
  cols: number;
  /** The thumbnail's width and height. */
  cell: number;
  /** The cell's height: the thumbnail and its text. */
  cellHeight: number;
  rowHeight: number;
  rows: number;
  height: number;
  /** Row elements kept: the most rows a window can hold. */
  slots: number;
}

const PAD = 4;
const GAP = 4;
const OVERSCAN = 2;
/** Height of a cell's text under its thumbnail: the file name and the caption's start, a line each. */
export const CELL_TEXT_HEIGHT = 32;
/** Characters of a caption a cell shows (the rest is cut by the cell's width anyway). */
const CAPTION_START = 160;
/** Characters of a caption the hover text shows. */
const CAPTION_HOVER = 1000;
/** Scrolling faster than this (px per ms: about three 900 px screens a second) defers new thumbnails. */
const FAST_PX_PER_MS = 2.5;
/** How long the view must move slower, or rest, before deferred thumbnails load. */
const SLOW_AFTER_MS = 90;

/** The thumbnail grid. */
export class VirtualGrid extends LitElement {
  static override styles = virtualGridStyles;
  static override properties = {
    source: { attribute: false },
    version: { type: Number },
    cellSize: { type: Number },
    focusIndex: { type: Number },
    label: { type: String },
  };

  declare source: GridSource | null;
  /** Bump to re-render after the source's data changed. */
  declare version: number;
  declare cellSize: number;
  declare focusIndex: number;
  declare label: string;

  private width = 0;
  private height = 0;
  private offset = 0;
  /** True while the view moves fast: cells coming into view get no thumbnail yet. */
  private fast = false;
  private lastScroll = { at: 0, offset: 0 };
  private slowTimer: ReturnType<typeof setTimeout> | undefined;
  private fastUntil = 0;
  /** Indexes of the cells that show a thumbnail element (kept while the view moves fast). */
  private readonly withImage = new Set<number>();
  private renderedRows = { first: -1, last: -1 };
  private pendingScrollTop: number | null = null;
  private anchorIndex: number | null = null;
  private resizeObserver: ResizeObserver | undefined;

  constructor() {
    super();
    this.source = null;
    this.version = 0;
    this.cellSize = 160;
    this.focusIndex = 0;
    this.label = 'Images';
  }

  private get scroller(): HTMLElement | null {
    return this.renderRoot.querySelector('.scroller');
  }

  /** Number of columns at the current width. */
  get columns(): number {
    return this.metrics().cols;
  }

  /** Scrolls to `px` from the top once the grid has its height (restoring a saved position). */
  scrollToOffset(px: number): void {
    this.pendingScrollTop = Math.max(0, px);
    this.anchorIndex = null;
    this.requestUpdate();
  }

  /** Scrolls just enough to show result `index`. */
  reveal(index: number): void {
    const scroller = this.scroller;
    if (!scroller || this.height === 0) return;
    const m = this.metrics();
    const top = PAD + Math.floor(index / m.cols) * m.rowHeight;
    let next = this.offset;
    if (top < next) next = Math.max(0, top - PAD);
    else if (top + m.cellHeight > next + this.height) next = top + m.cellHeight + PAD - this.height;
    if (next !== this.offset) {
      scroller.scrollTop = next;
      this.offset = scroller.scrollTop;
      this.requestUpdate();
    }
  }

  /** Focuses the grid. */
  override focus(): void {
    this.scroller?.focus();
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.resizeObserver ??= new ResizeObserver(() => this.measure());
    if (this.hasUpdated && this.scroller) this.resizeObserver.observe(this.scroller);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.resizeObserver?.disconnect();
    clearTimeout(this.slowTimer);
  }

  protected override firstUpdated(): void {
    const scroller = this.scroller!;
    this.resizeObserver?.observe(scroller);
    scroller.addEventListener('scroll', this.onScroll, { passive: true });
    scroller.addEventListener('error', this.onImageError, true);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    const previous = changed.get('cellSize');
    if (changed.has('cellSize') && previous !== undefined && this.pendingScrollTop === null) {
      this.anchorIndex ??= this.firstVisibleIndex(this.metrics(previous));
    }
  }

  protected override updated(): void {
    const scroller = this.scroller;
    if (!scroller || this.height === 0) return;
    const m = this.metrics();
    let target: number | null = null;
    if (this.pendingScrollTop !== null && (this.source?.total ?? 0) > 0) {
      target = this.pendingScrollTop;
      this.pendingScrollTop = null;
    } else if (this.anchorIndex !== null) {
      target = PAD + Math.floor(this.anchorIndex / m.cols) * m.rowHeight - PAD;
      this.anchorIndex = null;
    }
    if (target !== null) {
      scroller.scrollTop = target;
      this.offset = scroller.scrollTop;
    }
    if (this.windowChanged(m)) this.requestUpdate();
    else if (target !== null) this.emitRange(m);
  }

  override render(): TemplateResult {
    const total = this.source?.total ?? 0;
    const m = this.metrics();
    const { first, last } = this.rowWindow(m);
    this.renderedRows = { first, last };
    // Row r lives in slot r % slots; slots stay in order, so Lit reuses each slot's elements.
    const slots: (number | null)[] = Array.from({ length: this.height > 0 ? m.slots : 0 }, () => null);
    if (this.height > 0) for (let r = first; r <= last; r++) slots[r % m.slots] = r;
    for (const index of this.withImage)
      if (index < first * m.cols || index >= (last + 1) * m.cols) this.withImage.delete(index);
    const focusRow = Math.floor(this.focusIndex / m.cols);
    const focused =
      total > 0 && first <= Math.floor(this.focusIndex / m.cols) && Math.floor(this.focusIndex / m.cols) <= last;
    const vars = {
      '--cols': String(m.cols),
      '--cell': `${m.cell}px`,
      '--cell-height': `${m.cellHeight}px`,
      '--gap': `${GAP}px`,
      '--pad': `${PAD}px`,
    };
    return html`
      <div
        class="scroller"
        role="grid"
        tabindex="0"
        aria-label=${this.label}
        aria-multiselectable="true"
        aria-rowcount=${m.rows}
        aria-colcount=${m.cols}
        aria-activedescendant=${ifDefined(focused ? `cell-${this.focusIndex}` : undefined)}
        ${styleProps(vars)}
        @keydown=${this.onKeyDown}
        @click=${this.onClick}
        @dblclick=${this.onDoubleClick}
      >
        <div class="spacer" aria-hidden="true" ${styleProps({ height: `${m.height}px` })}></div>
        ${slots.map((r) =>
          guard(
            [
              r,
              this.source,
              this.version,
              r === focusRow ? this.focusIndex : -1,
              this.fast,
              m.cols,
              m.rowHeight,
              total,
            ],
            () => this.renderRow(r, m, total),
          ),
        )}
      </div>
      ${total === 0 && this.source ? html`<div class="empty" role="status"><slot name="empty">No images</slot></div>` : nothing}
    `;
  }

  /** A row of cells; a slot with no row in the window keeps its element, hidden and empty, for the next row it gets. */
  private renderRow(row: number | null, m: Metrics, total: number): TemplateResult {
    const cells: TemplateResult[] = [];
    if (row !== null) {
      const start = row * m.cols;
      const end = Math.min(total, start + m.cols);
      for (let index = start; index < end; index++) cells.push(this.renderCell(index, index - start));
    }
    return html`<div class="row" role="row" ?hidden=${row === null} aria-rowindex=${ifDefined(row === null ? undefined : row + 1)}
      ${styleProps({ transform: `translateY(${PAD + (row ?? 0) * m.rowHeight}px)` })}>${cells}</div>`;
  }

  private renderCell(index: number, column: number): TemplateResult {
    const source = this.source!;
    const item = source.item(index);
    const url = item ? source.thumbUrl(item) : null;
    const selected = item ? source.isSelected(item.id) : false;
    const name = item ? item.path.slice(item.path.lastIndexOf('/') + 1) : 'Loading';
    const caption = item?.caption?.trim() ?? '';
    const image = url !== null && (!this.fast || this.withImage.has(index));
    if (image) this.withImage.add(index);
    else this.withImage.delete(index);
    const classes = `cell${index === this.focusIndex ? ' focused' : ''}${item && url === null ? ' broken' : ''}`;
    // A new <img> per image (keyed): a recycled cell shows nothing, never the image it had before,
    // until its own is decoded (off the main thread: decoding="async").
    return html`<div
      class=${classes}
      role="gridcell"
      id="cell-${index}"
      aria-colindex=${column + 1}
      aria-selected=${selected ? 'true' : 'false'}
      aria-label=${name}
      aria-busy=${item ? 'false' : 'true'}
      title=${ifDefined(item ? hoverText(item.path, item.width, item.height, caption) : undefined)}
      data-index=${index}
    ><div class="thumb">${image ? keyed(url, html`<img src=${url} alt="" decoding="async" draggable="false" data-id=${item!.id} />`) : nothing}</div
    ><div class="text" aria-hidden="true"><span class="name">${item ? name : ''}</span><span class=${caption ? 'caption' : 'caption none'}
    >${item ? (caption ? caption.slice(0, CAPTION_START) : 'No caption') : ''}</span></div></div>`;
  }

  private metrics(cellSize = this.cellSize): Metrics {
    const inner = Math.max(0, this.width - 2 * PAD);
    const cols = Math.max(1, Math.floor((inner + GAP) / (cellSize + GAP)));
    const cell = Math.max(16, Math.floor((inner - GAP * (cols - 1)) / cols));
    const cellHeight = cell + CELL_TEXT_HEIGHT;
    const rowHeight = cellHeight + GAP;
    const rows = Math.ceil((this.source?.total ?? 0) / cols);
    const slots = Math.ceil(this.height / rowHeight) + 2 * OVERSCAN + 2;
    return {
      cols,
      cell,
      cellHeight,
      rowHeight,
      rows,
      height: rows === 0 ? 0 : rows * rowHeight - GAP + 2 * PAD,
      slots,
    };
  }

  /** The rows to render: those in view plus the overscan. */
  private rowWindow(m: Metrics): { first: number; last: number } {
    if (m.rows === 0) return { first: 0, last: -1 };
    const first = Math.max(0, Math.floor((this.offset - PAD) / m.rowHeight) - OVERSCAN);
    const last = Math.min(m.rows - 1, Math.floor((this.offset + this.height - PAD) / m.rowHeight) + OVERSCAN);
    return { first, last };
  }

  private firstVisibleIndex(m: Metrics): number {
    return Math.max(0, Math.floor((this.offset - PAD + m.rowHeight - 1) / m.rowHeight)) * m.cols;
  }

  private windowChanged(m: Metrics): boolean {
    const { first, last } = this.rowWindow(m);
    return first !== this.renderedRows.first || last !== this.renderedRows.last;
  }

  private measure(): void {
    const scroller = this.scroller;
    if (!scroller) return;
    const width = scroller.clientWidth;
    const height = scroller.clientHeight;
    if (width === this.width && height === this.height) return;
    if (width !== this.width && this.width > 0 && this.pendingScrollTop === null) {
      this.anchorIndex ??= this.firstVisibleIndex(this.metrics());
    }
    this.width = width;
    this.height = height;
    this.requestUpdate();
    this.emitRange(this.metrics());
  }

  private readonly onScroll = (): void => {
    const scroller = this.scroller!;
    this.offset = scroller.scrollTop;
    this.trackSpeed();
    const m = this.metrics();
    if (this.windowChanged(m)) this.requestUpdate();
    this.emitRange(m);
  };

  /** Notes how fast the view moves; once fast, thumbnails wait until it has been slow (or still) for SLOW_AFTER_MS. */
  private trackSpeed(): void {
    const now = performance.now();
    const speed = Math.abs(this.offset - this.lastScroll.offset) / Math.max(1, now - this.lastScroll.at);
    this.lastScroll = { at: now, offset: this.offset };
    if (speed <= FAST_PX_PER_MS) return;
    this.fast = true;
    this.fastUntil = now + SLOW_AFTER_MS;
    if (this.slowTimer === undefined) this.slowTimer = setTimeout(this.checkSlow, SLOW_AFTER_MS);
  }

  /** Once the view has not moved fast for SLOW_AFTER_MS, shows the thumbnails it deferred (one timer, re-armed as needed). */
  private readonly checkSlow = (): void => {
    const left = this.fastUntil - performance.now();
    if (left > 0) {
      this.slowTimer = setTimeout(this.checkSlow, left);
      return;
    }
    this.slowTimer = undefined;
    this.fast = false;
    this.requestUpdate();
  };

  private emitRange(m: Metrics): void {
    if (this.height === 0) return;
    const total = this.source?.total ?? 0;
    const first = Math.max(0, Math.floor((this.offset - PAD) / m.rowHeight)) * m.cols;
    const last = Math.min(total - 1, (Math.floor((this.offset + this.height - PAD) / m.rowHeight) + 1) * m.cols - 1);
    emit<GridRange>(this, 'grid-range', { first, last: Math.max(first, last), scrollTop: Math.round(this.offset) });
  }

  private readonly onImageError = (event: Event): void => {
    const img = event.target;
    if (!(img instanceof HTMLImageElement) || !img.dataset.id) return;
    emit<{ id: number }>(this, 'thumb-error', { id: Number(img.dataset.id) });
  };

  private onClick(event: MouseEvent): void {
    const index = cellIndex(event);
    if (index === null) return;
    emit<GridClick>(this, 'grid-click', { index, toggle: event.ctrlKey || event.metaKey, extend: event.shiftKey });
  }

  private onDoubleClick(event: MouseEvent): void {
    const index = cellIndex(event);
    if (index !== null) emit<GridCommand>(this, 'grid-command', { kind: 'open', index });
  }

  private onKeyDown(event: KeyboardEvent): void {
    const total = this.source?.total ?? 0;
    if (total === 0) return;
    const m = this.metrics();
    const current = Math.min(Math.max(0, this.focusIndex), total - 1);
    const pageRows = Math.max(1, Math.floor(this.height / m.rowHeight));
    const mod = event.ctrlKey || event.metaKey;
    let command: GridCommand | null = null;
    const move = (index: number): GridCommand => ({
      kind: 'move',
      index: Math.min(total - 1, Math.max(0, index)),
      extend: event.shiftKey,
    });
    switch (event.key) {
      case 'ArrowLeft':
        command = move(current - 1);
        break;
      case 'ArrowRight':
        command = move(current + 1);
        break;
      case 'ArrowUp':
        command = current - m.cols >= 0 ? move(current - m.cols) : move(current);
        break;
      case 'ArrowDown':
        command = current + m.cols < total ? move(current + m.cols) : move(current);
        break;
      case 'PageUp':
        command = move(current - pageRows * m.cols);
        break;
      case 'PageDown':
        command = move(Math.min(current + pageRows * m.cols, total - 1));
        break;
      case 'Home':
        command = move(0);
        break;
      case 'End':
        command = move(total - 1);
        break;
      case ' ':
        command = { kind: 'toggle', index: current };
        break;
      case 'Enter':
        command = { kind: 'open', index: current };
        break;
      case 'Escape':
        command = { kind: 'clear' };
        break;
      case 'a':
      case 'A':
        if (mod && !event.altKey) command = { kind: 'selectAll' };
        break;
    }
    if (!command) return;
    event.preventDefault();
    if (command.kind === 'move') this.reveal(command.index);
    emit<GridCommand>(this, 'grid-command', command);
  }
}

/** A cell's hover text: path, size and the caption (up to CAPTION_HOVER characters). */
function hoverText(path: string, width: number, height: number, caption: string): string {
  const text = caption.length > CAPTION_HOVER ? `${caption.slice(0, CAPTION_HOVER)}…` : caption;
  return `${path}\n${width} × ${height}${text ? `\n\n${text}` : '\n\nNo caption'}`;
}

function cellIndex(event: Event): number | null {
  for (const target of event.composedPath()) {
    if (target instanceof HTMLElement && target.dataset.index !== undefined) return Number(target.dataset.index);
  }
  return null;
}

customElements.define('tb-virtual-grid', VirtualGrid);

declare global {
  interface HTMLElementTagNameMap {
    'tb-virtual-grid': VirtualGrid;
  }
}
