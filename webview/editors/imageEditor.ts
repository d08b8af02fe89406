/**
 * tb-image-editor: the image editor webview, an image beside its caption (chips and text), its crop,
 * facts and problems. Alt+PageDown / Alt+PageUp (or Ctrl+Alt+Right / Ctrl+Alt+Left) open the next or
 * previous image from anywhere, the caption box included, after sending any pending edit. Crop
 * changes go to the host as `crop` notifications; `setCrop` shows the crop the document has. Model
 * suggestions are reviewed below the caption: each step goes to the host as a `review` notification
 * (it changes the caption and the statuses as one edit); `setSuggestions` shows what is left.
 */
import { css, html, nothing } from 'lit';
import type { PropertyDeclarations, TemplateResult } from 'lit';
import '@vscode-elements/elements/dist/vscode-toolbar-button/index.js';
import type { CropChange, CropView, SuggestionReview, SuggestionsView } from '../../src/protocol/editorProtocol.ts';
import { formatCount } from '../shared/format.ts';
import { EditorBase } from './editorBase.ts';
import { navigationStep } from './editorKeys.ts';
import type { EditorInit, EditorRpc } from './editorRpc.ts';
import { baseStyles } from '../shared/baseStyles.ts';
import './imageFacts.ts';
import './imageView.ts';
import type { ImageView } from './imageView.ts';
import './suggestionReview.ts';

/** The image editor. */
export class ImageEditor extends EditorBase {
  static override properties: PropertyDeclarations = {
    status: { state: true },
    navigating: { state: true },
    crop: { state: true },
    suggestions: { state: true },
    caption: { state: true },
  };

  static override styles = [
    baseStyles,
    css`
    :host {
      display: block;
      height: 100vh;
    }
    .layout {
      display: grid;
      grid-template-columns: minmax(0, 1fr) minmax(280px, 38%);
      height: 100%;
    }
    .image-pane {
      min-width: 0;
      min-height: 0;
      border-right: 1px solid var(--vscode-panel-border, var(--vscode-widget-border, transparent));
    }
    .side {
      min-width: 0;
      overflow-y: auto;
      padding: 6px 12px 16px;
      display: flex;
      flex-direction: column;
      gap: 8px;
    }
    .nav {
      display: flex;
      align-items: center;
      gap: 4px;
      flex-wrap: wrap;
    }
    .position {
      font-variant-numeric: tabular-nums;
    }
    .status {
      flex: 1 1 12em;
      color: var(--vscode-descriptionForeground);
    }
    .empty {
      padding: 1em;
    }
    @media (max-width: 640px) {
      :host {
        height: auto;
      }
      .layout {
        grid-template-columns: minmax(0, 1fr);
        grid-template-rows: minmax(220px, 55vh) auto;
        height: auto;
      }
      .image-pane {
        border-right: none;
        border-bottom: 1px solid var(--vscode-panel-border, var(--vscode-widget-border, transparent));
      }
      .side {
        overflow: visible;
      }
    }
  `,
  ];

  /** Why the last next/previous did not move. */
  declare status: string;
  declare navigating: boolean;
  /** The crop the document has, as last heard from the host (or just sent to it). */
  declare crop: CropView | null;
  /** Model suggestions to review, as last heard from the host. */
  declare suggestions: SuggestionsView | null;
  /** The caption as shown (the review leaves out what it already has). */
  declare caption: string;

  constructor() {
    super();
    this.status = '';
    this.navigating = false;
    this.crop = null;
    this.suggestions = null;
    this.caption = '';
  }

  override connect(rpc: EditorRpc): void {
    rpc.on('setCrop', ({ crop }) => (this.crop = crop));
    rpc.on('setSuggestions', ({ suggestions }) => (this.suggestions = suggestions));
    super.connect(rpc);
  }

  /** A step asked for while a navigation was under way: taken when it ends, so no key press is lost. */
  private queuedStep: 1 | -1 | null = null;

  /** Asks the host for the next (1) or previous (-1) image, after sending what is pending here. */
  async navigate(step: 1 | -1): Promise<void> {
    if (!this.rpc) return;
    if (this.navigating) {
      this.queuedStep = step;
      return;
    }
    this.panel()?.flushAll();
    this.navigating = true;
    this.status = '';
    try {
      const { moved, reason } = await this.rpc.request('navigate', { step });
      if (!moved) this.status = reason || (step > 0 ? 'This is the last image.' : 'This is the first image.');
    } catch (err) {
      this.status = err instanceof Error ? err.message : String(err);
    } finally {
      this.navigating = false;
    }
    const queued = this.queuedStep;
    this.queuedStep = null;
    if (queued !== null) await this.navigate(queued);
  }

  protected override async init(params: EditorInit): Promise<void> {
    this.status = '';
    this.crop = params.image?.crop ?? null;
    this.suggestions = params.image?.suggestions ?? null;
    await super.init(params);
  }

  protected override captionShown(caption: string): void {
    this.caption = caption;
  }

  protected override windowKeyDown(event: KeyboardEvent): void {
    super.windowKeyDown(event);
    if (isCropKey(event) && nothingFocused()) {
      // With focus nowhere in particular, C starts cropping; in the image view, the view handles it.
      event.preventDefault();
      this.renderRoot.querySelector<ImageView>('tb-image-view')?.toggleCrop();
      return;
    }
    const step = navigationStep(event);
    if (step === 0) return;
    // Handled here only: not the text box's, nor the workbench's.
    event.preventDefault();
    event.stopPropagation();
    void this.navigate(step);
  }

  protected override render(): TemplateResult {
    const state = this.state;
    if (!state) return html`<p class="empty muted">Loading…</p>`;
    const image = state.image;
    const facts = image?.facts;
    const position =
      facts && facts.total > 0 && facts.position > 0
        ? `${formatCount(facts.position)} of ${formatCount(facts.total)}`
        : '';
    return html`
      <div class="layout">
        <section class="image-pane" aria-label="Image">
          ${
            image
              ? html`<tb-image-view
                .src=${image.uri}
                .label=${facts ? `${facts.path} (${facts.width} × ${facts.height})` : 'Image'}
                .imageWidth=${facts?.width ?? 0}
                .imageHeight=${facts?.height ?? 0}
                .crop=${this.crop}
                .cropPresets=${image.cropPresets}
                @crop-change=${this.onCropChange}
              ></tb-image-view>`
              : html`<p class="empty muted">No image.</p>`
          }
        </section>
        <section class="side" aria-label="Caption">
          <div class="nav" role="toolbar" aria-label="Images">
            <vscode-toolbar-button icon="arrow-left" label="Previous image (Alt+PageUp)" title="Previous image (Alt+PageUp)"
              @click=${() => void this.navigate(-1)}></vscode-toolbar-button>
            <vscode-toolbar-button icon="arrow-right" label="Next image (Alt+PageDown)" title="Next image (Alt+PageDown)"
              @click=${() => void this.navigate(1)}></vscode-toolbar-button>
            ${position ? html`<span class="position">${position}</span>` : nothing}
            <span class="status" role="status">${this.status}</span>
          </div>
          ${this.renderPanel(state)}
          <tb-suggestions
            ?read-only=${state.readOnly}
            .suggestions=${this.suggestions}
            .caption=${this.caption}
            @suggestion-review=${this.onReview}
            @suggestions-leave=${() => void this.panel()?.focusText()}
          ></tb-suggestions>
          <tb-image-facts .facts=${facts ?? null} .problems=${image?.problems ?? []}></tb-image-facts>
        </section>
      </div>
    `;
  }

  private onReview(event: CustomEvent<SuggestionReview>): void {
    event.stopPropagation();
    if (this.state?.readOnly) return;
    // Typing not sent yet goes first, so the review applies to the caption as shown.
    this.panel()?.flushAll();
    this.rpc?.notify('review', event.detail);
  }

  private onCropChange(event: CustomEvent<CropChange>): void {
    event.stopPropagation();
    const change = event.detail;
    this.rpc?.notify('crop', change);
    // Shown at once; the host confirms with setCrop (or sends the crop back if it refuses this one).
    this.crop = change.state === 'none' ? null : { state: change.state, rect: change.rect };
  }
}

/** A plain C (no Ctrl, Alt or Cmd). */
function isCropKey(event: KeyboardEvent): boolean {
  return (event.key === 'c' || event.key === 'C') && !event.ctrlKey && !event.altKey && !event.metaKey;
}

/** Whether focus is on the page itself rather than on a control. */
function nothingFocused(): boolean {
  const active = document.activeElement;
  return active === null || active === document.body || active === document.documentElement;
}

customElements.define('tb-image-editor', ImageEditor);

declare global {
  interface HTMLElementTagNameMap {
    'tb-image-editor': ImageEditor;
  }
}
