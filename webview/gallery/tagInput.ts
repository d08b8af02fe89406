/**
 * tb-tag-input: a list of tags typed as chips, with completion from the index's tags (an ARIA
 * combobox: arrows pick a suggestion, Enter or "," adds, Backspace on an empty box removes the
 * last chip, Escape closes the suggestions). The suggestions open above the box, which sits at the
 * bottom of the panel. Enter on an empty box asks to submit the form.
 */
import { LitElement, css, html, nothing } from 'lit';
import type { TemplateResult } from 'lit';
import { live } from 'lit/directives/live.js';
import { ifDefined } from 'lit/directives/if-defined.js';
import { emit } from '../shared/events.ts';
import { formatCount } from '../shared/format.ts';
import { debounce } from '../shared/timing.ts';
import { baseStyles, chipStyles } from '../shared/baseStyles.ts';
import type { GalleryRpc } from './galleryRpc.ts';
import type { TagSuggestion } from '../../src/protocol/galleryProtocol.ts';

/** Tag entry with completion. */
export class TagInput extends LitElement {
  static override styles = [baseStyles, chipStyles, css`
    :host {
      display: block;
      position: relative;
      min-width: 12em;
    }
    .box {
      display: flex;
      flex-wrap: wrap;
      gap: 4px;
      align-items: center;
      padding: 2px;
      background: var(--vscode-input-background);
      border: 1px solid var(--vscode-input-border, var(--vscode-dropdown-border, transparent));
      border-radius: 2px;
    }
    .box:focus-within {
      outline: 1px solid var(--vscode-focusBorder, #007fd4);
      outline-offset: -1px;
    }
    input[type='text'] {
      flex: 1 1 8em;
      border: none;
      outline: none !important;
      background: transparent;
    }
    .chip button {
      font: inherit;
      color: inherit;
      background: none;
      border: none;
      padding: 0 2px;
      cursor: pointer;
    }
    ul {
      position: absolute;
      z-index: 10;
      left: 0;
      right: 0;
      bottom: 100%;
      margin: 0 0 2px;
      padding: 2px 0;
      list-style: none;
      max-height: 220px;
      overflow-y: auto;
      background: var(--vscode-editorSuggestWidget-background, var(--vscode-editorWidget-background, var(--vscode-editor-background, #252526)));
      border: 1px solid var(--vscode-editorSuggestWidget-border, var(--vscode-widget-border, rgba(128, 128, 128, 0.4)));
      box-shadow: 0 2px 8px var(--vscode-widget-shadow, rgba(0, 0, 0, 0.36));
    }
    li {
      display: flex;
      justify-content: space-between;
      gap: 8px;
      padding: 2px 8px;
      cursor: pointer;
    }
    li[aria-selected='true'] {
      background: var(--vscode-editorSuggestWidget-selectedBackground, var(--vscode-list-activeSelectionBackground, #04395e));
      color: var(--vscode-editorSuggestWidget-selectedForeground, var(--vscode-list-activeSelectionForeground, inherit));
    }
  `];

  static override properties = {
    rpc: { attribute: false },
    tags: { attribute: false },
    label: { type: String },
    text: { state: true },
    suggestions: { state: true },
    active: { state: true },
  };

  declare rpc: GalleryRpc | null;
  declare tags: string[];
  declare label: string;
  declare text: string;
  declare suggestions: TagSuggestion[];
  declare active: number;
  private seq = 0;
  private readonly suggestSoon = debounce((prefix: string) => void this.suggest(prefix), 100);

  constructor() {
    super();
    this.rpc = null;
    this.tags = [];
    this.label = 'Tags';
    this.text = '';
    this.suggestions = [];
    this.active = -1;
  }

  /** Adds what is typed but not yet added, and returns all the tags. */
  commit(): string[] {
    this.addTyped(this.text);
    return this.tags;
  }

  override focus(): void {
    this.renderRoot.querySelector('input')?.focus();
  }

  override render(): TemplateResult {
    const open = this.suggestions.length > 0;
    return html`
      <div class="box">
        ${this.tags.map((tag) => html`<span class="chip">${tag}<button aria-label="Remove ${tag}" title="Remove" @click=${() => this.removeTag(tag)}>\u00d7</button></span>`)}
        <input
          type="text"
          role="combobox"
          aria-label=${this.label}
          aria-autocomplete="list"
          aria-controls="suggestions"
          aria-expanded=${open ? 'true' : 'false'}
          aria-activedescendant=${ifDefined(open && this.active >= 0 ? `suggestion-${this.active}` : undefined)}
          placeholder=${this.tags.length === 0 ? 'Type a tag, Enter to add' : ''}
          autocomplete="off"
          .value=${live(this.text)}
          @input=${this.onInput}
          @keydown=${this.onKeyDown}
          @blur=${this.onBlur}
        />
      </div>
      ${open ? html`
        <ul id="suggestions" role="listbox" aria-label="Suggestions">
          ${this.suggestions.map((s, i) => html`<li
            id="suggestion-${i}"
            role="option"
            aria-selected=${i === this.active ? 'true' : 'false'}
            @mousedown=${(e: MouseEvent) => e.preventDefault()}
            @click=${() => this.pick(s.tag)}
          ><span>${s.alias !== undefined ? `${s.alias} → ${s.tag}` : s.tag}</span><span class="muted">${suggestionCount(s)}</span></li>`)}
        </ul>` : nothing}
    `;
  }

  private onInput(event: Event): void {
    const value = (event.currentTarget as HTMLInputElement).value;
    if (value.includes(',')) {
      const parts = value.split(',');
      this.text = parts.pop()!;
      for (const part of parts) this.addTyped(part);
    } else {
      this.text = value;
    }
    this.active = -1;
    if (this.text.trim() === '') this.close();
    else this.suggestSoon(this.text.trim());
  }

  private onKeyDown(event: KeyboardEvent): void {
    const count = this.suggestions.length;
    switch (event.key) {
      case 'ArrowDown':
        if (count === 0) return;
        this.active = (this.active + 1) % count;
        break;
      case 'ArrowUp':
        if (count === 0) return;
        this.active = this.active <= 0 ? count - 1 : this.active - 1;
        break;
      case 'Enter':
        if (this.active >= 0 && this.suggestions[this.active]) this.pick(this.suggestions[this.active]!.tag);
        else if (this.text.trim() !== '') this.addTyped(this.text);
        else emit(this, 'tag-input-submit', {});
        break;
      case 'Escape':
        if (count === 0) return;
        this.close();
        break;
      case 'Backspace':
        if (this.text !== '' || this.tags.length === 0) return;
        this.removeTag(this.tags[this.tags.length - 1]!);
        break;
      default:
        return;
    }
    event.preventDefault();
    event.stopPropagation();
  }

  private onBlur(): void {
    this.close();
  }

  private pick(tag: string): void {
    this.text = '';
    this.addTyped(tag);
    this.focus();
  }

  private addTyped(text: string): void {
    this.close();
    const tag = text.trim();
    if (tag === '') return;
    this.text = '';
    if (!this.tags.includes(tag)) this.setTags([...this.tags, tag]);
  }

  private removeTag(tag: string): void {
    this.setTags(this.tags.filter((t) => t !== tag));
    this.focus();
  }

  private setTags(tags: string[]): void {
    this.tags = tags;
    emit(this, 'tags-change', { tags });
  }

  private close(): void {
    this.seq++;
    this.suggestSoon.cancel();
    this.suggestions = [];
    this.active = -1;
  }

  private async suggest(prefix: string): Promise<void> {
    if (!this.rpc) return;
    const seq = ++this.seq;
    try {
      const found = await this.rpc.request('tagSuggestions', { prefix, limit: 12 });
      if (seq !== this.seq) return;
      this.suggestions = found.filter((s) => !this.tags.includes(s.tag));
      this.active = -1;
    } catch (err) {
      console.warn(`Could not complete tags: ${(err as Error).message}`);
    }
  }
}

/** Images with the tag in the dataset, else the tag database's post count. */
function suggestionCount(s: TagSuggestion): string {
  if (s.count > 0 || !s.postCount) return formatCount(s.count);
  return `${formatCount(s.postCount)} posts`;
}

customElements.define('tb-tag-input', TagInput);

declare global {
  interface HTMLElementTagNameMap {
    'tb-tag-input': TagInput;
  }
}
