/**
 * tb-tag-panel: how often each tag occurs in the current results, as bars. Click (or Enter) adds
 * the tag to the query, Alt+click (or Alt+Enter, or "-") adds its exclusion. The list is one tab
 * stop; arrow keys, Home and End move within it.
 */
import { LitElement, css, html, nothing } from 'lit';
import type { PropertyValues, TemplateResult } from 'lit';
import type { TagFrequencies } from '../../src/protocol/galleryProtocol.ts';
import { emit } from '../shared/events.ts';
import { styleProps } from '../shared/styleProps.ts';
import { formatCount, plural } from '../shared/format.ts';
import { baseStyles } from '../shared/baseStyles.ts';
import type { GalleryRpc, TagQueryDetail } from './galleryRpc.ts';

const LIMIT = 200;

/** The tag frequency panel. */
export class TagPanel extends LitElement {
  static override styles = [
    baseStyles,
    css`
    :host {
      display: block;
    }
    ul {
      list-style: none;
      margin: 0;
      padding: 0;
    }
    button {
      display: grid;
      grid-template-columns: minmax(0, 1fr) auto;
      grid-template-rows: auto 3px;
      column-gap: 8px;
      width: 100%;
      padding: 2px 6px;
    }
    .name {
      overflow: hidden;
      text-overflow: ellipsis;
      white-space: nowrap;
    }
    .count {
      color: var(--vscode-descriptionForeground);
      font-variant-numeric: tabular-nums;
    }
    .bar {
      grid-column: 1 / -1;
      height: 3px;
      border-radius: 2px;
      background: var(--vscode-progressBar-background, #0e70c0);
      opacity: 0.7;
    }
    .hint {
      margin: 2px 6px 6px;
      font-size: 0.92em;
    }
  `,
  ];

  static override properties = {
    rpc: { attribute: false },
    query: { type: String },
    refreshKey: { type: Number },
    data: { state: true },
    active: { state: true },
  };

  declare rpc: GalleryRpc | null;
  /** The query whose results are counted. */
  declare query: string | null;
  /** Bump to count again (the index changed). */
  declare refreshKey: number;
  declare data: TagFrequencies | null;
  declare active: number;
  private seq = 0;

  constructor() {
    super();
    this.rpc = null;
    this.query = null;
    this.refreshKey = 0;
    this.data = null;
    this.active = 0;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if ((changed.has('query') || changed.has('refreshKey') || changed.has('rpc')) && this.rpc && this.query !== null) {
      void this.load(this.rpc, this.query);
    }
  }

  override render(): TemplateResult {
    if (!this.data) return html`<p class="hint muted">Counting tags...</p>`;
    const { tags, images } = this.data;
    if (tags.length === 0) return html`<p class="hint muted">No tags in ${plural(images, 'image')}.</p>`;
    const max = tags[0]!.count;
    const active = Math.min(this.active, tags.length - 1);
    return html`
      <p class="hint muted" id="hint">Click adds a tag to the query; Alt+click excludes it.</p>
      <ul aria-label="Tags in the results" aria-describedby="hint" @keydown=${this.onKeyDown}>
        ${tags.map(
          ({ tag, count }, i) => html`
          <li>
            <button
              class="plain"
              tabindex=${i === active ? 0 : -1}
              aria-label="${tag}, ${plural(count, 'image')}"
              title="${tag}: ${formatCount(count)} of ${plural(images, 'image')}"
              data-i=${i}
              @click=${(e: MouseEvent) => this.pick(i, e.altKey)}
            >
              <span class="name">${tag}</span><span class="count">${formatCount(count)}</span>
              <span class="bar" ${styleProps({ width: `${Math.max(1, (count / max) * 100)}%` })}></span>
            </button>
          </li>`,
        )}
      </ul>
      ${tags.length === LIMIT ? html`<p class="hint muted">The ${LIMIT} most frequent tags.</p>` : nothing}
    `;
  }

  private async load(rpc: GalleryRpc, query: string): Promise<void> {
    const seq = ++this.seq;
    try {
      const result = await rpc.request('tagFrequencies', { query, limit: LIMIT });
      if (seq !== this.seq) return;
      if ('error' in result) return;
      this.data = result;
      this.active = 0;
    } catch (err) {
      console.warn(`Could not count tags: ${(err as Error).message}`);
    }
  }

  private pick(i: number, exclude: boolean): void {
    const entry = this.data?.tags[i];
    if (!entry) return;
    this.active = i;
    emit<TagQueryDetail>(this, 'tag-query', { tag: entry.tag, exclude });
  }

  private onKeyDown(event: KeyboardEvent): void {
    const count = this.data?.tags.length ?? 0;
    const current = Number((event.target as HTMLElement).closest('button')?.dataset.i ?? this.active);
    let next: number | null = null;
    switch (event.key) {
      case 'ArrowDown':
        next = Math.min(count - 1, current + 1);
        break;
      case 'ArrowUp':
        next = Math.max(0, current - 1);
        break;
      case 'Home':
        next = 0;
        break;
      case 'End':
        next = count - 1;
        break;
      case 'Enter':
      case ' ':
        event.preventDefault();
        this.pick(current, event.altKey);
        return;
      case '-':
        event.preventDefault();
        this.pick(current, true);
        return;
      default:
        return;
    }
    event.preventDefault();
    this.active = next;
    void this.updateComplete.then(() =>
      this.renderRoot.querySelector<HTMLElement>(`button[data-i="${next}"]`)?.focus(),
    );
  }
}

customElements.define('tb-tag-panel', TagPanel);

declare global {
  interface HTMLElementTagNameMap {
    'tb-tag-panel': TagPanel;
  }
}
