/**
 * tb-suggestions: model suggestions waiting for review, as chips with their confidence (the model on
 * hover), and the review buttons: accept all at or above a threshold, accept all from one model,
 * reject the rest, and use a held caption sentence. The chip list is one Tab stop (roving tabindex):
 * Left/Right/Home/End move, Enter or + accepts, Delete, Backspace or - rejects. Each step is asked
 * for with a `suggestion-review` event; the owner sets `suggestions` and `caption` (suggestions and
 * sentences the caption already has are not shown). When the last focused chip goes, `suggestions-leave`
 * asks the owner to put focus elsewhere.
 */
import { LitElement, css, html, nothing } from 'lit';
import type { PropertyValues, TemplateResult } from 'lit';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-icon/index.js';
import type { SuggestionReview, SuggestionView, SuggestionsView } from '../../src/protocol/editorProtocol.ts';
import { splitCaption, tagKey } from '../../src/shared/tags.ts';
import { emit } from '../shared/events.ts';
import { plural } from '../shared/format.ts';
import { baseStyles } from '../shared/baseStyles.ts';

/** The threshold of "Accept all ≥" until the user changes it. */
export const defaultThreshold = 0.5;

/** A confidence as a whole percentage: `0.714` -> `71%`. */
export function percent(confidence: number): string {
  return `${Math.round(confidence * 100)}%`;
}

/** The review section of the image editor. */
export class SuggestionList extends LitElement {
  static override properties = {
    suggestions: { attribute: false },
    caption: { attribute: false },
    readOnly: { type: Boolean, attribute: 'read-only' },
    threshold: { state: true },
    focusIndex: { state: true },
    hiddenKeys: { state: true },
    announcement: { state: true },
  };

  static override styles = [
    baseStyles,
    css`
    :host {
      display: flex;
      flex-direction: column;
      gap: 6px;
      min-width: 0;
    }
    .heading {
      display: flex;
      justify-content: space-between;
      align-items: baseline;
      gap: 8px;
      margin-top: 4px;
      font-weight: 600;
    }
    .heading .muted {
      font-weight: normal;
      font-size: 0.92em;
    }
    [role='listbox'] {
      display: flex;
      flex-wrap: wrap;
      gap: 4px;
    }
    .chip {
      display: inline-flex;
      align-items: center;
      gap: 4px;
      max-width: 100%;
      min-height: 22px;
      padding: 1px 2px 1px 8px;
      border-radius: 11px;
      border: 1px dashed var(--vscode-badge-background, rgba(128, 128, 128, 0.6));
      line-height: 18px;
      overflow-wrap: anywhere;
      cursor: default;
      user-select: none;
    }
    .chip:focus {
      outline: 1px solid var(--vscode-focusBorder, #007fd4);
      outline-offset: 1px;
    }
    .confidence {
      color: var(--vscode-descriptionForeground);
      font-variant-numeric: tabular-nums;
      font-size: 0.92em;
    }
    .chip button {
      display: inline-flex;
      align-items: center;
      justify-content: center;
      width: 18px;
      height: 18px;
      padding: 0;
      border: none;
      border-radius: 50%;
      background: none;
      color: inherit;
      cursor: pointer;
    }
    .chip button:hover {
      background: var(--vscode-toolbar-hoverBackground, rgba(90, 93, 94, 0.31));
    }
    .actions {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 4px 6px;
    }
    .threshold {
      display: inline-flex;
      align-items: center;
      gap: 4px;
    }
    input[type='number'] {
      width: 4.5em;
      font: inherit;
      color: var(--vscode-input-foreground);
      background: var(--vscode-input-background);
      border: 1px solid var(--vscode-input-border, var(--vscode-dropdown-border, transparent));
      border-radius: 2px;
      padding: 2px 4px;
    }
    .sentence {
      display: flex;
      flex-direction: column;
      align-items: flex-start;
      gap: 4px;
      padding: 4px 8px;
      border-left: 3px solid var(--vscode-textBlockQuote-border, rgba(128, 128, 128, 0.5));
      background: var(--vscode-textBlockQuote-background, transparent);
    }
    .sentence p {
      margin: 0;
      overflow-wrap: anywhere;
    }
  `,
  ];

  declare suggestions: SuggestionsView | null;
  /** The caption as shown (suggestions it already has are left out). */
  declare caption: string;
  declare readOnly: boolean;
  declare threshold: number;
  declare focusIndex: number;
  /** Keys reviewed here whose answer from the host has not come yet: hidden at once. */
  declare hiddenKeys: ReadonlySet<string>;
  declare announcement: string;
  private chipHadFocus = false;

  constructor() {
    super();
    this.suggestions = null;
    this.caption = '';
    this.readOnly = false;
    this.threshold = defaultThreshold;
    this.focusIndex = 0;
    this.hiddenKeys = new Set();
    this.announcement = '';
  }

  /** Pending suggestions as shown: not in the caption, not just reviewed, one per key. */
  pending(): SuggestionView[] {
    const present = new Set(splitCaption(this.caption).parts.map(tagKey));
    const seen = new Set<string>();
    return (this.suggestions?.tags ?? []).filter((s) => {
      const key = tagKey(s.name);
      if (present.has(key) || this.hiddenKeys.has(key) || seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('suggestions')) this.hiddenKeys = new Set();
    const count = this.pending().length;
    this.focusIndex = Math.max(0, Math.min(this.focusIndex, count - 1));
    const active = this.shadowRoot?.activeElement;
    this.chipHadFocus = active instanceof HTMLElement && active.classList.contains('chip');
  }

  protected override updated(): void {
    // A chip that was reviewed went away: focus moves to the chip now at its place, or out when none is left.
    if (!this.chipHadFocus || this.shadowRoot?.activeElement) return;
    const chip = this.chip(this.focusIndex);
    if (chip) chip.focus();
    else emit(this, 'suggestions-leave', {});
  }

  protected override render(): TemplateResult | typeof nothing {
    const pending = this.pending();
    const sentences = (this.suggestions?.sentences ?? []).filter((s) => !this.caption.includes(s.text));
    if (pending.length === 0 && sentences.length === 0) {
      return html`<div class="visually-hidden" role="status" aria-live="polite">${this.announcement}</div>`;
    }
    const models = [...new Set(pending.map((s) => s.model).filter((m) => m !== ''))];
    const above = pending.filter((s) => s.confidence !== null && s.confidence >= this.threshold).length;
    return html`
      <div class="heading" id="suggestions-heading">
        <span>Suggestions</span><span class="muted">${plural(pending.length, 'suggestion')}</span>
      </div>
      ${
        pending.length > 0
          ? html`
        <div role="listbox" aria-labelledby="suggestions-heading" aria-orientation="horizontal" aria-describedby="suggestion-help">
          ${pending.map((s, i) => this.renderChip(s, i, pending.length))}
        </div>
        <span id="suggestion-help" class="visually-hidden">Left and Right move between suggestions. Enter or Plus accepts one, Delete or Minus rejects it.</span>
        <div class="actions">
          <span class="threshold">
            <vscode-button class="accept-above" ?disabled=${this.readOnly || above === 0} title="Accept the ${plural(above, 'suggestion')} at or above the threshold"
              @click=${() => this.acceptAbove()}
            >Accept all ≥ ${this.threshold}</vscode-button>
            <input type="number" class="threshold-input" min="0" max="1" step="0.05" aria-label="Confidence threshold"
              .value=${String(this.threshold)} @change=${this.onThreshold} @keydown=${this.onThresholdKey} />
          </span>
          ${models.map(
            (model) => html`<vscode-button secondary class="accept-model" data-model=${model} ?disabled=${this.readOnly}
            title="Accept the suggestions of ${model}"
            @click=${() =>
              this.review(
                { action: 'acceptModel', model },
                pending.filter((s) => s.model === model),
              )}
          >Accept all from ${shortModel(model)}</vscode-button>`,
          )}
          <vscode-button secondary class="reject-rest" icon="close" ?disabled=${this.readOnly}
            title="Reject every suggestion left: models will not suggest them again"
            @click=${() => this.review({ action: 'rejectRest' }, pending)}>Reject the rest</vscode-button>
        </div>`
          : nothing
      }
      ${sentences.map(
        (s) => html`
        <div class="sentence" data-model=${s.model}>
          <span class="muted">Caption from ${s.model}</span>
          <p>${s.text}</p>
          <vscode-button secondary class="use-sentence" ?disabled=${this.readOnly}
            title=${this.caption.trim() === '' ? 'Use this sentence as the caption' : 'Add this sentence to the end of the caption'}
            @click=${() => this.review({ action: 'useSentence', model: s.model }, [])}>Use this caption</vscode-button>
        </div>`,
      )}
      <div class="visually-hidden" role="status" aria-live="polite">${this.announcement}</div>
    `;
  }

  private renderChip(s: SuggestionView, index: number, count: number): TemplateResult {
    const confidence = s.confidence === null ? '' : percent(s.confidence);
    const title = [`${s.name}${confidence ? ` (${confidence})` : ''}`, s.model ? `suggested by ${s.model}` : '']
      .filter(Boolean)
      .join('\n');
    return html`
      <div
        role="option"
        class="chip"
        data-index=${index}
        data-key=${tagKey(s.name)}
        tabindex=${index === this.focusIndex ? '0' : '-1'}
        aria-selected=${index === this.focusIndex ? 'true' : 'false'}
        aria-setsize=${count}
        aria-posinset=${index + 1}
        aria-label="${s.name}${confidence ? `, ${confidence}` : ''}${s.model ? `, from ${s.model}` : ''}"
        title=${title}
        @focus=${() => (this.focusIndex = index)}
        @keydown=${(e: KeyboardEvent) => this.onChipKeyDown(e, index)}
      >
        <span class="label">${s.name}</span>${confidence ? html`<span class="confidence">${confidence}</span>` : nothing}
        ${
          this.readOnly
            ? nothing
            : html`
          <button class="accept" tabindex="-1" aria-hidden="true" title="Accept ${s.name}" @click=${() => this.reviewKey('accept', s)}>
            <vscode-icon name="check" size="12"></vscode-icon>
          </button>
          <button class="reject" tabindex="-1" aria-hidden="true" title="Reject ${s.name}" @click=${() => this.reviewKey('reject', s)}>
            <vscode-icon name="close" size="12"></vscode-icon>
          </button>`
        }
      </div>
    `;
  }

  private chip(index: number): HTMLElement | null {
    return this.renderRoot.querySelector<HTMLElement>(`.chip[data-index="${index}"]`);
  }

  private onChipKeyDown(event: KeyboardEvent, index: number): void {
    if (event.target !== event.currentTarget || event.ctrlKey || event.metaKey || event.altKey) return;
    const pending = this.pending();
    const moveFocus = (to: number): void => {
      event.preventDefault();
      this.focusIndex = Math.max(0, Math.min(pending.length - 1, to));
      this.chip(this.focusIndex)?.focus();
    };
    const s = pending[index];
    switch (event.key) {
      case 'ArrowLeft':
      case 'ArrowUp':
        return moveFocus(index - 1);
      case 'ArrowRight':
      case 'ArrowDown':
        return moveFocus(index + 1);
      case 'Home':
        return moveFocus(0);
      case 'End':
        return moveFocus(pending.length - 1);
      case 'Enter':
      case '+':
        event.preventDefault();
        if (s) this.reviewKey('accept', s);
        return;
      case 'Delete':
      case 'Backspace':
      case '-':
        event.preventDefault();
        if (s) this.reviewKey('reject', s);
        return;
    }
  }

  private reviewKey(action: 'accept' | 'reject', s: SuggestionView): void {
    this.review({ action, keys: [tagKey(s.name)] }, [s]);
  }

  /** Asks for a review step and hides the suggestions it settles until the host answers. */
  private review(review: SuggestionReview, settled: readonly SuggestionView[]): void {
    if (this.readOnly) return;
    if (review.action !== 'useSentence' && settled.length === 0) return;
    const verb =
      review.action === 'reject' || review.action === 'rejectRest'
        ? 'Rejected'
        : review.action === 'useSentence'
          ? 'Used the caption'
          : 'Accepted';
    this.announcement = review.action === 'useSentence' ? verb : `${verb} ${settled.map((s) => s.name).join(', ')}`;
    this.hiddenKeys = new Set([...this.hiddenKeys, ...settled.map((s) => tagKey(s.name))]);
    emit<SuggestionReview>(this, 'suggestion-review', review);
  }

  private onThreshold(event: Event): void {
    const value = Number((event.target as HTMLInputElement).value);
    if (Number.isFinite(value)) this.threshold = Math.max(0, Math.min(1, value));
    (event.target as HTMLInputElement).value = String(this.threshold);
  }

  private onThresholdKey(event: KeyboardEvent): void {
    if (event.key !== 'Enter') return;
    event.preventDefault();
    this.onThreshold(event);
    this.acceptAbove();
  }

  private acceptAbove(): void {
    const threshold = this.threshold;
    this.review(
      { action: 'acceptAbove', threshold },
      this.pending().filter((s) => s.confidence !== null && s.confidence >= threshold),
    );
  }
}

/** A model id without its kind prefix, for button labels: `tagger:wd-vit-tagger-v3` -> `wd-vit-tagger-v3`. */
function shortModel(model: string): string {
  const colon = model.indexOf(':');
  return colon >= 0 ? model.slice(colon + 1) : model;
}

customElements.define('tb-suggestions', SuggestionList);

declare global {
  interface HTMLElementTagNameMap {
    'tb-suggestions': SuggestionList;
  }
}
