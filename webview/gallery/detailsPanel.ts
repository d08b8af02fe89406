/**
 * tb-details-panel: everything about the focused image: a larger preview, path, size, format, bit
 * depth, colour space, frames, caption, tags (as chips that add themselves to the query) and the
 * problems recorded for its files.
 */
import { LitElement, css, html, nothing } from 'lit';
import type { PropertyValues, TemplateResult } from 'lit';
import '@vscode-elements/elements/dist/vscode-icon/index.js';
import type { ImageDetails } from '../../src/protocol/galleryProtocol.ts';
import { emit } from '../shared/events.ts';
import { formatBytes, formatDate } from '../shared/format.ts';
import { debounce } from '../shared/timing.ts';
import { baseStyles, chipStyles } from '../shared/baseStyles.ts';
import type { GalleryRpc, TagQueryDetail } from './galleryRpc.ts';

/** The details side panel. */
export class DetailsPanel extends LitElement {
  static override styles = [
    baseStyles,
    chipStyles,
    css`
    :host {
      display: block;
      padding: 4px 8px 8px;
    }
    .preview {
      display: block;
      width: 100%;
      max-height: 260px;
      object-fit: contain;
      background: var(--vscode-editorWidget-background, rgba(128, 128, 128, 0.12));
      border-radius: 3px;
    }
    .path {
      margin: 6px 0;
      font-weight: 600;
      overflow-wrap: anywhere;
    }
    dl {
      display: grid;
      grid-template-columns: auto minmax(0, 1fr);
      gap: 2px 10px;
      margin: 0 0 8px;
    }
    dt {
      color: var(--vscode-descriptionForeground);
    }
    dd {
      margin: 0;
      overflow-wrap: anywhere;
    }
    h4 {
      margin: 8px 0 4px;
      font-size: 0.92em;
      text-transform: uppercase;
      color: var(--vscode-descriptionForeground);
      font-weight: 600;
    }
    .caption {
      margin: 0;
      white-space: pre-wrap;
      overflow-wrap: anywhere;
      font-family: var(--vscode-editor-font-family, monospace);
    }
    .chips {
      display: flex;
      flex-wrap: wrap;
      gap: 4px;
    }
    .chips button {
      border: none;
      cursor: pointer;
    }
    .problems {
      margin: 0;
      padding: 0;
      list-style: none;
      display: grid;
      gap: 4px;
    }
    .problems li {
      display: flex;
      gap: 4px;
      align-items: flex-start;
    }
    .error {
      color: var(--vscode-errorForeground);
    }
    .warning {
      color: var(--vscode-editorWarning-foreground, #cca700);
    }
  `,
  ];

  static override properties = {
    rpc: { attribute: false },
    imageId: { type: Number },
    refreshKey: { type: Number },
    details: { state: true },
    missing: { state: true },
  };

  declare rpc: GalleryRpc | null;
  /** The image to show, or null for none. */
  declare imageId: number | null;
  /** Bump to load the details again (the index changed). */
  declare refreshKey: number;
  declare details: ImageDetails | null;
  declare missing: boolean;
  private seq = 0;
  private readonly loadSoon = debounce((id: number) => void this.load(id), 120);

  constructor() {
    super();
    this.rpc = null;
    this.imageId = null;
    this.refreshKey = 0;
    this.details = null;
    this.missing = false;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (!changed.has('imageId') && !changed.has('refreshKey') && !changed.has('rpc')) return;
    if (this.imageId === null) {
      this.loadSoon.cancel();
      this.seq++;
      this.details = null;
      this.missing = false;
    } else {
      this.loadSoon(this.imageId);
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.loadSoon.cancel();
  }

  override render(): TemplateResult {
    const d = this.details;
    if (this.imageId === null) return html`<p class="muted">Focus an image to see its details.</p>`;
    if (this.missing) return html`<p class="muted">This image is no longer in the index.</p>`;
    if (!d || d.id !== this.imageId) return html`<p class="muted" aria-busy="true">Loading details...</p>`;
    const name = d.path.slice(d.path.lastIndexOf('/') + 1);
    return html`
      <img class="preview" src=${d.imageUri} alt=${`Preview of ${name}`} decoding="async" />
      <p class="path">${d.path}</p>
      <dl>
        <dt>Size</dt><dd>${d.width} x ${d.height} px, ${formatBytes(d.size)}</dd>
        <dt>Format</dt><dd>${d.format.toUpperCase()}${d.hasAlpha ? ', alpha' : ''}</dd>
        <dt>Bit depth</dt><dd>${d.bitDepth} bits, ${d.channels} channels</dd>
        <dt>Colour space</dt><dd>${d.space}</dd>
        <dt>Frames</dt><dd>${d.frames}</dd>
        <dt>Modified</dt><dd>${formatDate(d.mtimeMs)}</dd>
      </dl>
      <h4>Caption</h4>
      ${d.caption === null ? html`<p class="muted">No caption file.</p>` : html`<p class="caption">${d.caption || '(empty)'}</p>`}
      <h4>Tags (${d.tags.length})</h4>
      ${
        d.tags.length === 0
          ? html`<p class="muted">No tags.</p>`
          : html`
        <div class="chips" role="group" aria-label="Tags of this image">
          ${d.tags.map(
            (tag) => html`<button class="chip" title="Add to the query (Alt+click to exclude)"
            @click=${(e: MouseEvent) => emit<TagQueryDetail>(this, 'tag-query', { tag, exclude: e.altKey })}>${tag}</button>`,
          )}
        </div>`
      }
      ${
        d.problems.length === 0
          ? nothing
          : html`
        <h4>Problems (${d.problems.length})</h4>
        <ul class="problems">
          ${d.problems.map(
            (p) => html`<li class=${p.severity}>
            <vscode-icon name=${p.severity === 'error' ? 'error' : 'warning'} aria-label=${p.severity}></vscode-icon>
            <span>${p.message} <span class="muted">(${p.kind})</span></span>
          </li>`,
          )}
        </ul>`
      }
    `;
  }

  private async load(id: number): Promise<void> {
    const rpc = this.rpc;
    if (!rpc) return;
    const seq = ++this.seq;
    try {
      const details = await rpc.request('details', { id });
      if (seq !== this.seq) return;
      this.details = details;
      this.missing = details === null;
    } catch (err) {
      console.warn(`Could not load details: ${(err as Error).message}`);
    }
  }
}

customElements.define('tb-details-panel', DetailsPanel);

declare global {
  interface HTMLElementTagNameMap {
    'tb-details-panel': DetailsPanel;
  }
}
