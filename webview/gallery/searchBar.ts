/**
 * tb-search-bar: the query box (runs on Enter and after a typing pause, shows a malformed query's
 * problem under it with the offending span marked), the result count, the sort control that
 * rewrites the query's `sort:` term, the thumbnail size and the side panel toggles.
 */
import { LitElement, css, html, nothing } from 'lit';
import type { TemplateResult } from 'lit';
import { live } from 'lit/directives/live.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import '@vscode-elements/elements/dist/vscode-icon/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import type { QueryProblem } from '../../src/protocol/galleryProtocol.ts';
import { emit } from '../shared/events.ts';
import { formatCount, plural } from '../shared/format.ts';
import { baseStyles } from '../shared/baseStyles.ts';
import { SORT_KEYS } from './queryText.ts';
import type { SortKey, SortOrder } from './queryText.ts';

/** A query problem with the text it is about. */
export interface ShownProblem {
  problem: QueryProblem;
  query: string;
}

/** Smallest and largest grid cell, in CSS pixels. */
export const CELL_SIZES = { min: 96, max: 256 } as const;

const SORT_LABELS: Record<SortKey, string> = {
  name: 'Name',
  mtime: 'Modified',
  width: 'Width',
  height: 'Height',
  tags: 'Tag count',
  random: 'Random',
};

/** The gallery's toolbar. */
export class SearchBar extends LitElement {
  static override styles = [baseStyles, css`
    :host {
      display: block;
      padding: 6px 8px 4px;
      border-bottom: 1px solid var(--vscode-panel-border, rgba(128, 128, 128, 0.35));
    }
    vscode-textfield {
      width: 100%;
    }
    .problem {
      margin-top: 4px;
      color: var(--vscode-errorForeground);
      display: grid;
      gap: 2px;
    }
    .message {
      display: flex;
      align-items: center;
      gap: 4px;
    }
    .mirror {
      font-family: var(--vscode-editor-font-family, monospace);
      white-space: pre-wrap;
      overflow-wrap: anywhere;
      color: var(--vscode-foreground);
    }
    mark {
      color: inherit;
      background: var(--vscode-inputValidation-errorBackground, rgba(255, 0, 0, 0.25));
      text-decoration: underline wavy var(--vscode-errorForeground);
      text-underline-offset: 3px;
    }
    mark.caret {
      display: inline-block;
      width: 2px;
      height: 1.1em;
      vertical-align: text-bottom;
      background: var(--vscode-errorForeground);
    }
    .controls {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 4px 12px;
      margin-top: 4px;
    }
    .count {
      flex: 1 1 auto;
      min-width: 8em;
    }
    .group {
      display: flex;
      align-items: center;
      gap: 4px;
    }
    vscode-single-select {
      width: 8.5em;
    }
    input[type='range'] {
      width: 90px;
      accent-color: var(--vscode-button-background);
    }
  `];

  static override properties = {
    query: { type: String },
    problem: { attribute: false },
    total: { type: Number },
    selected: { type: Number },
    loading: { type: Boolean },
    sort: { attribute: false },
    cellSize: { type: Number },
    detailsOpen: { type: Boolean },
    tagsOpen: { type: Boolean },
  };

  declare query: string;
  declare problem: ShownProblem | null;
  declare total: number;
  declare selected: number;
  declare loading: boolean;
  declare sort: SortOrder;
  declare cellSize: number;
  declare detailsOpen: boolean;
  declare tagsOpen: boolean;

  constructor() {
    super();
    this.query = '';
    this.problem = null;
    this.total = 0;
    this.selected = 0;
    this.loading = true;
    this.sort = { key: 'name', descending: false };
    this.cellSize = 160;
    this.detailsOpen = true;
    this.tagsOpen = true;
  }

  /** Moves keyboard focus to the query box. */
  override focus(): void {
    this.renderRoot.querySelector('vscode-textfield')?.focus();
  }

  override render(): TemplateResult {
    return html`
      <vscode-textfield
        type="text"
        label="Search query"
        placeholder="Search: tags, -exclude, width>=1024, caption:word, sort:mtime"
        .value=${live(this.query)}
        ?invalid=${this.problem !== null}
        @input=${this.onInput}
        @keydown=${this.onKeyDown}
      >
        <vscode-icon slot="content-before" name="search" title="Search"></vscode-icon>
      </vscode-textfield>
      ${this.problem ? this.renderProblem(this.problem) : nothing}
      <div class="controls">
        <span class="count" role="status" aria-live="polite">${this.renderCount()}</span>
        <span class="group">
          <vscode-single-select label="Sort by" title="Sort by" .value=${live(this.sort.key)} @change=${this.onSortKey}>
            ${SORT_KEYS.map((key) => html`<vscode-option value=${key} ?selected=${key === this.sort.key}>${SORT_LABELS[key]}</vscode-option>`)}
          </vscode-single-select>
          <vscode-button
            secondary
            icon-only
            icon=${this.sort.descending ? 'arrow-down' : 'arrow-up'}
            aria-label="Reverse order"
            title=${this.sort.descending ? 'Descending (click for ascending)' : 'Ascending (click for descending)'}
            aria-pressed=${this.sort.descending ? 'true' : 'false'}
            @click=${this.onReverse}
          ></vscode-button>
        </span>
        <label class="group" title="Thumbnail size">
          <vscode-icon name="zoom-in" aria-hidden="true"></vscode-icon>
          <span class="visually-hidden">Thumbnail size</span>
          <input
            type="range"
            min=${CELL_SIZES.min}
            max=${CELL_SIZES.max}
            step="8"
            .value=${live(String(this.cellSize))}
            aria-valuetext="${this.cellSize} pixels"
            @input=${this.onSize}
          />
        </label>
        <span class="group">
          <vscode-button secondary icon-only icon="tag" aria-label="Tag frequencies panel" title="Tag frequencies"
            aria-pressed=${this.tagsOpen ? 'true' : 'false'} @click=${() => emit(this, 'toggle-panel', { panel: 'tags' })}></vscode-button>
          <vscode-button secondary icon-only icon="info" aria-label="Details panel" title="Details"
            aria-pressed=${this.detailsOpen ? 'true' : 'false'} @click=${() => emit(this, 'toggle-panel', { panel: 'details' })}></vscode-button>
        </span>
      </div>
    `;
  }

  private renderCount(): string {
    if (this.loading) return 'Searching...';
    const count = plural(this.total, 'image');
    return this.selected > 0 ? `${count}, ${formatCount(this.selected)} selected` : count;
  }

  private renderProblem({ problem, query }: ShownProblem): TemplateResult {
    const start = Math.min(Math.max(0, problem.position), query.length);
    const end = Math.min(query.length, start + Math.max(0, problem.length));
    return html`
      <div class="problem" role="alert">
        <span class="message"><vscode-icon name="error" aria-hidden="true"></vscode-icon><span>${problem.message}</span></span>
        <code class="mirror" aria-hidden="true">${query.slice(0, start)}<mark class=${start === end ? 'caret' : ''}>${query.slice(start, end)}</mark>${query.slice(end)}</code>
      </div>
    `;
  }

  private onInput(event: Event): void {
    emit(this, 'query-input', { query: (event.currentTarget as HTMLInputElement).value });
  }

  private onKeyDown(event: KeyboardEvent): void {
    if (event.key !== 'Enter') return;
    event.preventDefault();
    emit(this, 'query-submit', { query: (event.currentTarget as HTMLInputElement).value });
  }

  private onSortKey(event: Event): void {
    const key = (event.currentTarget as HTMLInputElement).value as SortKey;
    if (key !== this.sort.key) emit(this, 'sort-change', { key, descending: this.sort.descending });
  }

  private onReverse(): void {
    emit(this, 'sort-change', { key: this.sort.key, descending: !this.sort.descending });
  }

  private onSize(event: Event): void {
    emit(this, 'cell-size-change', { size: Number((event.currentTarget as HTMLInputElement).value) });
  }
}

customElements.define('tb-search-bar', SearchBar);

declare global {
  interface HTMLElementTagNameMap {
    'tb-search-bar': SearchBar;
  }
}
