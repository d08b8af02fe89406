/**
 * tb-batch-bar: batch actions on the selection (add, remove or replace tags, set a caption prefix,
 * accept or reject model suggestions, move to trash, create a project) and the status line of their outcome with an Undo button
 * (and, after an undo, a Redo button).
 * Every edit is previewed by the host first; a preview that needs confirmation is shown in
 * tb-batch-preview and applied by its plan id only after Apply. A move to the trash is confirmed by
 * the host itself (a VS Code dialog) when it is applied.
 */
import { LitElement, css, html, nothing } from 'lit';
import type { TemplateResult } from 'lit';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import type { BatchAction, BatchOutcome, ReviewSuggestionsAction } from '../../src/protocol/galleryProtocol.ts';
import { RpcError } from '../../src/protocol/rpc.ts';
import { batchActionTitle } from '../../src/shared/batchAction.ts';
import { emit } from '../shared/events.ts';
import { formatCount, plural } from '../shared/format.ts';
import './batchPreview.ts';
import type { BatchPreview } from './batchPreview.ts';
import { baseStyles } from '../shared/baseStyles.ts';
import type { GalleryRpc } from './galleryRpc.ts';
import type { GallerySelection } from './selection.ts';
import './tagInput.ts';
import type { TagInput } from './tagInput.ts';

/** Which form is open. */
type Mode = 'addTags' | 'removeTags' | 'replaceTag' | 'setPrefix' | 'review' | 'project';

/** What a suggestion review does with the suggestions it matches. */
type Decision = 'accept' | 'reject';

/** The status line. */
interface Status {
  text: string;
  error: boolean;
  conflicts: { path: string; reason: string }[];
  undo: boolean;
  /** After an undo: the batch can be applied again. */
  redo?: boolean;
}

const MODES: { mode: Mode; label: string; icon: string }[] = [
  { mode: 'addTags', label: 'Add tags', icon: 'add' },
  { mode: 'removeTags', label: 'Remove tags', icon: 'remove' },
  { mode: 'replaceTag', label: 'Replace tag', icon: 'replace' },
  { mode: 'setPrefix', label: 'Set prefix', icon: 'symbol-key' },
  { mode: 'review', label: 'Review suggestions', icon: 'sparkle' },
  { mode: 'project', label: 'New project', icon: 'folder-library' },
];

/** The batch action bar and status line. */
export class BatchBar extends LitElement {
  static override styles = [
    baseStyles,
    css`
    :host {
      display: block;
      border-top: 1px solid var(--vscode-panel-border, rgba(128, 128, 128, 0.35));
      padding: 4px 8px;
      container-type: inline-size;
    }
    @container (max-width: 560px) {
      .actions .label {
        display: none;
      }
    }
    .actions,
    form,
    .status {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 4px 6px;
    }
    .selected {
      margin-right: 6px;
    }
    form {
      margin-top: 6px;
      padding: 6px;
      border: 1px solid var(--vscode-widget-border, rgba(128, 128, 128, 0.35));
      border-radius: 3px;
    }
    form label {
      display: flex;
      align-items: center;
      gap: 4px;
    }
    tb-tag-input {
      flex: 1 1 16em;
    }
    vscode-textfield {
      flex: 1 1 10em;
    }
    #decision {
      width: 7em;
    }
    vscode-textfield.confidence {
      flex: 0 0 8em;
      width: 8em;
    }
    .invalid {
      color: var(--vscode-errorForeground);
      flex-basis: 100%;
    }
    .status {
      margin-top: 4px;
      min-height: 22px;
    }
    .status.error {
      color: var(--vscode-errorForeground);
    }
    details {
      flex-basis: 100%;
    }
    details ul {
      margin: 2px 0;
      padding-left: 18px;
      max-height: 120px;
      overflow: auto;
    }
  `,
  ];

  static override properties = {
    rpc: { attribute: false },
    selection: { attribute: false },
    count: { type: Number },
    mode: { state: true },
    busy: { state: true },
    status: { state: true },
    tags: { state: true },
    problem: { state: true },
    decision: { state: true },
  };

  declare rpc: GalleryRpc | null;
  /** The selection the actions apply to. */
  declare selection: GallerySelection | null;
  /** How many images are selected. */
  declare count: number;
  declare mode: Mode | null;
  declare busy: boolean;
  declare status: Status | null;
  declare tags: string[];
  declare problem: string;
  /** The review form's decision: its confidence field reads "at or above" to accept, "below" to reject. */
  declare decision: Decision;

  constructor() {
    super();
    this.rpc = null;
    this.selection = null;
    this.count = 0;
    this.mode = null;
    this.busy = false;
    this.status = null;
    this.tags = [];
    this.problem = '';
    this.decision = 'accept';
  }

  override render(): TemplateResult {
    const none = this.count === 0 || this.busy;
    return html`
      <div class="actions" role="toolbar" aria-label="Batch actions on the selected images">
        <span class="selected ${this.count === 0 ? 'muted' : ''}">${this.count === 0 ? 'No selection' : `${formatCount(this.count)} selected`}</span>
        ${MODES.map(
          ({ mode, label, icon }) => html`<vscode-button
          secondary
          icon=${icon}
          aria-label=${label}
          title=${label}
          ?disabled=${none}
          aria-pressed=${this.mode === mode ? 'true' : 'false'}
          @click=${() => this.open(mode)}
        ><span class="label">${label}</span></vscode-button>`,
        )}
        <vscode-button secondary icon="trash" aria-label="Move to trash" title="Move to the Tagbench trash" ?disabled=${none} @click=${this.trash}><span class="label">Trash</span></vscode-button>
      </div>
      ${this.mode ? this.renderForm(this.mode) : nothing}
      ${this.renderStatus()}
      <tb-batch-preview></tb-batch-preview>
    `;
  }

  private renderForm(mode: Mode): TemplateResult {
    const body = ((): TemplateResult => {
      switch (mode) {
        case 'addTags':
          return html`
            <tb-tag-input label="Tags to add" .rpc=${this.rpc} .tags=${this.tags} @tags-change=${this.onTags} @tag-input-submit=${this.submit}></tb-tag-input>
            <vscode-single-select id="position" label="Where to add" title="Where to add the tags">
              <vscode-option value="end" selected>At the end</vscode-option>
              <vscode-option value="start">At the start</vscode-option>
            </vscode-single-select>`;
        case 'removeTags':
          return html`<tb-tag-input label="Tags to remove" .rpc=${this.rpc} .tags=${this.tags} @tags-change=${this.onTags} @tag-input-submit=${this.submit}></tb-tag-input>`;
        case 'replaceTag':
          return html`
            <vscode-textfield id="find" label="Find tag" placeholder="Find tag"></vscode-textfield>
            <vscode-textfield id="replace" label="Replace with" placeholder="Replace with (empty removes)"></vscode-textfield>
            <vscode-checkbox id="regex" label="Regular expression">Regex</vscode-checkbox>`;
        case 'setPrefix':
          return html`<vscode-textfield id="prefix" label="Caption prefix" placeholder="Trigger word, e.g. ohwx woman"></vscode-textfield>`;
        case 'review':
          return this.renderReview();
        case 'project':
          return html`<vscode-textfield id="name" label="Project name" placeholder="Project name" maxlength="100"></vscode-textfield>`;
      }
    })();
    const submitLabel = mode === 'project' ? 'Create project' : 'Preview and apply';
    return html`
      <form aria-label=${MODES.find((m) => m.mode === mode)!.label} @submit=${this.onSubmit} @keydown=${this.onFormKey}>
        ${body}
        <vscode-button ?disabled=${this.busy} @click=${this.submit}>${submitLabel}</vscode-button>
        <vscode-button secondary @click=${this.closeForm}>Cancel</vscode-button>
        ${this.problem ? html`<span class="invalid" role="alert">${this.problem}</span>` : nothing}
      </form>`;
  }

  private renderReview(): TemplateResult {
    const accept = this.decision === 'accept';
    const threshold = accept ? 'at or above' : 'below';
    return html`
      <vscode-single-select id="decision" label="Decision" aria-label="Accept or reject the matching suggestions" title="Accept or reject the matching suggestions" @change=${this.onDecision}>
        <vscode-option value="accept" ?selected=${accept}>Accept</vscode-option>
        <vscode-option value="reject" ?selected=${!accept}>Reject</vscode-option>
      </vscode-single-select>
      <vscode-textfield id="model" label="Only the suggestions of this model (empty: any model)" placeholder="Model (any), e.g. tagger:wd-vit-tagger-v3"></vscode-textfield>
      <label class="threshold"><span aria-hidden="true">Confidence ${threshold}</span>
        <vscode-textfield id="confidence" class="confidence" label="Confidence ${threshold}, from 0 to 1 (empty: any)" placeholder="any, e.g. 0.5"></vscode-textfield>
      </label>`;
  }

  private renderStatus(): TemplateResult {
    const s = this.status;
    return html`
      <div class="status ${s?.error ? 'error' : ''}" role="status" aria-live="polite">
        ${s ? html`<span>${s.text}</span>` : nothing}
        ${
          s && s.conflicts.length > 0
            ? html`
          <details>
            <summary>${plural(s.conflicts.length, 'conflict')}: changed on disk since read, left alone</summary>
            <ul>${s.conflicts.map((c) => html`<li><span>${c.path}</span>: <span class="muted">${c.reason}</span></li>`)}</ul>
          </details>`
            : nothing
        }
        ${s?.undo ? html`<vscode-button secondary icon="discard" ?disabled=${this.busy} @click=${this.undo}>Undo</vscode-button>` : nothing}
        ${s?.redo ? html`<vscode-button secondary icon="redo" ?disabled=${this.busy} @click=${this.redo}>Redo</vscode-button>` : nothing}
      </div>
    `;
  }

  private open(mode: Mode): void {
    if (this.mode === mode) {
      this.closeForm();
      return;
    }
    this.mode = mode;
    this.tags = [];
    this.problem = '';
    this.decision = 'accept';
    void this.updateComplete.then(() =>
      this.renderRoot.querySelector<HTMLElement>('form tb-tag-input, form #decision, form vscode-textfield')?.focus(),
    );
  }

  private closeForm(): void {
    this.mode = null;
    this.problem = '';
  }

  private onTags(event: CustomEvent<{ tags: string[] }>): void {
    this.tags = event.detail.tags;
  }

  private onDecision(event: Event): void {
    this.decision = (event.currentTarget as HTMLInputElement).value === 'reject' ? 'reject' : 'accept';
    this.problem = '';
  }

  private onSubmit(event: Event): void {
    event.preventDefault();
    this.submit();
  }

  private onFormKey(event: KeyboardEvent): void {
    if (event.key === 'Escape') {
      event.stopPropagation();
      this.closeForm();
    } else if (event.key === 'Enter' && (event.target as HTMLElement).localName === 'vscode-textfield') {
      event.preventDefault();
      this.submit();
    }
  }

  private readonly submit = (): void => {
    if (this.busy || !this.mode) return;
    const field = (id: string): string => this.renderRoot.querySelector<HTMLInputElement>(`#${id}`)?.value ?? '';
    this.problem = '';
    switch (this.mode) {
      case 'addTags':
      case 'removeTags': {
        const tags = this.renderRoot.querySelector<TagInput>('tb-tag-input')?.commit() ?? this.tags;
        if (tags.length === 0) {
          this.problem = 'Type at least one tag.';
          return;
        }
        const action: BatchAction =
          this.mode === 'addTags'
            ? { kind: 'addTags', tags, position: field('position') === 'start' ? 'start' : 'end' }
            : { kind: 'removeTags', tags };
        void this.runBatch(action);
        return;
      }
      case 'replaceTag': {
        const find = field('find').trim();
        const regex = this.renderRoot.querySelector<HTMLInputElement>('#regex')?.checked ?? false;
        if (find === '') {
          this.problem = 'Type the tag to find.';
          return;
        }
        if (regex) {
          try {
            new RegExp(find, 'u');
          } catch (err) {
            this.problem = `Invalid regular expression: ${(err as Error).message}`;
            return;
          }
        }
        void this.runBatch({ kind: 'replaceTag', find, replace: field('replace').trim(), regex });
        return;
      }
      case 'setPrefix': {
        const prefix = field('prefix').trim();
        if (prefix === '') {
          this.problem = 'Type the prefix (trigger word).';
          return;
        }
        void this.runBatch({ kind: 'setPrefix', prefix });
        return;
      }
      case 'review': {
        const confidence = parseConfidence(field('confidence'));
        if (confidence === null) {
          this.problem = 'The confidence must be a number from 0 to 1 (e.g. 0.5), or empty for any.';
          return;
        }
        const model = field('model')
          .trim()
          .replace(/^model:/i, '');
        const action: ReviewSuggestionsAction = { kind: 'reviewSuggestions', decision: this.decision };
        if (model !== '') action.model = model;
        if (confidence !== undefined) {
          if (this.decision === 'accept') action.minConfidence = confidence;
          else action.belowConfidence = confidence;
        }
        void this.runBatch(action);
        return;
      }
      case 'project': {
        const name = field('name').trim();
        if (name === '') {
          this.problem = 'Type a name for the project.';
          return;
        }
        void this.createProject(name);
      }
    }
  };

  private readonly trash = (): void => {
    void this.runBatch({ kind: 'trash' });
  };

  /** Preview, confirm when the host asks for it, apply by plan id, and report. */
  private async runBatch(action: BatchAction): Promise<void> {
    const rpc = this.rpc;
    const selection = this.selection?.toProtocol();
    if (!rpc || !selection || this.count === 0) return;
    this.busy = true;
    this.setStatus('Preparing the change...');
    try {
      const preview = await rpc.request('previewBatch', { selection, action });
      if (preview.changed === 0) {
        this.setStatus(`Nothing to change in ${plural(preview.files, 'file')}.`);
        return;
      }
      if (preview.needsConfirmation && action.kind !== 'trash') {
        const dialog = this.renderRoot.querySelector<BatchPreview>('tb-batch-preview')!;
        const apply = await dialog.confirm(preview, batchActionTitle(action));
        if (!apply) {
          this.setStatus('Cancelled: nothing was changed.');
          return;
        }
      }
      this.setStatus('Applying...');
      const outcome = await rpc.request('applyBatch', { planId: preview.planId });
      this.showOutcome(outcome, true);
      this.mode = null;
      emit(this, 'batch-applied', { outcome });
    } catch (err) {
      if (err instanceof RpcError && err.code === 'cancelled') this.setStatus('Cancelled: nothing was changed.');
      else this.setStatus(`The change failed: ${(err as Error).message}`, true);
    } finally {
      this.busy = false;
    }
  }

  private async createProject(name: string): Promise<void> {
    const rpc = this.rpc;
    const selection = this.selection?.toProtocol();
    if (!rpc || !selection) return;
    this.busy = true;
    try {
      const project = await rpc.request('createProject', { name, selection });
      this.setStatus(`Created project "${project.name}" with ${plural(project.images, 'image')}.`);
      this.mode = null;
    } catch (err) {
      this.setStatus(`Could not create the project: ${(err as Error).message}`, true);
    } finally {
      this.busy = false;
    }
  }

  private readonly undo = async (): Promise<void> => {
    if (!this.rpc || this.busy) return;
    this.busy = true;
    try {
      const outcome = await this.rpc.request('undoBatch', {});
      if (outcome) {
        this.showOutcome(outcome, false);
        if (outcome.changed > 0) this.status = { ...this.status!, redo: true };
        emit(this, 'batch-applied', { outcome });
      } else {
        this.setStatus('Nothing to undo.');
      }
    } catch (err) {
      this.setStatus(`Undo failed: ${(err as Error).message}`, true);
    } finally {
      this.busy = false;
    }
  };

  private readonly redo = async (): Promise<void> => {
    if (!this.rpc || this.busy) return;
    this.busy = true;
    try {
      const outcome = await this.rpc.request('redoBatch', {});
      if (outcome) {
        this.showOutcome(outcome, true);
        emit(this, 'batch-applied', { outcome });
      } else {
        this.setStatus('Nothing to redo (a batch edit came since the undo).');
      }
    } catch (err) {
      this.setStatus(`Redo failed: ${(err as Error).message}`, true);
    } finally {
      this.busy = false;
    }
  };

  private showOutcome(outcome: BatchOutcome, undoable: boolean): void {
    this.status = {
      text: outcome.summary,
      error: false,
      conflicts: outcome.conflicts,
      undo: undoable && outcome.changed > 0,
    };
  }

  private setStatus(text: string, error = false): void {
    this.status = { text, error, conflicts: [], undo: false };
  }
}

/** A confidence typed in the review form: undefined when empty (any), null when it is no number from 0 to 1. */
function parseConfidence(text: string): number | undefined | null {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  if (!/^(?:\d+(?:\.\d*)?|\.\d+)$/.test(trimmed)) return null;
  const value = Number(trimmed);
  return value >= 0 && value <= 1 ? value : null;
}

customElements.define('tb-batch-bar', BatchBar);

declare global {
  interface HTMLElementTagNameMap {
    'tb-batch-bar': BatchBar;
  }
}
