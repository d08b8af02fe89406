/**
 * tb-search-bar: the query box (runs on Enter and after a typing pause, shows a malformed query's
 * problem under it with the offending span marked, and for a tag term no image has, the closest
 * tags to put in its place), with completion as VS Code's suggest widget does it (tags with counts,
 * field names and values, `OR`/`AND`; see queryCompletion.ts): with the list open, Enter accepts
 * the highlighted one and runs the query, Tab accepts it, Escape closes the list; with it closed,
 * Enter runs the query. Then the
 * result count, the sort control that rewrites the query's `sort:` term, the thumbnail size and the
 * side panel toggles.
 */
import { LitElement, css, html, nothing } from 'lit';
import type { TemplateResult } from 'lit';
import { live } from 'lit/directives/live.js';
import '@vscode-elements/elements/dist/vscode-icon/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import { ifDefined } from 'lit/directives/if-defined.js';
import type { QueryProblem } from '../../src/protocol/galleryProtocol.ts';
import type { UnmatchedTerm } from '../../src/shared/queryHint.ts';
import { baseStyles } from '../shared/baseStyles.ts';
import { emit } from '../shared/events.ts';
import { formatCount, plural } from '../shared/format.ts';
import { SuggestList, suggestListStyles } from '../shared/suggestList.ts';
import type { GalleryRpc } from './galleryRpc.ts';
import { applyCompletion, completionContext, queryCompletions } from './queryCompletion.ts';
import type { CompletionSources, QueryCompletion } from './queryCompletion.ts';
import { tagTerm } from './queryText.ts';
import type { SortOrder } from './queryText.ts';
import { SORT_KEYS, sortKeyOf } from '../../src/shared/sortKeys.ts';
import type { SortKey } from '../../src/shared/sortKeys.ts';

/** A query problem with the text it is about. */
export interface ShownProblem {
  problem: QueryProblem;
  query: string;
}

/** Detail of `query-replace`: put `text` in place of the query's `length` characters at `position`, and run it. */
export interface QueryReplace {
  position: number;
  length: number;
  text: string;
}

/** What the completion list is asked for: the query and the caret in it. */
interface CompletionRequest {
  query: string;
  caret: number;
}

/** Suggestions asked for per completion. */
const COMPLETION_LIMIT = 10;

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
  static override styles = [
    baseStyles,
    suggestListStyles,
    css`
    :host {
      display: block;
      padding: 6px 8px 4px;
      border-bottom: 1px solid var(--vscode-panel-border, rgba(128, 128, 128, 0.35));
    }
    .query {
      position: relative;
    }
    .query vscode-icon {
      position: absolute;
      left: 6px;
      top: 50%;
      transform: translateY(-50%);
      pointer-events: none;
      color: var(--vscode-input-placeholderForeground, var(--vscode-descriptionForeground));
    }
    .query input[type='text'] {
      width: 100%;
      padding: 4px 6px 4px 26px;
    }
    .query input[aria-invalid='true'] {
      border-color: var(--vscode-inputValidation-errorBorder, var(--vscode-errorForeground));
    }
    .hint {
      margin-top: 4px;
      display: flex;
      flex-wrap: wrap;
      align-items: baseline;
      gap: 2px 4px;
      color: var(--vscode-descriptionForeground);
    }
    .hint .plain {
      padding: 0 2px;
      color: var(--vscode-textLink-foreground);
      text-decoration: underline;
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
  `,
  ];

  static override properties = {
    query: { type: String },
    problem: { attribute: false },
    unmatched: { attribute: false },
    rpc: { attribute: false },
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
  /** The tag terms of the results' query that no image has (shown with the closest tags). */
  declare unmatched: UnmatchedTerm[];
  /** Where completions come from. */
  declare rpc: GalleryRpc | null;
  declare total: number;
  declare selected: number;
  declare loading: boolean;
  declare sort: SortOrder;
  declare cellSize: number;
  declare detailsOpen: boolean;
  declare tagsOpen: boolean;

  private readonly list: SuggestList<QueryCompletion, CompletionRequest>;
  private readonly sources: CompletionSources = {
    tags: async (prefix) => (this.rpc ? this.rpc.request('tagSuggestions', { prefix, limit: COMPLETION_LIMIT }) : []),
    values: async (field, prefix) =>
      this.rpc ? this.rpc.request('fieldValues', { field, prefix, limit: COMPLETION_LIMIT }) : [],
  };

  constructor() {
    super();
    this.query = '';
    this.problem = null;
    this.unmatched = [];
    this.rpc = null;
    this.list = new SuggestList<QueryCompletion, CompletionRequest>(this, {
      fetch: async ({ query, caret }) => {
        const context = completionContext(query, caret);
        return context ? queryCompletions(context, this.sources) : [];
      },
      accept: (completion, how) => this.acceptCompletion(completion, how === 'enter'),
      renderItem: (c) => html`<span class="label">${c.label}</span><span class="detail">${c.detail}</span>`,
      labelOf: (c) => (c.detail ? `${c.label}, ${c.detail}` : c.label),
      label: 'Query suggestions',
      canOpen: () => this.shadowRoot?.activeElement === this.input(),
    });
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
    this.input()?.focus();
  }

  override render(): TemplateResult {
    return html`
      <div class="query">
        <vscode-icon name="search" aria-hidden="true"></vscode-icon>
        <input
          type="text"
          role="combobox"
          aria-label="Search query"
          aria-autocomplete="list"
          aria-controls="suggestions"
          aria-expanded=${this.list.expanded}
          aria-activedescendant=${ifDefined(this.list.activeId)}
          aria-invalid=${this.problem ? 'true' : 'false'}
          aria-describedby="query-help"
          placeholder="Search: tags, -exclude, width>=1024, caption:word, sort:mtime"
          autocomplete="off"
          spellcheck="false"
          .value=${live(this.query)}
          @input=${this.onInput}
          @keydown=${this.onKeyDown}
          @blur=${() => this.list.close()}
        />
        ${this.list.render()}
      </div>
      <span id="query-help" class="visually-hidden">Suggestions appear as you type: Enter or Tab accepts one, Escape closes them, Ctrl+Space shows them.</span>
      ${this.problem ? this.renderProblem(this.problem) : this.renderUnmatched()}
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

  /** For each tag term no image has: the closest tags, each a button that puts it in the term's place. */
  private renderUnmatched(): TemplateResult | typeof nothing {
    if (this.unmatched.length === 0) return nothing;
    return html`${this.unmatched.map(
      (u) => html`
      <div class="hint" role="status">
        <vscode-icon name="info" aria-hidden="true"></vscode-icon>
        <span>No images have "${u.term}"${u.suggestions.length > 0 ? '; did you mean' : '.'}</span>
        ${u.suggestions.map(
          (s, i, all) => html`${i > 0 && i === all.length - 1 ? html`<span>or</span>` : nothing}
          <button class="plain" title="Search for ${s.tag} instead" @click=${() => this.replaceTerm(u, s.tag)}>${s.tag}</button>
          <span>(${formatCount(s.count)})${i < all.length - 2 ? ',' : i === all.length - 1 ? '?' : ''}</span>`,
        )}
        ${u.key === 'and' ? html`<span>Write AND in capitals to join terms.</span>` : nothing}
      </div>`,
    )}`;
  }

  private input(): HTMLInputElement | null {
    return this.renderRoot.querySelector('.query input');
  }

  private replaceTerm(unmatched: UnmatchedTerm, tag: string): void {
    emit<QueryReplace>(this, 'query-replace', {
      position: unmatched.position,
      length: unmatched.length,
      text: tagTerm(tag),
    });
    this.focus();
  }

  private completionRequest(input: HTMLInputElement): CompletionRequest {
    return { query: input.value, caret: input.selectionStart ?? input.value.length };
  }

  private onInput(event: Event): void {
    const input = event.currentTarget as HTMLInputElement;
    emit(this, 'query-input', { query: input.value });
    const request = this.completionRequest(input);
    if (completionContext(request.query, request.caret)?.text) this.list.request(request);
    else this.list.close();
  }

  private onKeyDown(event: KeyboardEvent): void {
    const input = event.currentTarget as HTMLInputElement;
    if (this.list.open && ['ArrowLeft', 'ArrowRight', 'Home', 'End'].includes(event.key)) this.list.close();
    if (this.list.keydown(event, () => this.completionRequest(input))) return;
    if (event.key !== 'Enter' || event.isComposing) return;
    event.preventDefault();
    emit(this, 'query-submit', { query: input.value });
  }

  /** Puts a completion in; Enter also runs the query (unless a field name went in, whose values come next). */
  private acceptCompletion(completion: QueryCompletion, run: boolean): void {
    const input = this.input();
    if (!input) return;
    const context = completionContext(input.value, input.selectionStart ?? input.value.length);
    const end = context?.end ?? input.selectionStart ?? input.value.length;
    const { query, caret } = applyCompletion(input.value, completion, end);
    input.value = query;
    input.setSelectionRange(caret, caret);
    if (completion.reopen) {
      emit(this, 'query-input', { query });
      this.list.request({ query, caret }, true);
    } else {
      emit(this, run ? 'query-submit' : 'query-input', { query });
    }
  }

  private onSortKey(event: Event): void {
    const key = sortKeyOf((event.currentTarget as HTMLInputElement).value);
    if (key && key !== this.sort.key) emit(this, 'sort-change', { key, descending: this.sort.descending });
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
