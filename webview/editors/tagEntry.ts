/**
 * tb-tag-entry: the box that adds tags, an ARIA combobox completing from the dataset's tags (and the
 * tag database's, when one is configured: a match through an alias reads `alias → tag` and adds the
 * tag). Typing asks for suggestions; Up/Down pick one, Enter adds the picked one (else what is typed),
 * Tab adds the picked one (else the first), "," adds what is typed, Escape closes the list, and
 * Backspace or Left in an empty box goes back to the chips.
 */
import { LitElement, css, html, nothing } from 'lit';
import type { PropertyValues, TemplateResult } from 'lit';
import { ifDefined } from 'lit/directives/if-defined.js';
import { live } from 'lit/directives/live.js';
import type { TagSuggestion } from '../../src/protocol/galleryProtocol.ts';
import { tagKey } from '../../src/shared/tags.ts';
import { emit } from '../shared/events.ts';
import { formatCount } from '../shared/format.ts';
import { debounce } from '../shared/timing.ts';
import { baseStyles } from '../shared/baseStyles.ts';
import { typedTags } from './tagEdits.ts';

/** Asks the host for tags starting with a prefix. */
export type SuggestTags = (prefix: string) => Promise<TagSuggestion[]>;

/** Detail of `tag-add`: the tags to add, in display form. */
export interface TagAddDetail {
  tags: string[];
}

/** The tag entry box with completion. */
export class TagEntry extends LitElement {
  static override properties = {
    suggest: { attribute: false },
    presentKeys: { attribute: false },
    disabled: { type: Boolean },
    value: { state: true },
    items: { state: true },
    active: { state: true },
    open: { state: true },
  };

  static override styles = [baseStyles, css`
    :host {
      display: inline-block;
      position: relative;
      flex: 1 1 10em;
      min-width: 8em;
    }
    input[type='text'] {
      width: 100%;
    }
    ul {
      position: absolute;
      z-index: 20;
      left: 0;
      min-width: 100%;
      max-width: min(28em, 90vw);
      margin: 2px 0 0;
      padding: 2px 0;
      list-style: none;
      max-height: 240px;
      overflow-y: auto;
      background: var(--vscode-editorSuggestWidget-background, var(--vscode-editorWidget-background));
      color: var(--vscode-editorSuggestWidget-foreground, inherit);
      border: 1px solid var(--vscode-editorSuggestWidget-border, var(--vscode-widget-border, transparent));
      box-shadow: 0 2px 8px var(--vscode-widget-shadow, rgba(0, 0, 0, 0.36));
    }
    li {
      display: flex;
      gap: 1em;
      justify-content: space-between;
      padding: 1px 8px;
      cursor: pointer;
      white-space: nowrap;
    }
    li:hover {
      background: var(--vscode-list-hoverBackground);
    }
    li[aria-selected='true'] {
      background: var(--vscode-editorSuggestWidget-selectedBackground, var(--vscode-list-activeSelectionBackground));
      color: var(--vscode-editorSuggestWidget-selectedForeground, var(--vscode-list-activeSelectionForeground, inherit));
      outline: 1px solid var(--vscode-list-focusOutline, transparent);
      outline-offset: -1px;
    }
    .tag {
      overflow: hidden;
      text-overflow: ellipsis;
    }
    .arrow {
      color: var(--vscode-descriptionForeground);
    }
    .present .tag::after {
      content: ' \\2713';
    }
    .count {
      color: var(--vscode-descriptionForeground);
      font-variant-numeric: tabular-nums;
    }
  `];

  declare suggest: SuggestTags | undefined;
  declare presentKeys: ReadonlySet<string>;
  declare disabled: boolean;
  declare value: string;
  declare items: TagSuggestion[];
  declare active: number;
  declare open: boolean;
  private requestSeq = 0;
  private readonly requestSuggestions = debounce((prefix: string) => void this.fetch(prefix), 60);

  constructor() {
    super();
    this.suggest = undefined;
    this.presentKeys = new Set();
    this.disabled = false;
    this.value = '';
    this.items = [];
    this.active = -1;
    this.open = false;
  }

  /** Focuses the text box. */
  override focus(options?: FocusOptions): void {
    this.input()?.focus(options);
  }

  /** Empties the box and closes the suggestions. */
  clear(): void {
    this.value = '';
    this.close();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.requestSuggestions.cancel();
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('active') && this.active >= 0) {
      this.renderRoot.querySelector(`#option-${this.active}`)?.scrollIntoView({ block: 'nearest' });
    }
  }

  protected override render(): TemplateResult {
    const expanded = this.open && this.items.length > 0;
    return html`
      <input
        type="text"
        role="combobox"
        aria-label="Add tag"
        aria-autocomplete="list"
        aria-controls="suggestions"
        aria-expanded=${expanded ? 'true' : 'false'}
        aria-activedescendant=${ifDefined(expanded && this.active >= 0 ? `option-${this.active}` : undefined)}
        placeholder="Add tag…"
        autocomplete="off"
        spellcheck="false"
        .value=${live(this.value)}
        ?disabled=${this.disabled}
        @input=${this.onInput}
        @keydown=${this.onKeyDown}
        @blur=${this.onBlur}
      />
      <ul id="suggestions" role="listbox" aria-label="Tag suggestions" ?hidden=${!expanded}>
        ${expanded ? this.items.map((item, i) => this.renderItem(item, i)) : nothing}
      </ul>
    `;
  }

  private renderItem(item: TagSuggestion, index: number): TemplateResult {
    const present = this.presentKeys.has(tagKey(item.tag));
    const posts = item.count === 0 && item.postCount ? item.postCount : undefined;
    const name = item.alias !== undefined ? `${item.alias}, alias of ${item.tag}` : item.tag;
    const uses = posts !== undefined ? `${formatCount(posts)} posts` : `${formatCount(item.count)} ${item.count === 1 ? 'caption' : 'captions'}`;
    return html`
      <li
        id="option-${index}"
        role="option"
        class=${present ? 'present' : ''}
        aria-selected=${index === this.active ? 'true' : 'false'}
        aria-label="${name}, ${uses}${present ? ', already added' : ''}"
        @mousedown=${(e: MouseEvent) => e.preventDefault()}
        @click=${() => this.accept(index)}
      >
        <span class="tag">${item.alias !== undefined ? html`${item.alias}<span class="arrow"> → </span>${item.tag}` : item.tag}</span>
        <span class="count">${posts !== undefined ? `${formatCount(posts)} posts` : formatCount(item.count)}</span>
      </li>
    `;
  }

  private input(): HTMLInputElement | null {
    return this.renderRoot.querySelector('input');
  }

  private onInput(event: InputEvent): void {
    const input = event.target as HTMLInputElement;
    let text = input.value;
    if (text.includes(',')) {
      const pieces = text.split(',');
      const rest = pieces.pop() ?? '';
      const tags = typedTags(pieces.join(','));
      if (tags.length > 0) emit<TagAddDetail>(this, 'tag-add', { tags });
      text = rest.trimStart();
      input.value = text;
    }
    this.value = text;
    this.active = -1;
    const prefix = text.trim();
    if (prefix === '') {
      this.requestSuggestions.cancel();
      this.close();
    } else {
      this.requestSuggestions(prefix);
    }
  }

  private async fetch(prefix: string): Promise<void> {
    const seq = ++this.requestSeq;
    let items: TagSuggestion[];
    try {
      items = (await this.suggest?.(prefix)) ?? [];
    } catch {
      items = [];
    }
    if (seq !== this.requestSeq || this.value.trim() !== prefix) return;
    this.items = items;
    this.active = -1;
    this.open = items.length > 0 && this.shadowRoot?.activeElement === this.input();
  }

  private onKeyDown(event: KeyboardEvent): void {
    if (event.altKey || event.ctrlKey || event.metaKey || event.isComposing) return;
    const expanded = this.open && this.items.length > 0;
    const input = event.target as HTMLInputElement;
    switch (event.key) {
      case 'ArrowDown':
        if (this.items.length === 0) {
          // Reopens the list closed with Escape.
          if (input.value.trim() === '') return;
          event.preventDefault();
          this.requestSuggestions(input.value.trim());
          this.requestSuggestions.flush();
          return;
        }
        event.preventDefault();
        this.open = true;
        this.active = expanded ? (this.active + 1) % this.items.length : 0;
        return;
      case 'ArrowUp':
        if (!expanded) return;
        event.preventDefault();
        this.active = this.active <= 0 ? this.items.length - 1 : this.active - 1;
        return;
      case 'Enter':
        event.preventDefault();
        if (expanded && this.active >= 0) this.accept(this.active);
        else this.addTyped();
        return;
      case 'Tab':
        if (event.shiftKey || !expanded) return;
        event.preventDefault();
        this.accept(Math.max(0, this.active));
        return;
      case ',':
        event.preventDefault();
        this.addTyped();
        return;
      case 'Escape':
        if (expanded) {
          event.preventDefault();
          event.stopPropagation();
          this.close();
        } else if (this.value !== '') {
          event.preventDefault();
          this.clear();
        }
        return;
      case 'Backspace':
      case 'ArrowLeft':
        if (input.value === '') {
          event.preventDefault();
          emit(this, 'tag-leave', {});
        }
        return;
    }
  }

  private onBlur(): void {
    this.close();
  }

  private accept(index: number): void {
    const item = this.items[index];
    if (!item) return;
    this.clear();
    emit<TagAddDetail>(this, 'tag-add', { tags: [item.tag] });
  }

  private addTyped(): void {
    const tags = typedTags(this.value);
    this.clear();
    if (tags.length > 0) emit<TagAddDetail>(this, 'tag-add', { tags });
  }

  private close(): void {
    this.requestSeq++;
    this.requestSuggestions.cancel();
    this.open = false;
    this.items = [];
    this.active = -1;
  }
}

customElements.define('tb-tag-entry', TagEntry);

declare global {
  interface HTMLElementTagNameMap {
    'tb-tag-entry': TagEntry;
  }
}
