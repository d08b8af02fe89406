/**
 * tb-tag-chips: a caption's tags as chips, one per raw part, plus the box that adds tags. The chip
 * list is one Tab stop (roving tabindex): Left/Right/Home/End move between chips, Delete or
 * Backspace removes one, Enter/F2/double click edits it in place, Alt+Left/Alt+Right or drag and
 * drop reorders. Changes are asked for with a `tags-change` event; the owner sets `parts`.
 */
import { LitElement, css, html, nothing } from 'lit';
import type { PropertyValues, TemplateResult } from 'lit';
import { classMap } from 'lit/directives/class-map.js';
import '@vscode-elements/elements/dist/vscode-icon/index.js';
import { unescapeTag, tagKey } from '../../src/shared/tags.ts';
import { emit } from '../shared/events.ts';
import { baseStyles } from '../shared/baseStyles.ts';
import { addTags, dropIndex, moveTag, removeTag, replaceTag } from './tagEdits.ts';
import '../shared/tagCombobox.ts';
import type { SuggestTags, TagAddDetail, TagCombobox } from '../shared/tagCombobox.ts';

/** Detail of `tags-change`: the new raw parts, the undo label, and what to tell screen readers. */
export interface TagsChangeDetail {
  parts: string[];
  label: string;
  message: string;
}

const highlightMs = 1600;

/** The chip list of a caption. */
export class TagChips extends LitElement {
  static override properties = {
    parts: { attribute: false },
    readOnly: { type: Boolean, attribute: 'read-only' },
    suggest: { attribute: false },
    focusIndex: { state: true },
    editing: { state: true },
    highlighted: { state: true },
    dragFrom: { state: true },
    dropAt: { state: true },
    announcement: { state: true },
  };

  static override styles = [
    baseStyles,
    css`
    :host {
      display: block;
    }
    .field {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 4px;
    }
    [role='listbox'] {
      display: flex;
      flex-wrap: wrap;
      gap: 4px;
      min-width: 0;
      max-width: 100%;
    }
    .chip {
      display: inline-flex;
      align-items: center;
      gap: 2px;
      max-width: 100%;
      min-height: 22px;
      padding: 1px 4px 1px 8px;
      border-radius: 11px;
      border: 1px solid transparent;
      background: var(--vscode-badge-background, rgba(128, 128, 128, 0.3));
      color: var(--vscode-badge-foreground, inherit);
      line-height: 18px;
      overflow-wrap: anywhere;
      cursor: default;
      user-select: none;
    }
    .chip.read-only {
      padding-right: 8px;
    }
    .chip:focus {
      outline: 1px solid var(--vscode-focusBorder, #007fd4);
      outline-offset: 1px;
    }
    .chip.highlight {
      border-color: var(--vscode-editorWarning-foreground, #cca700);
      background: var(--vscode-editor-findMatchHighlightBackground, rgba(234, 92, 0, 0.33));
      color: var(--vscode-foreground);
    }
    .chip.dragging {
      opacity: 0.5;
    }
    .chip.drop-before {
      box-shadow: -3px 0 0 var(--vscode-focusBorder, #007fd4);
    }
    .chip.drop-after {
      box-shadow: 3px 0 0 var(--vscode-focusBorder, #007fd4);
    }
    .chip.editing {
      padding: 0;
      background: none;
    }
    .chip.editing input {
      min-width: 8em;
      max-width: 100%;
    }
    .remove {
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
    .remove:hover {
      background: var(--vscode-toolbar-hoverBackground, rgba(90, 93, 94, 0.31));
    }
    vscode-icon {
      color: inherit;
    }
  `,
  ];

  declare parts: string[];
  declare readOnly: boolean;
  declare suggest: SuggestTags | undefined;
  declare focusIndex: number;
  declare editing: number;
  declare highlighted: number[];
  declare dragFrom: number;
  declare dropAt: { index: number; after: boolean } | null;
  declare announcement: string;
  /** Where focus goes after the next render. */
  private focusAfterRender: 'chip' | 'edit' | null = null;
  /** Where focus goes once the owner has applied a change (the next render with new parts). */
  private focusAfterChange: 'chip' | 'entry' | null = null;
  private chipHadFocus = false;
  private highlightTimer: ReturnType<typeof setTimeout> | undefined;

  constructor() {
    super();
    this.parts = [];
    this.readOnly = false;
    this.suggest = undefined;
    this.focusIndex = 0;
    this.editing = -1;
    this.highlighted = [];
    this.dragFrom = -1;
    this.dropAt = null;
    this.announcement = '';
  }

  /** Marks chips for a moment (a tag that was added again) and scrolls the first into view. */
  highlight(indexes: number[]): void {
    clearTimeout(this.highlightTimer);
    this.highlighted = indexes;
    void this.updateComplete.then(() => this.chip(indexes[0] ?? -1)?.scrollIntoView({ block: 'nearest' }));
    this.highlightTimer = setTimeout(() => (this.highlighted = []), highlightMs);
  }

  /** Commits a chip being edited in place, if any. */
  commitEdit(): void {
    if (this.editing >= 0) this.finishEdit(true, false);
  }

  /** Empties the add box (e.g. when another caption is shown). */
  resetEntry(): void {
    this.entry()?.clear();
    this.editing = -1;
  }

  /** Focuses the add box. */
  focusEntry(): void {
    this.entry()?.focus();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearTimeout(this.highlightTimer);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('parts')) {
      this.focusIndex = Math.max(0, Math.min(this.focusIndex, this.parts.length - 1));
      if (this.editing >= this.parts.length) this.editing = -1;
      this.highlighted = this.highlighted.filter((i) => i < this.parts.length);
    }
    if (this.readOnly) this.editing = -1;
    const active = this.shadowRoot?.activeElement;
    this.chipHadFocus = active instanceof HTMLElement && active.classList.contains('chip');
  }

  protected override updated(changed: PropertyValues<this>): void {
    let target: 'chip' | 'entry' | 'edit' | null = this.focusAfterRender;
    this.focusAfterRender = null;
    if (changed.has('parts') && this.focusAfterChange) {
      target = this.focusAfterChange;
      this.focusAfterChange = null;
    }
    if (target === 'edit') {
      const input = this.renderRoot.querySelector<HTMLInputElement>('.chip.editing input');
      input?.focus();
      input?.select();
    } else if (target === 'entry' || (target === 'chip' && this.parts.length === 0)) {
      this.focusEntry();
    } else if (target === 'chip' || (this.chipHadFocus && !this.shadowRoot?.activeElement)) {
      if (this.parts.length > 0) this.chip(this.focusIndex)?.focus();
      else if (!this.readOnly) this.focusEntry();
    }
  }

  protected override render(): TemplateResult {
    const presentKeys = new Set(this.parts.map(tagKey));
    return html`
      <div class="field">
        <div
          role="listbox"
          aria-label="Tags"
          aria-orientation="horizontal"
          aria-describedby="chip-help"
          ?hidden=${this.parts.length === 0}
        >
          ${this.parts.map((part, i) => this.renderChip(part, i))}
        </div>
        <tb-tag-combobox
          ?hidden=${this.readOnly}
          ?disabled=${this.readOnly}
          .suggest=${this.suggest}
          .presentKeys=${presentKeys}
          @tag-add=${this.onTagAdd}
          @tag-leave=${this.onEntryLeave}
        ></tb-tag-combobox>
      </div>
      <span id="chip-help" class="visually-hidden">
        ${
          this.readOnly
            ? 'Read-only. Left and Right move between tags.'
            : 'Left and Right move between tags. Delete removes a tag, Enter or F2 edits it, Alt+Left and Alt+Right move it.'
        }
      </span>
      <div class="visually-hidden" role="status" aria-live="polite">${this.announcement}</div>
    `;
  }

  private renderChip(part: string, index: number): TemplateResult {
    const display = unescapeTag(part);
    const classes = {
      chip: true,
      'read-only': this.readOnly,
      highlight: this.highlighted.includes(index),
      dragging: index === this.dragFrom,
      'drop-before': this.dropAt?.index === index && !this.dropAt.after,
      'drop-after': this.dropAt?.index === index && this.dropAt.after,
      editing: index === this.editing,
    };
    const common = {
      tabindex: index === this.focusIndex ? '0' : '-1',
      selected: index === this.focusIndex ? 'true' : 'false',
    };
    if (index === this.editing) {
      return html`
        <div role="option" class=${classMap(classes)} data-index=${index} tabindex="-1" aria-selected=${common.selected}
          aria-setsize=${this.parts.length} aria-posinset=${index + 1}>
          <input
            type="text"
            aria-label="Edit tag ${display}"
            spellcheck="false"
            autocomplete="off"
            size=${Math.min(60, display.length + 2)}
            .value=${display}
            @keydown=${(e: KeyboardEvent) => this.onEditKeyDown(e)}
            @blur=${() => this.onEditBlur(index)}
          />
        </div>
      `;
    }
    return html`
      <div
        role="option"
        class=${classMap(classes)}
        data-index=${index}
        tabindex=${common.tabindex}
        aria-selected=${common.selected}
        aria-setsize=${this.parts.length}
        aria-posinset=${index + 1}
        title=${part === display ? display : `${display}\nwritten as: ${part}`}
        draggable=${this.readOnly ? 'false' : 'true'}
        @focus=${() => (this.focusIndex = index)}
        @keydown=${(e: KeyboardEvent) => this.onChipKeyDown(e, index)}
        @dblclick=${() => this.startEdit(index)}
        @dragstart=${(e: DragEvent) => this.onDragStart(e, index)}
        @dragover=${(e: DragEvent) => this.onDragOver(e, index)}
        @drop=${(e: DragEvent) => this.onDrop(e, index)}
        @dragend=${() => this.endDrag()}
      >
        <span class="label">${display}</span>
        ${
          this.readOnly
            ? nothing
            : html`<button class="remove" tabindex="-1" aria-hidden="true" title="Remove ${display}"
              @click=${(e: MouseEvent) => this.onRemoveClick(e, index)}>
              <vscode-icon name="close" size="12"></vscode-icon>
            </button>`
        }
      </div>
    `;
  }

  private chip(index: number): HTMLElement | null {
    return this.renderRoot.querySelector<HTMLElement>(`.chip[data-index="${index}"]`);
  }

  private entry(): TagCombobox | null {
    return this.renderRoot.querySelector('tb-tag-combobox');
  }

  private change(parts: string[], label: string, message: string, focus: 'chip' | 'entry' | null): void {
    this.focusAfterChange = focus;
    this.announcement = message;
    emit<TagsChangeDetail>(this, 'tags-change', { parts, label, message });
  }

  private onChipKeyDown(event: KeyboardEvent, index: number): void {
    if (event.target !== event.currentTarget || event.ctrlKey || event.metaKey) return;
    const last = this.parts.length - 1;
    const moveFocus = (to: number): void => {
      event.preventDefault();
      this.focusIndex = Math.max(0, Math.min(last, to));
      this.chip(this.focusIndex)?.focus();
    };
    if (event.altKey) {
      if (event.shiftKey || this.readOnly) return;
      if (event.key === 'ArrowLeft' || event.key === 'ArrowRight') {
        event.preventDefault();
        const to = event.key === 'ArrowLeft' ? index - 1 : index + 1;
        if (to < 0 || to > last) return;
        this.focusIndex = to;
        this.change(
          moveTag(this.parts, index, to),
          'Move tag',
          `Moved ${unescapeTag(this.parts[index]!)} to position ${to + 1} of ${last + 1}`,
          'chip',
        );
      }
      return;
    }
    switch (event.key) {
      case 'ArrowLeft':
      case 'ArrowUp':
        moveFocus(index - 1);
        return;
      case 'ArrowRight':
      case 'ArrowDown':
        moveFocus(index + 1);
        return;
      case 'Home':
        moveFocus(0);
        return;
      case 'End':
        moveFocus(last);
        return;
      case 'Delete':
      case 'Backspace':
        event.preventDefault();
        if (this.readOnly) return;
        this.removeAt(index, event.key === 'Backspace' ? Math.max(0, index - 1) : index);
        return;
      case 'Enter':
      case 'F2':
        event.preventDefault();
        this.startEdit(index);
        return;
    }
  }

  private removeAt(index: number, focusAfter: number): void {
    const display = unescapeTag(this.parts[index] ?? '');
    const parts = removeTag(this.parts, index);
    this.focusIndex = Math.min(focusAfter, parts.length - 1);
    this.change(parts, 'Remove tag', `Removed ${display}`, parts.length > 0 ? 'chip' : 'entry');
  }

  private onRemoveClick(event: MouseEvent, index: number): void {
    event.stopPropagation();
    this.removeAt(index, index);
  }

  private startEdit(index: number): void {
    if (this.readOnly || index < 0 || index >= this.parts.length) return;
    this.focusIndex = index;
    this.editing = index;
    this.focusAfterRender = 'edit';
  }

  private onEditKeyDown(event: KeyboardEvent): void {
    event.stopPropagation();
    if (event.key === 'Enter') {
      event.preventDefault();
      this.finishEdit(true, true);
    } else if (event.key === 'Escape') {
      event.preventDefault();
      this.finishEdit(false, true);
    }
  }

  private onEditBlur(index: number): void {
    if (this.editing === index) this.finishEdit(true, false);
  }

  private finishEdit(commit: boolean, refocus: boolean): void {
    const index = this.editing;
    const input = this.renderRoot.querySelector<HTMLInputElement>('.chip.editing input');
    this.editing = -1;
    if (refocus) this.focusAfterRender = 'chip';
    if (!commit || !input || index < 0) return;
    const before = this.parts;
    const { parts, duplicates } = replaceTag(before, index, input.value);
    if (duplicates.length > 0) this.highlightAfterChange(duplicates);
    if (parts.length === before.length && parts.every((p, i) => p === before[i])) return;
    const display = unescapeTag(before[index] ?? '');
    if (parts.length < before.length && input.value.trim() === '') {
      this.change(parts, 'Remove tag', `Removed ${display}`, refocus ? 'chip' : null);
    } else {
      this.change(parts, 'Edit tag', `Changed ${display} to ${input.value.trim()}`, refocus ? 'chip' : null);
    }
  }

  private highlightAfterChange(indexes: number[]): void {
    void this.updateComplete.then(() => this.highlight(indexes));
  }

  private onTagAdd(event: CustomEvent<TagAddDetail>): void {
    event.stopPropagation();
    if (this.readOnly) return;
    const { parts, duplicates } = addTags(this.parts, event.detail.tags);
    const added = parts.slice(this.parts.length).map(unescapeTag);
    if (duplicates.length > 0) {
      this.highlight(duplicates);
      const names = duplicates.map((i) => unescapeTag(this.parts[i]!)).join(', ');
      this.announcement = `Already tagged: ${names}`;
    }
    if (added.length > 0) {
      this.focusIndex = Math.min(this.focusIndex, parts.length - 1);
      this.change(parts, added.length === 1 ? 'Add tag' : 'Add tags', `Added ${added.join(', ')}`, null);
    }
  }

  private onEntryLeave(event: Event): void {
    event.stopPropagation();
    if (this.parts.length === 0) return;
    this.focusIndex = this.parts.length - 1;
    this.chip(this.focusIndex)?.focus();
  }

  private onDragStart(event: DragEvent, index: number): void {
    if (this.readOnly || this.editing >= 0) {
      event.preventDefault();
      return;
    }
    this.dragFrom = index;
    if (event.dataTransfer) {
      event.dataTransfer.effectAllowed = 'move';
      event.dataTransfer.setData('text/plain', unescapeTag(this.parts[index] ?? ''));
    }
  }

  private onDragOver(event: DragEvent, index: number): void {
    if (this.dragFrom < 0) return;
    event.preventDefault();
    if (event.dataTransfer) event.dataTransfer.dropEffect = 'move';
    const rect = (event.currentTarget as HTMLElement).getBoundingClientRect();
    const after = event.clientX > rect.left + rect.width / 2;
    if (this.dropAt?.index !== index || this.dropAt.after !== after) this.dropAt = { index, after };
  }

  private onDrop(event: DragEvent, index: number): void {
    if (this.dragFrom < 0) return;
    event.preventDefault();
    const from = this.dragFrom;
    const rect = (event.currentTarget as HTMLElement).getBoundingClientRect();
    const to = dropIndex(from, index, event.clientX > rect.left + rect.width / 2);
    this.endDrag();
    if (to === from) return;
    this.focusIndex = to;
    this.change(
      moveTag(this.parts, from, to),
      'Move tag',
      `Moved ${unescapeTag(this.parts[from]!)} to position ${to + 1} of ${this.parts.length}`,
      'chip',
    );
  }

  private endDrag(): void {
    this.dragFrom = -1;
    this.dropAt = null;
  }
}

customElements.define('tb-tag-chips', TagChips);

declare global {
  interface HTMLElementTagNameMap {
    'tb-tag-chips': TagChips;
  }
}
