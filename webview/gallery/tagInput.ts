/**
 * tb-tag-input: a list of tags typed as chips for the gallery's batch forms, added with the shared
 * tag box (tb-tag-combobox: completion from the index's tags, Enter and Tab accept the highlighted
 * suggestion, "," or Enter add what is typed). Backspace in the empty box removes the last chip; Enter
 * in the empty box asks to submit the form (`tag-input-submit`). The suggestions open above the box,
 * which sits at the bottom of the panel.
 */
import { LitElement, css, html } from 'lit';
import type { TemplateResult } from 'lit';
import { tagKey } from '../../src/shared/tags.ts';
import { baseStyles, chipStyles } from '../shared/baseStyles.ts';
import { emit } from '../shared/events.ts';
import '../shared/tagCombobox.ts';
import type { SuggestTags, TagAddDetail, TagCombobox, TagLeaveDetail } from '../shared/tagCombobox.ts';
import type { GalleryRpc } from './galleryRpc.ts';

/** Tag entry with completion. */
export class TagInput extends LitElement {
  static override styles = [
    baseStyles,
    chipStyles,
    css`
    :host {
      display: block;
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
    tb-tag-combobox {
      flex: 1 1 8em;
    }
    .chip button {
      font: inherit;
      color: inherit;
      background: none;
      border: none;
      padding: 0 2px;
      cursor: pointer;
    }
  `,
  ];

  static override properties = {
    rpc: { attribute: false },
    tags: { attribute: false },
    label: { type: String },
  };

  declare rpc: GalleryRpc | null;
  declare tags: string[];
  declare label: string;
  private readonly suggest: SuggestTags = async (prefix) =>
    this.rpc ? this.rpc.request('tagSuggestions', { prefix, limit: 12 }) : [];

  constructor() {
    super();
    this.rpc = null;
    this.tags = [];
    this.label = 'Tags';
  }

  /** Adds what is typed but not yet added, and returns all the tags. */
  commit(): string[] {
    const typed = this.box()?.takeTyped() ?? [];
    if (typed.length > 0) this.addTags(typed);
    return this.tags;
  }

  override focus(): void {
    this.box()?.focus();
  }

  override render(): TemplateResult {
    return html`
      <div class="box">
        ${this.tags.map((tag) => html`<span class="chip">${tag}<button aria-label="Remove ${tag}" title="Remove" @click=${() => this.removeTag(tag)}>\u00d7</button></span>`)}
        <tb-tag-combobox
          bare
          above
          .label=${this.label}
          .placeholder=${this.tags.length === 0 ? 'Type a tag, Enter to add' : ''}
          .suggest=${this.suggest}
          .presentKeys=${new Set(this.tags.map(tagKey))}
          @tag-add=${this.onTagAdd}
          @tag-leave=${this.onTagLeave}
          @tag-submit=${this.onSubmit}
        ></tb-tag-combobox>
      </div>
    `;
  }

  private box(): TagCombobox | null {
    return this.renderRoot.querySelector('tb-tag-combobox');
  }

  private onTagAdd(event: CustomEvent<TagAddDetail>): void {
    event.stopPropagation();
    this.addTags(event.detail.tags);
  }

  private onTagLeave(event: CustomEvent<TagLeaveDetail>): void {
    event.stopPropagation();
    if (event.detail.key === 'Backspace' && this.tags.length > 0) this.removeTag(this.tags[this.tags.length - 1]!);
  }

  private onSubmit(event: Event): void {
    event.stopPropagation();
    emit(this, 'tag-input-submit', {});
  }

  private addTags(tags: string[]): void {
    const keys = new Set(this.tags.map(tagKey));
    const added = tags.filter((tag) => {
      const key = tagKey(tag);
      if (keys.has(key)) return false;
      keys.add(key);
      return true;
    });
    if (added.length > 0) this.setTags([...this.tags, ...added]);
  }

  private removeTag(tag: string): void {
    this.setTags(this.tags.filter((t) => t !== tag));
    this.focus();
  }

  private setTags(tags: string[]): void {
    this.tags = tags;
    emit(this, 'tags-change', { tags });
  }
}

customElements.define('tb-tag-input', TagInput);

declare global {
  interface HTMLElementTagNameMap {
    'tb-tag-input': TagInput;
  }
}
