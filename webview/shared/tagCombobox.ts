/**
 * tb-tag-combobox: the one box that adds tags, in the editors (below the chips) and in the gallery's
 * batch forms: an ARIA combobox completing from the dataset's tags (and the tag database's, when one
 * is configured: a match through an alias reads `alias → tag` and adds the tag), with counts. Keys
 * follow VS Code's suggest widget (see suggestList.ts): with suggestions open, Enter or Tab adds the
 * highlighted one (the first, until arrows move it) and Escape closes them; with them closed, Enter
 * adds what is typed (`tag-submit` when the box is empty), "," adds what is typed, Escape empties the
 * box, ArrowDown or Ctrl+Space reopens the list, Backspace or Left in an empty box says `tag-leave`.
 */
import { LitElement, css, html } from 'lit';
import type { PropertyValues, TemplateResult } from 'lit';
import { ifDefined } from 'lit/directives/if-defined.js';
import { live } from 'lit/directives/live.js';
import type { TagSuggestion } from '../../src/protocol/galleryProtocol.ts';
import { tagKey } from '../../src/shared/tags.ts';
import { baseStyles } from './baseStyles.ts';
import { emit } from './events.ts';
import { formatCount } from './format.ts';
import { SuggestList, suggestListStyles } from './suggestList.ts';
import { typedTags } from './typedTags.ts';

/** Asks the host for tags completing a prefix. */
export type SuggestTags = (prefix: string) => Promise<TagSuggestion[]>;

/** Detail of `tag-add`: the tags to add, in display form. */
export interface TagAddDetail {
  tags: string[];
}

/** Detail of `tag-leave`: the key that left the empty box. */
export interface TagLeaveDetail {
  key: 'Backspace' | 'ArrowLeft';
}

/** The tag entry box with completion. */
export class TagCombobox extends LitElement {
  static override properties = {
    suggest: { attribute: false },
    presentKeys: { attribute: false },
    disabled: { type: Boolean },
    label: { type: String },
    placeholder: { type: String },
    above: { type: Boolean },
    bare: { type: Boolean, reflect: true },
    value: { state: true },
  };

  static override styles = [
    baseStyles,
    suggestListStyles,
    css`
    :host {
      display: inline-block;
      flex: 1 1 10em;
      min-width: 8em;
    }
    .wrap {
      position: relative;
    }
    input[type='text'] {
      width: 100%;
    }
    :host([bare]) input[type='text'] {
      border: none;
      outline: none;
      background: transparent;
    }
  `,
  ];

  declare suggest: SuggestTags | undefined;
  /** Keys of the tags already there: their suggestions are marked. */
  declare presentKeys: ReadonlySet<string>;
  declare disabled: boolean;
  declare label: string;
  declare placeholder: string;
  /** Opens the suggestions above the box (for a box at the bottom of a panel). */
  declare above: boolean;
  /** No border of its own (inside a field that draws one). */
  declare bare: boolean;
  declare value: string;
  private readonly list: SuggestList<TagSuggestion>;

  constructor() {
    super();
    this.suggest = undefined;
    this.presentKeys = new Set();
    this.disabled = false;
    this.label = 'Add tag';
    this.placeholder = 'Add tag…';
    this.above = false;
    this.bare = false;
    this.value = '';
    this.list = new SuggestList<TagSuggestion>(this, {
      fetch: async (prefix) => (await this.suggest?.(prefix)) ?? [],
      accept: (item) => this.add([item.tag]),
      keeps: (item, prefix) => tagKey(item.alias ?? item.tag).startsWith(tagKey(prefix)),
      renderItem: (item) => this.renderItem(item),
      labelOf: (item) => this.itemLabel(item),
      classOf: (item) => (this.presentKeys.has(tagKey(item.tag)) ? 'present' : ''),
      canOpen: () => this.shadowRoot?.activeElement === this.input(),
      label: 'Tag suggestions',
    });
  }

  /** Focuses the text box. */
  override focus(options?: FocusOptions): void {
    this.input()?.focus(options);
  }

  /** Empties the box and closes the suggestions. */
  clear(): void {
    this.value = '';
    this.list.close();
  }

  /** The tags typed but not added yet (the box is emptied). */
  takeTyped(): string[] {
    const tags = typedTags(this.value);
    this.clear();
    return tags;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('disabled') && this.disabled) this.list.close();
  }

  protected override render(): TemplateResult {
    return html`
      <div class=${this.above ? 'wrap above' : 'wrap'}>
        <input
          type="text"
          role="combobox"
          aria-label=${this.label}
          aria-autocomplete="list"
          aria-controls="suggestions"
          aria-expanded=${this.list.expanded}
          aria-activedescendant=${ifDefined(this.list.activeId)}
          placeholder=${this.placeholder}
          autocomplete="off"
          spellcheck="false"
          .value=${live(this.value)}
          ?disabled=${this.disabled}
          @input=${this.onInput}
          @keydown=${this.onKeyDown}
          @blur=${() => this.list.close()}
        />
        ${this.list.render()}
      </div>
    `;
  }

  private renderItem(item: TagSuggestion): TemplateResult {
    const posts = postsOf(item);
    return html`
      <span class="label">${item.alias !== undefined ? html`${item.alias}<span class="arrow"> → </span>${item.tag}` : item.tag}</span>
      <span class="detail">${posts !== undefined ? `${formatCount(posts)} posts` : formatCount(item.count)}</span>
    `;
  }

  private itemLabel(item: TagSuggestion): string {
    const posts = postsOf(item);
    const name = item.alias !== undefined ? `${item.alias}, alias of ${item.tag}` : item.tag;
    const uses =
      posts !== undefined
        ? `${formatCount(posts)} posts`
        : `${formatCount(item.count)} ${item.count === 1 ? 'caption' : 'captions'}`;
    return `${name}, ${uses}${this.presentKeys.has(tagKey(item.tag)) ? ', already added' : ''}`;
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
    const prefix = text.trim();
    if (prefix === '') this.list.close();
    else this.list.request(prefix);
  }

  private onKeyDown(event: KeyboardEvent): void {
    if (this.list.keydown(event, () => this.value.trim())) return;
    if (event.altKey || event.ctrlKey || event.metaKey || event.isComposing) return;
    const input = event.target as HTMLInputElement;
    switch (event.key) {
      case 'ArrowDown':
        // Reopens the list closed with Escape.
        if (this.value.trim() === '') return;
        event.preventDefault();
        this.list.request(this.value.trim(), true);
        return;
      case 'Enter':
        event.preventDefault();
        if (this.value.trim() === '') emit(this, 'tag-submit', {});
        else this.add(this.takeTyped());
        return;
      case ',':
        event.preventDefault();
        this.add(this.takeTyped());
        return;
      case 'Escape':
        if (this.value !== '') {
          event.preventDefault();
          event.stopPropagation();
          this.clear();
        }
        return;
      case 'Backspace':
      case 'ArrowLeft':
        if (input.value === '' && input.selectionStart === 0) {
          event.preventDefault();
          emit<TagLeaveDetail>(this, 'tag-leave', { key: event.key });
        }
        return;
    }
  }

  private add(tags: string[]): void {
    this.clear();
    if (tags.length > 0) emit<TagAddDetail>(this, 'tag-add', { tags });
  }
}

/** The tag database's post count, shown for a tag no caption has yet. */
function postsOf(item: TagSuggestion): number | undefined {
  return item.count === 0 && item.postCount ? item.postCount : undefined;
}

customElements.define('tb-tag-combobox', TagCombobox);

declare global {
  interface HTMLElementTagNameMap {
    'tb-tag-combobox': TagCombobox;
  }
}
