/**
 * tb-batch-preview: the modal preview of a batch edit: "N of M files change", before -> after for
 * each listed file (a suggestion review lists the suggestions it accepts and rejects, and the caption
 * only when it changes), Apply / Cancel. Focus is trapped inside; Escape cancels.
 */
import { LitElement, css, html, nothing } from 'lit';
import type { TemplateResult } from 'lit';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import type { BatchPreview as Preview } from '../../src/protocol/galleryProtocol.ts';
import { formatCount, plural } from '../shared/format.ts';
import { baseStyles } from '../shared/baseStyles.ts';

/** One file's change in a preview. */
type Change = Preview['changes'][number];

/** The batch preview dialog. */
export class BatchPreview extends LitElement {
  static override styles = [
    baseStyles,
    css`
    dialog {
      width: min(760px, calc(100vw - 24px));
      max-height: calc(100vh - 24px);
      padding: 0;
      color: var(--vscode-foreground);
      background: var(--vscode-editorWidget-background, var(--vscode-editor-background));
      border: 1px solid var(--vscode-widget-border, var(--vscode-contrastBorder, rgba(128, 128, 128, 0.5)));
      box-shadow: 0 4px 16px var(--vscode-widget-shadow, rgba(0, 0, 0, 0.4));
    }
    dialog[open] {
      display: flex;
      flex-direction: column;
    }
    dialog::backdrop {
      background: rgba(0, 0, 0, 0.35);
    }
    header,
    footer {
      padding: 10px 14px;
    }
    h2 {
      margin: 0 0 4px;
      font-size: 1.1em;
    }
    p {
      margin: 0;
    }
    .changes {
      flex: 1 1 auto;
      min-height: 60px;
      overflow: auto;
      margin: 0;
      padding: 0 14px;
      list-style: none;
      border-top: 1px solid var(--vscode-widget-border, rgba(128, 128, 128, 0.3));
      border-bottom: 1px solid var(--vscode-widget-border, rgba(128, 128, 128, 0.3));
    }
    .changes li {
      padding: 6px 0;
      border-bottom: 1px solid var(--vscode-widget-border, rgba(128, 128, 128, 0.15));
    }
    .path {
      font-weight: 600;
      overflow-wrap: anywhere;
    }
    .before,
    .after {
      display: block;
      margin-top: 2px;
      padding: 1px 4px;
      font-family: var(--vscode-editor-font-family, monospace);
      white-space: pre-wrap;
      overflow-wrap: anywhere;
      text-decoration: none;
    }
    .before {
      background: var(--vscode-diffEditor-removedTextBackground, rgba(255, 0, 0, 0.15));
    }
    .after {
      background: var(--vscode-diffEditor-insertedTextBackground, rgba(0, 255, 0, 0.12));
    }
    .before::before {
      content: '- ';
    }
    .after::before {
      content: '+ ';
    }
    .reviewed {
      display: flex;
      flex-wrap: wrap;
      gap: 2px 10px;
      margin: 2px 0 0;
      padding: 0;
      list-style: none;
    }
    .reviewed li {
      padding: 0;
      border: none;
    }
    .accepted {
      color: var(--vscode-gitDecoration-addedResourceForeground, var(--vscode-foreground));
    }
    .rejected {
      color: var(--vscode-gitDecoration-deletedResourceForeground, var(--vscode-foreground));
    }
    footer {
      display: flex;
      justify-content: flex-end;
      gap: 8px;
    }
  `,
  ];

  static override properties = {
    preview: { state: true },
    heading: { state: true },
  };

  declare preview: Preview | null;
  declare heading: string;
  private resolve: ((apply: boolean) => void) | null = null;

  constructor() {
    super();
    this.preview = null;
    this.heading = '';
  }

  /** Shows `preview` and resolves true for Apply, false for Cancel or Escape. */
  async confirm(preview: Preview, heading: string): Promise<boolean> {
    this.resolve?.(false);
    this.preview = preview;
    this.heading = heading;
    await this.updateComplete;
    const dialog = this.renderRoot.querySelector('dialog')!;
    dialog.returnValue = '';
    dialog.showModal();
    this.renderRoot.querySelector<HTMLElement>('#apply')?.focus();
    return new Promise((resolve) => (this.resolve = resolve));
  }

  override render(): TemplateResult {
    const p = this.preview;
    return html`
      <dialog aria-labelledby="title" aria-describedby="summary" @close=${this.onClose} @keydown=${this.onKeyDown}>
        ${
          p
            ? html`
          <header>
            <h2 id="title">${this.heading}</h2>
            <p id="summary">${formatCount(p.changed)} of ${plural(p.files, 'file')} change.${p.changes.length < p.changed ? ` Showing the first ${formatCount(p.changes.length)}.` : ''}</p>
          </header>
          <ul class="changes" tabindex="0" aria-label="Changes, before and after">
            ${p.changes.map((c) => this.renderChange(c))}
          </ul>
          <footer>
            <vscode-button id="cancel" secondary @click=${() => this.close('cancel')}>Cancel</vscode-button>
            <vscode-button id="apply" @click=${() => this.close('apply')}>Apply</vscode-button>
          </footer>`
            : nothing
        }
      </dialog>
    `;
  }

  private renderChange(c: Change): TemplateResult {
    const reviewed = c.accepted !== undefined || c.rejected !== undefined;
    const captionChanges = !reviewed || c.before !== c.after;
    return html`<li>
      <div class="path">${c.path}</div>
      ${
        reviewed
          ? html`<ul class="reviewed" aria-label="Suggestions">
        ${(c.accepted ?? []).map((tag) => html`<li class="accepted"><span aria-hidden="true">+ </span><span class="visually-hidden">Accepted: </span>${tag}</li>`)}
        ${(c.rejected ?? []).map((tag) => html`<li class="rejected"><span aria-hidden="true">✕ </span><span class="visually-hidden">Rejected: </span>${tag}</li>`)}
      </ul>`
          : nothing
      }
      ${
        captionChanges
          ? html`
        <del class="before"><span class="visually-hidden">Before: </span>${c.before ?? '(no caption)'}</del>
        <ins class="after"><span class="visually-hidden">After: </span>${c.after ?? '(removed)'}</ins>`
          : nothing
      }
    </li>`;
  }

  private close(value: 'apply' | 'cancel'): void {
    this.renderRoot.querySelector('dialog')?.close(value);
  }

  private onClose(event: Event): void {
    const apply = (event.currentTarget as HTMLDialogElement).returnValue === 'apply';
    const resolve = this.resolve;
    this.resolve = null;
    resolve?.(apply);
  }

  /** Keeps Tab and Shift+Tab inside the dialog. */
  private onKeyDown(event: KeyboardEvent): void {
    if (event.key !== 'Tab') return;
    const focusable = [...this.renderRoot.querySelectorAll<HTMLElement>('.changes, vscode-button')];
    if (focusable.length === 0) return;
    const current = focusable.findIndex((el) => el === this.shadowRoot?.activeElement);
    const next = event.shiftKey
      ? current <= 0
        ? focusable.length - 1
        : current - 1
      : (current + 1) % focusable.length;
    event.preventDefault();
    focusable[next]!.focus();
  }
}

customElements.define('tb-batch-preview', BatchPreview);

declare global {
  interface HTMLElementTagNameMap {
    'tb-batch-preview': BatchPreview;
  }
}
