/** tb-caption-editor: the caption editor webview, a caption file as tag chips and text. */
import { css, html } from 'lit';
import type { TemplateResult } from 'lit';
import { EditorBase } from './editorBase.ts';
import { baseStyles } from '../shared/baseStyles.ts';

/** The caption editor. */
export class CaptionEditor extends EditorBase {
  static override styles = [
    baseStyles,
    css`
    :host {
      display: block;
    }
    main {
      max-width: 60em;
      padding: 12px 16px 24px;
    }
  `,
  ];

  protected override render(): TemplateResult {
    return html`<main aria-label="Caption">${this.state ? this.renderPanel(this.state) : html`<p class="muted">Loading…</p>`}</main>`;
  }
}

customElements.define('tb-caption-editor', CaptionEditor);

declare global {
  interface HTMLElementTagNameMap {
    'tb-caption-editor': CaptionEditor;
  }
}
