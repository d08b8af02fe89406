/**
 * The completion list of a text box, as VS Code's suggest widget behaves: typing asks for suggestions
 * (after a short pause, answers to older requests dropped; meanwhile only shown items that still
 * complete what is typed stay); when they come the list opens with the first one highlighted; Up/Down (and PageUp/PageDown, Home/End while open) move the highlight,
 * Enter or Tab accepts the highlighted one, Escape closes the list. With the list closed, keys are
 * left to the box (Enter commits what is typed). Ctrl+Space asks for suggestions now. A Lit
 * controller: the element renders `render()` after its input, which carries `inputAttributes()`.
 */
import { css, html, nothing } from 'lit';
import type { ReactiveController, ReactiveControllerHost, TemplateResult } from 'lit';
import { debounce } from './timing.ts';

/** How a suggestion list finds and shows its items (for requests of type R: the text, or more), and what accepting one does. */
export interface SuggestListOptions<T, R> {
  /** The items for what is being completed. */
  fetch: (request: R) => Promise<T[]>;
  /** Accepts an item (the list is closed first), with Enter, Tab or a click. */
  accept: (item: T, how: 'enter' | 'tab' | 'click') => void;
  /** Whether a shown item still completes a new request (it stays shown until the new answer comes); without it, the list closes. */
  keeps?: (item: T, request: R) => boolean;
  /** The content of one option. */
  renderItem: (item: T) => TemplateResult;
  /** The accessible name of one option. */
  labelOf: (item: T) => string;
  /** Extra class names of one option. */
  classOf?: (item: T) => string;
  /** Whether the list may open now (the box still has focus). */
  canOpen: () => boolean;
  /** The listbox's accessible name and the id prefix of its options. */
  label: string;
  /** Milliseconds typing must pause before suggestions are asked for. */
  delayMs?: number;
}

const PAGE = 8;

/** A text box's list of suggestions. */
export class SuggestList<T, R = string> implements ReactiveController {
  /** The suggestions shown (empty when closed). */
  items: T[] = [];
  /** Index of the highlighted suggestion. */
  active = -1;
  private readonly host: ReactiveControllerHost & HTMLElement;
  private readonly options: SuggestListOptions<T, R>;
  private seq = 0;
  private wanted: R | null = null;
  private readonly soon: ReturnType<typeof debounce<[R]>>;

  constructor(host: ReactiveControllerHost & HTMLElement, options: SuggestListOptions<T, R>) {
    this.host = host;
    this.options = options;
    this.soon = debounce((request: R) => void this.load(request), options.delayMs ?? 60);
    host.addController(this);
  }

  /** Whether the list is showing. */
  get open(): boolean {
    return this.items.length > 0;
  }

  /** The id of the highlighted option, for `aria-activedescendant`. */
  get activeId(): string | undefined {
    return this.open && this.active >= 0 ? `option-${this.active}` : undefined;
  }

  /** Asks for suggestions after the typing pause (`now`: at once); an answer for an earlier request is dropped. */
  request(request: R, now = false): void {
    if (this.open) {
      const kept = this.options.keeps ? this.items.filter((item) => this.options.keeps!(item, request)) : [];
      if (kept.length !== this.items.length) {
        this.items = kept;
        this.active = kept.length > 0 ? 0 : -1;
        this.host.requestUpdate();
      }
    }
    this.wanted = request;
    this.soon(request);
    if (now) this.soon.flush();
  }

  /** Closes the list and drops any answer still to come. */
  close(): void {
    this.seq++;
    this.wanted = null;
    this.soon.cancel();
    if (this.items.length === 0 && this.active === -1) return;
    this.items = [];
    this.active = -1;
    this.host.requestUpdate();
  }

  hostDisconnected(): void {
    this.close();
  }

  /**
   * Handles a key press in the box while the list is open (and Ctrl+Space, which makes `request` at
   * once); true when it was handled (its default prevented), false when the box should handle it.
   */
  keydown(event: KeyboardEvent, request: () => R): boolean {
    if (event.isComposing) return false;
    if (event.key === ' ' && event.ctrlKey && !event.altKey && !event.metaKey) {
      event.preventDefault();
      this.request(request(), true);
      return true;
    }
    if (!this.open || event.altKey || event.ctrlKey || event.metaKey) return false;
    const last = this.items.length - 1;
    switch (event.key) {
      case 'ArrowDown':
        this.highlight(this.active >= last ? 0 : this.active + 1);
        break;
      case 'ArrowUp':
        this.highlight(this.active <= 0 ? last : this.active - 1);
        break;
      case 'PageDown':
        this.highlight(Math.min(last, this.active + PAGE));
        break;
      case 'PageUp':
        this.highlight(Math.max(0, this.active - PAGE));
        break;
      case 'Enter':
        this.acceptAt(this.active, 'enter');
        break;
      case 'Tab':
        if (event.shiftKey) return false;
        this.acceptAt(this.active, 'tab');
        break;
      case 'Escape':
        this.close();
        event.stopPropagation();
        break;
      default:
        return false;
    }
    event.preventDefault();
    return true;
  }

  /** The ARIA combobox state the box carries. */
  get expanded(): 'true' | 'false' {
    return this.open ? 'true' : 'false';
  }

  /** The listbox, or nothing while closed. */
  render(): TemplateResult | typeof nothing {
    if (!this.open) return nothing;
    const { renderItem, labelOf, classOf, label } = this.options;
    return html`
      <ul id="suggestions" class="suggestions" role="listbox" aria-label=${label}>
        ${this.items.map(
          (item, i) => html`<li
          id="option-${i}"
          role="option"
          class=${classOf?.(item) ?? ''}
          aria-selected=${i === this.active ? 'true' : 'false'}
          aria-label=${labelOf(item)}
          @mousedown=${(e: MouseEvent) => e.preventDefault()}
          @click=${() => this.acceptAt(i, 'click')}
        >${renderItem(item)}</li>`,
        )}
      </ul>
    `;
  }

  private highlight(index: number): void {
    this.active = index;
    this.host.requestUpdate();
    void this.host.updateComplete.then(() => {
      this.host.shadowRoot?.querySelector(`#option-${index}`)?.scrollIntoView({ block: 'nearest' });
    });
  }

  private acceptAt(index: number, how: 'enter' | 'tab' | 'click'): void {
    const item = this.items[index];
    if (item === undefined) return;
    this.close();
    this.options.accept(item, how);
  }

  private async load(request: R): Promise<void> {
    const seq = ++this.seq;
    let items: T[];
    try {
      items = await this.options.fetch(request);
    } catch (err) {
      console.warn(`Could not complete: ${(err as Error).message}`);
      items = [];
    }
    if (seq !== this.seq || this.wanted !== request) return;
    this.items = this.options.canOpen() ? items : [];
    this.active = this.items.length > 0 ? 0 : -1;
    this.host.requestUpdate();
  }
}

/** Styles of the list (`.suggestions`, below its box; `.above` on the host's wrapper puts it above). */
export const suggestListStyles = css`
  .suggestions {
    position: absolute;
    z-index: 20;
    left: 0;
    top: 100%;
    min-width: 100%;
    max-width: min(32em, 90vw);
    margin: 2px 0 0;
    padding: 2px 0;
    list-style: none;
    max-height: 240px;
    overflow-y: auto;
    background: var(--vscode-editorSuggestWidget-background, var(--vscode-editorWidget-background, #252526));
    color: var(--vscode-editorSuggestWidget-foreground, inherit);
    border: 1px solid var(--vscode-editorSuggestWidget-border, var(--vscode-widget-border, rgba(128, 128, 128, 0.4)));
    box-shadow: 0 2px 8px var(--vscode-widget-shadow, rgba(0, 0, 0, 0.36));
  }
  .above .suggestions {
    top: auto;
    bottom: 100%;
    margin: 0 0 2px;
  }
  .suggestions li {
    display: flex;
    gap: 1em;
    justify-content: space-between;
    padding: 1px 8px;
    cursor: pointer;
    white-space: nowrap;
  }
  .suggestions li:hover {
    background: var(--vscode-list-hoverBackground);
  }
  .suggestions li[aria-selected='true'] {
    background: var(--vscode-editorSuggestWidget-selectedBackground, var(--vscode-list-activeSelectionBackground, #04395e));
    color: var(--vscode-editorSuggestWidget-selectedForeground, var(--vscode-list-activeSelectionForeground, inherit));
    outline: 1px solid var(--vscode-list-focusOutline, transparent);
    outline-offset: -1px;
  }
  .suggestions .label {
    overflow: hidden;
    text-overflow: ellipsis;
  }
  .suggestions .detail {
    color: var(--vscode-descriptionForeground);
    font-variant-numeric: tabular-nums;
  }
  .suggestions li[aria-selected='true'] .detail {
    color: inherit;
    opacity: 0.8;
  }
  .suggestions .arrow {
    color: var(--vscode-descriptionForeground);
  }
  .suggestions .present .label::after {
    content: ' \\2713';
  }
`;
