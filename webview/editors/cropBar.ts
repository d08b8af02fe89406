/**
 * tb-crop-bar: the crop tool's controls under the zoom toolbar. While cropping: the aspect preset,
 * the rectangle's size and aspect, Apply (Enter) and Cancel (Escape); otherwise the stored crop's
 * state and size. Remove crop and, for an auto crop, Approve in both. Buttons send `crop-preset`
 * ({ index }), `crop-apply`, `crop-cancel`, `crop-remove` and `crop-approve` events.
 */
import { LitElement, css, html, nothing } from 'lit';
import type { TemplateResult } from 'lit';
import { live } from 'lit/directives/live.js';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import type { CropPreset, CropRectView, CropView } from '../../src/protocol/editorProtocol.ts';
import { emit } from '../shared/events.ts';
import { formatCount } from '../shared/format.ts';
import { describeAspect } from './cropGeometry.ts';
import { baseStyles } from '../shared/baseStyles.ts';

/** Detail of `crop-preset`: the chosen preset's index. */
export interface CropPresetDetail {
  index: number;
}

const STATE_LABELS: Record<CropView['state'], string> = {
  auto: 'Auto crop, not reviewed',
  approved: 'Approved crop',
  manual: 'Manual crop',
};

/** `512 × 384 px, 4:3`. */
export function describeCrop(rect: CropRectView): string {
  return `${formatCount(rect.width)} × ${formatCount(rect.height)} px, ${describeAspect(rect.width, rect.height)}`;
}

/** The crop controls. */
export class CropBar extends LitElement {
  static override properties = {
    editing: { type: Boolean },
    crop: { attribute: false },
    draft: { attribute: false },
    presets: { attribute: false },
    presetIndex: { type: Number, attribute: false },
  };

  static override styles = [
    baseStyles,
    css`
    :host {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 4px 8px;
      padding: 4px 6px;
      border-bottom: 1px solid var(--vscode-panel-border, var(--vscode-widget-border, transparent));
    }
    .size {
      font-variant-numeric: tabular-nums;
    }
    .state.auto {
      color: var(--vscode-editorWarning-foreground, #cca700);
    }
    vscode-single-select {
      width: 13em;
    }
  `,
  ];

  declare editing: boolean;
  /** The stored crop (as edited in the document). */
  declare crop: CropView | null;
  /** The rectangle being edited. */
  declare draft: CropRectView | null;
  declare presets: CropPreset[];
  declare presetIndex: number;

  constructor() {
    super();
    this.editing = false;
    this.crop = null;
    this.draft = null;
    this.presets = [];
    this.presetIndex = 0;
    this.addEventListener('keydown', (e) => this.onKeyDown(e));
  }

  protected override render(): TemplateResult {
    const crop = this.crop;
    const approve =
      crop?.state === 'auto'
        ? html`<vscode-button secondary icon="check" title="Approve the auto crop" @click=${() => emit(this, 'crop-approve', {})}>Approve</vscode-button>`
        : nothing;
    const remove = crop
      ? html`<vscode-button secondary icon="trash" title="Remove the crop" @click=${() => emit(this, 'crop-remove', {})}>Remove crop</vscode-button>`
      : nothing;
    if (!this.editing) {
      return html`
        ${crop ? html`<span class="state ${crop.state}">${STATE_LABELS[crop.state]}</span><span class="size" role="status">${describeCrop(crop.rect)}</span>` : nothing}
        ${approve}${remove}`;
    }
    const draft = this.draft;
    return html`
      <vscode-single-select label="Aspect" title="Aspect" aria-label="Aspect" .value=${live(String(this.presetIndex))} @change=${this.onPreset}>
        ${this.presets.map((p, i) => html`<vscode-option value=${String(i)} ?selected=${i === this.presetIndex}>${p.label}</vscode-option>`)}
      </vscode-single-select>
      <span class="size" role="status" aria-live="polite">${draft ? describeCrop(draft) : 'Drag over the image to draw the crop'}</span>
      <vscode-button icon="check" title="Apply the crop (Enter)" ?disabled=${!draft} @click=${() => emit(this, 'crop-apply', {})}>Apply</vscode-button>
      <vscode-button secondary title="Leave cropping without changes (Escape)" @click=${() => emit(this, 'crop-cancel', {})}>Cancel</vscode-button>
      ${approve}${remove}
    `;
  }

  private onPreset(event: Event): void {
    const index = Number((event.currentTarget as HTMLInputElement).value);
    if (Number.isInteger(index) && index !== this.presetIndex) emit<CropPresetDetail>(this, 'crop-preset', { index });
  }

  private onKeyDown(event: KeyboardEvent): void {
    if (!this.editing || event.key !== 'Escape' || event.defaultPrevented) return;
    // The select closes its own list on Escape.
    if (event.composedPath().some((el) => el instanceof HTMLElement && el.tagName === 'VSCODE-SINGLE-SELECT')) return;
    event.preventDefault();
    emit(this, 'crop-cancel', {});
  }
}

customElements.define('tb-crop-bar', CropBar);

declare global {
  interface HTMLElementTagNameMap {
    'tb-crop-bar': CropBar;
  }
}
