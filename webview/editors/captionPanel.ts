/**
 * tb-caption-panel: one caption as tag chips and as text, kept in sync both ways. Every change the
 * user makes becomes a `caption-edit` event carrying the whole new caption: chip operations at
 * once, typing coalesced (one edit per pause, or on Enter or leaving the box). Captions set from
 * outside (`load`, `setCaption`) never produce an edit.
 */
import { LitElement, css, html } from 'lit';
import type { TemplateResult } from 'lit';
import '@vscode-elements/elements/dist/vscode-icon/index.js';
import { hasSeveralLines, joinCaption, rejoinCaption, splitCaption } from '../../src/shared/tags.ts';
import { emit } from '../shared/events.ts';
import { plural } from '../shared/format.ts';
import { debounce } from '../shared/timing.ts';
import { mapCaret } from './caretMapping.ts';
import { baseStyles } from '../shared/baseStyles.ts';
import './tagChips.ts';
import type { TagChips, TagsChangeDetail } from './tagChips.ts';
import type { SuggestTags } from '../shared/tagCombobox.ts';

/** Detail of `caption-edit`: the whole new caption and the undo label. */
export interface CaptionEditDetail {
  caption: string;
  label: string;
}

/** How long typing must pause before it is sent as one edit. */
export const typingPauseMs = 500;

/** A caption's final line break, kept aside while the text box shows the rest. */
function finalLineBreak(caption: string): string {
  return /\r?\n$/.exec(caption)?.[0] ?? '';
}

/** The caption as chips and text. */
export class CaptionPanel extends LitElement {
  static override properties = {
    readOnly: { type: Boolean, attribute: 'read-only' },
    readOnlyReason: { attribute: false },
    suggest: { attribute: false },
    parts: { state: true },
    textLength: { state: true },
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
    .notice {
      display: flex;
      gap: 6px;
      align-items: flex-start;
      padding: 4px 8px;
      border-left: 3px solid var(--vscode-editorWarning-foreground, #cca700);
      background: var(--vscode-inputValidation-warningBackground, rgba(204, 167, 0, 0.15));
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
    textarea {
      display: block;
      width: 100%;
      min-height: 4.5em;
      max-height: 50vh;
      field-sizing: content;
      resize: vertical;
      line-height: 1.45;
      overflow-wrap: anywhere;
    }
    textarea[readonly] {
      opacity: 0.8;
    }
  `,
  ];

  declare readOnly: boolean;
  declare readOnlyReason: string;
  declare suggest: SuggestTags | undefined;
  /** The caption's raw comma-separated parts, as the chips show them. */
  declare parts: string[];
  declare textLength: number;
  /** The text box's content: the caption without its final line break. */
  private text = '';
  private ending = '';
  /** The caption as the document holds it, as far as this panel knows (set from outside or sent). */
  private documentCaption = '';
  private typingPending = false;
  private readonly typingEdit = debounce(() => this.sendTyping(), typingPauseMs);

  constructor() {
    super();
    this.readOnly = false;
    this.readOnlyReason = '';
    this.suggest = undefined;
    this.parts = [];
    this.textLength = 0;
  }

  /** The caption shown, with any typing not yet sent. */
  get caption(): string {
    return this.text + this.ending;
  }

  /** Shows another caption from scratch (a new document): drops pending typing and the add box. */
  load(caption: string): void {
    this.dropTyping();
    this.documentCaption = caption;
    this.show(caption, false);
    this.chips()?.resetEntry();
  }

  /** The document changed from outside (undo, redo, revert, another editor): shows it, sends nothing. */
  setCaption(caption: string): void {
    if (caption === this.caption) {
      this.dropTyping();
      this.documentCaption = caption;
      return;
    }
    // The document already has this (our own edit coming back): keep what is being typed.
    if (caption === this.documentCaption) return;
    this.dropTyping();
    this.documentCaption = caption;
    this.show(caption, true);
  }

  /** Sends typing that is waiting for a pause. */
  flush(): void {
    if (this.typingPending) this.typingEdit.flush();
  }

  /** Sends everything pending: typing, and a chip being edited in place. */
  flushAll(): void {
    this.chips()?.commitEdit();
    this.flush();
  }

  /** Puts focus in the text box with the caret at the end. */
  async focusText(): Promise<void> {
    await this.updateComplete;
    const box = this.textBox();
    if (!box) return;
    box.focus();
    box.setSelectionRange(box.value.length, box.value.length);
    box.scrollTop = box.scrollHeight;
  }

  /** Whether focus is in the text box. */
  textHasFocus(): boolean {
    const box = this.textBox();
    return box !== null && this.shadowRoot?.activeElement === box;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.flush();
  }

  protected override firstUpdated(): void {
    const box = this.textBox();
    if (box) box.value = this.text;
  }

  protected override render(): TemplateResult {
    return html`
      <div class="notice" role="note" ?hidden=${!this.readOnly}>
        <vscode-icon name="lock"></vscode-icon>
        <span>${this.readOnlyReason || 'This caption cannot be edited here.'}</span>
      </div>
      <div class="heading">
        <span>Tags</span><span class="muted">${plural(this.parts.length, 'tag')}</span>
      </div>
      <tb-tag-chips
        .parts=${this.parts}
        ?read-only=${this.readOnly}
        .suggest=${this.suggest}
        @tags-change=${this.onTagsChange}
      ></tb-tag-chips>
      <div class="heading">
        <label for="caption-text">Caption</label><span class="muted">${plural(this.textLength, 'character')}</span>
      </div>
      <textarea
        id="caption-text"
        rows="3"
        spellcheck="false"
        autocomplete="off"
        aria-describedby="caption-help"
        ?readonly=${this.readOnly}
        @input=${this.onInput}
        @keydown=${this.onKeyDown}
        @blur=${this.onBlur}
      ></textarea>
      <span id="caption-help" class="visually-hidden">Comma-separated tags or sentences. Enter saves the change to the caption; Shift+Enter starts a new line.</span>
    `;
  }

  private chips(): TagChips | null {
    return this.renderRoot.querySelector('tb-tag-chips');
  }

  private textBox(): HTMLTextAreaElement | null {
    return this.renderRoot.querySelector('textarea');
  }

  /** Shows caption text; with `keepCaret`, a focused text box keeps its caret near where it was. */
  private show(caption: string, keepCaret: boolean): void {
    this.ending = finalLineBreak(caption);
    const previous = this.text;
    this.text = caption.slice(0, caption.length - this.ending.length);
    this.parts = splitCaption(caption).parts;
    this.textLength = this.text.length;
    const box = this.textBox();
    if (!box || box.value === this.text) return;
    const focused = keepCaret && this.textHasFocus();
    const start = box.selectionStart;
    const end = box.selectionEnd;
    box.value = this.text;
    if (focused) box.setSelectionRange(mapCaret(previous, this.text, start), mapCaret(previous, this.text, end));
  }

  private send(label: string): void {
    const caption = this.caption;
    if (caption === this.documentCaption) return;
    this.documentCaption = caption;
    emit<CaptionEditDetail>(this, 'caption-edit', { caption, label });
  }

  private sendTyping(): void {
    this.typingPending = false;
    this.send('Edit caption');
  }

  private dropTyping(): void {
    this.typingEdit.cancel();
    this.typingPending = false;
  }

  private onInput(event: InputEvent): void {
    if (this.readOnly) return;
    this.text = (event.target as HTMLTextAreaElement).value;
    this.parts = splitCaption(this.caption).parts;
    this.textLength = this.text.length;
    this.typingPending = true;
    this.typingEdit();
  }

  private onKeyDown(event: KeyboardEvent): void {
    if (event.key !== 'Enter' || event.shiftKey || event.altKey || event.ctrlKey || event.metaKey || event.isComposing)
      return;
    event.preventDefault();
    this.flush();
  }

  private onBlur(): void {
    this.flush();
  }

  private onTagsChange(event: CustomEvent<TagsChangeDetail>): void {
    event.stopPropagation();
    if (this.readOnly) return;
    this.flush();
    // A caption of several lines keeps its lines and their endings.
    const caption = hasSeveralLines(this.caption)
      ? rejoinCaption(this.caption, event.detail.parts)
      : joinCaption({ parts: event.detail.parts, ending: this.ending });
    this.show(caption, true);
    this.send(event.detail.label);
  }
}

customElements.define('tb-caption-panel', CaptionPanel);

declare global {
  interface HTMLElementTagNameMap {
    'tb-caption-panel': CaptionPanel;
  }
}
