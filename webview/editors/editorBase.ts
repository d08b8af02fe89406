/**
 * What both editors share: `init` and `setCaption` from the host, `edit` back to it, suggestions
 * for the add box, and pending typing sent before VS Code undoes, redoes or saves (Ctrl/Cmd+Z, Y, S
 * are left to VS Code) or the page goes away.
 */
import { LitElement, html } from 'lit';
import type { PropertyDeclarations, TemplateResult } from 'lit';
import { isWorkbenchShortcut } from './editorKeys.ts';
import type { EditorInit, EditorRpc } from './editorRpc.ts';
import { suggestionLimit } from './editorRpc.ts';
import './captionPanel.ts';
import type { CaptionEditDetail, CaptionPanel } from './captionPanel.ts';
import type { SuggestTags } from '../shared/tagCombobox.ts';

/** The base of the image and caption editor elements. */
export class EditorBase extends LitElement {
  static override properties: PropertyDeclarations = {
    state: { state: true },
  };

  /** What the host last sent with `init` (the caption in it is not kept up to date). */
  declare state: EditorInit | null;
  protected rpc: EditorRpc | null = null;
  protected readonly suggest: SuggestTags = async (prefix) =>
    (await this.rpc?.request('suggest', { prefix, limit: suggestionLimit })) ?? [];
  private readonly onWindowKeyDown = (event: KeyboardEvent): void => this.windowKeyDown(event);
  private readonly onPageHidden = (): void => {
    if (document.visibilityState === 'hidden') this.panel()?.flushAll();
  };

  constructor() {
    super();
    this.state = null;
  }

  /** Starts talking to the host: listens for `init` and `setCaption`, then says `ready`. */
  connect(rpc: EditorRpc): void {
    this.rpc = rpc;
    rpc.on('init', (params) => void this.init(params));
    rpc.on('setCaption', ({ caption }) => this.setCaption(caption));
    rpc.notify('ready', {});
  }

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('keydown', this.onWindowKeyDown, true);
    document.addEventListener('visibilitychange', this.onPageHidden);
    window.addEventListener('pagehide', this.onPageHidden);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('keydown', this.onWindowKeyDown, true);
    document.removeEventListener('visibilitychange', this.onPageHidden);
    window.removeEventListener('pagehide', this.onPageHidden);
  }

  /** Shows what `init` carries; focuses the text box when asked to, or when it had focus before. */
  protected async init(params: EditorInit): Promise<void> {
    const textHadFocus = this.panel()?.textHasFocus() ?? false;
    this.state = params;
    this.captionShown(params.caption);
    await this.updateComplete;
    const panel = this.panel();
    if (!panel) return;
    panel.load(params.caption);
    if (params.focusCaption || textHadFocus) await panel.focusText();
  }

  /** Keys pressed anywhere in the page, seen before anything else handles them. */
  protected windowKeyDown(event: KeyboardEvent): void {
    // Let VS Code undo, redo or save, but only once the typing it should include has been sent.
    if (isWorkbenchShortcut(event)) this.panel()?.flush();
  }

  /** Called with the caption whenever the one shown changes (init, setCaption, an edit sent); for subclasses. */
  protected captionShown(_caption: string): void {}

  protected panel(): CaptionPanel | null {
    return this.renderRoot.querySelector('tb-caption-panel');
  }

  protected renderPanel(state: EditorInit): TemplateResult {
    return html`
      <tb-caption-panel
        ?read-only=${state.readOnly}
        .readOnlyReason=${state.readOnlyReason}
        .suggest=${this.suggest}
        @caption-edit=${this.onCaptionEdit}
      ></tb-caption-panel>
    `;
  }

  private setCaption(caption: string): void {
    this.captionShown(caption);
    const panel = this.panel();
    if (panel) panel.setCaption(caption);
    else if (this.state) this.state = { ...this.state, caption };
  }

  private onCaptionEdit(event: CustomEvent<CaptionEditDetail>): void {
    event.stopPropagation();
    if (this.state?.readOnly) return;
    this.captionShown(event.detail.caption);
    this.rpc?.notify('edit', { caption: event.detail.caption, label: event.detail.label });
  }
}
