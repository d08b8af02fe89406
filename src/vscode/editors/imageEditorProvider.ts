/**
 * The Tagbench Image Editor: a custom editor for image files showing the image, its caption as text
 * and as tag chips, its crop, its facts and problems. Caption and crop changes are document edits
 * (dirty state, undo, redo, save, revert, hot-exit backup); next/previous walk the results the image
 * was opened from. Reviewing model suggestions changes the caption and the suggestions' statuses
 * (kept in the sidecar) as one edit.
 */
import * as vscode from 'vscode';
import { basename, dirname, join } from 'node:path';
import { RpcEndpoint } from '../../protocol/rpc.ts';
import { editorRequestChecks } from '../../protocol/editorProtocol.ts';
import type {
  CropChange,
  CropView,
  EditorHost,
  EditorView,
  ImageFactsView,
  SuggestionReview,
} from '../../protocol/editorProtocol.ts';
import { rectProblem } from '../../core/processing/cropRect.ts';
import type { DatasetRegistry } from '../datasetRegistry.ts';
import type { DatasetSession } from '../datasetSession.ts';
import { rememberResults, resultsOf } from '../resultsContext.ts';
import { datasetSettingsFor } from '../settings.ts';
import { webviewHtml } from '../webviewHtml.ts';
import { CaptionDocument } from './captionDocument.ts';
import { cropPresets } from './cropPresets.ts';
import { reviewStep } from './suggestionReview.ts';

/** The view type of the image editor. */
export const IMAGE_EDITOR_VIEW_TYPE = 'tagbench.imageEditor';

/** Images whose editor should put focus in the caption when it opens (reached by next/previous). */
const focusOnOpen = new Set<string>();

/** Provides the image editor. */
export class ImageEditorProvider implements vscode.CustomEditorProvider<CaptionDocument> {
  private readonly context: vscode.ExtensionContext;
  private readonly registry: DatasetRegistry;
  private readonly changed = new vscode.EventEmitter<vscode.CustomDocumentEditEvent<CaptionDocument>>();
  readonly onDidChangeCustomDocument = this.changed.event;
  /** Documents with edits (or undos, redos) since they were last saved or reverted, as VS Code counts them. */
  private readonly unsaved = new WeakSet<CaptionDocument>();

  /** Registers the provider. */
  static register(context: vscode.ExtensionContext, registry: DatasetRegistry): vscode.Disposable {
    return vscode.window.registerCustomEditorProvider(
      IMAGE_EDITOR_VIEW_TYPE,
      new ImageEditorProvider(context, registry),
      {
        webviewOptions: { retainContextWhenHidden: false },
        supportsMultipleEditorsPerDocument: true,
      },
    );
  }

  private constructor(context: vscode.ExtensionContext, registry: DatasetRegistry) {
    this.context = context;
    this.registry = registry;
  }

  async openCustomDocument(uri: vscode.Uri, openContext: vscode.CustomDocumentOpenContext): Promise<CaptionDocument> {
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    const captionExtension = (folder && datasetSettingsFor(folder.uri).captionExtension) ?? '.txt';
    return CaptionDocument.open(uri, this.registry.sessionOf(uri)?.root, captionExtension, openContext.backupId);
  }

  async resolveCustomEditor(document: CaptionDocument, panel: vscode.WebviewPanel): Promise<void> {
    const session = this.registry.sessionOf(document.uri);
    const roots = [
      vscode.Uri.joinPath(this.context.extensionUri, 'dist', 'webview'),
      vscode.Uri.file(dirname(document.uri.fsPath)),
    ];
    panel.webview.options = { enableScripts: true, localResourceRoots: roots };
    const rpc = new RpcEndpoint<EditorHost, EditorView>((message) => void panel.webview.postMessage(message));
    rpc.onProblem = (problem) => console.warn(`Tagbench image editor: ${problem}`);
    const checks = editorRequestChecks;
    const subscriptions: vscode.Disposable[] = [
      panel.webview.onDidReceiveMessage((message: unknown) => rpc.receive(message)),
      document.onDidChangeCaption((caption) => rpc.notify('setCaption', { caption })),
      document.onDidChangeCrop((crop) => rpc.notify('setCrop', { crop })),
      document.onDidChangeSuggestions((suggestions) => rpc.notify('setSuggestions', { suggestions })),
    ];
    rpc.on('ready', () => void this.sendInit(document, panel, rpc, session), checks.ready);
    rpc.on('edit', ({ caption, label }) => this.edit(document, caption, label), checks.edit);
    rpc.on(
      'crop',
      (change) => {
        if (!this.editCrop(document, change)) rpc.notify('setCrop', { crop: document.crop });
      },
      checks.crop,
    );
    rpc.on('review', (review) => this.review(document, review), checks.review);
    rpc.handle(
      'suggest',
      async ({ prefix, limit }) => (session ? (await session.data()).request('tagSuggestions', { prefix, limit }) : []),
      checks.suggest,
    );
    rpc.handle('navigate', async ({ step }) => this.navigate(document, session, step), checks.navigate);
    panel.onDidDispose(() => {
      rpc.dispose();
      for (const s of subscriptions) s.dispose();
    });
    panel.webview.html = webviewHtml(panel.webview, this.context.extensionUri, {
      script: 'imageEditor',
      element: 'tb-image-editor',
      title: basename(document.uri.fsPath),
    });
  }

  saveCustomDocument(document: CaptionDocument): Thenable<void> {
    return document.save().then(() => {
      this.unsaved.delete(document);
      return this.reindex(document);
    });
  }

  saveCustomDocumentAs(document: CaptionDocument, destination: vscode.Uri): Thenable<void> {
    const stem = destination.fsPath.slice(0, destination.fsPath.lastIndexOf('.'));
    return document.save(stem + document.captionFile.slice(document.captionFile.lastIndexOf('.')));
  }

  revertCustomDocument(document: CaptionDocument): Thenable<void> {
    return document.revert().then(() => {
      this.unsaved.delete(document);
    });
  }

  backupCustomDocument(
    document: CaptionDocument,
    context: vscode.CustomDocumentBackupContext,
  ): Thenable<vscode.CustomDocumentBackup> {
    return document.backup(context.destination);
  }

  /** Records a caption change as an undoable edit. */
  private edit(document: CaptionDocument, caption: string, label: string): void {
    if (document.readOnlyReason) return;
    const before = document.caption;
    if (caption === before) return;
    document.setCaption(caption);
    this.record(
      document,
      label,
      () => document.setCaption(before),
      () => document.setCaption(caption),
    );
  }

  /**
   * Puts an applied change on VS Code's undo stack. VS Code counts the document as changed from then
   * on (until it is saved, reverted or undone to the save point), even when a later edit brings the
   * text back: navigation saves such a document rather than closing its tab with a prompt.
   */
  private record(document: CaptionDocument, label: string, undo: () => void, redo: () => void): void {
    this.unsaved.add(document);
    this.changed.fire({
      document,
      label,
      undo: () => {
        this.unsaved.add(document);
        undo();
      },
      redo: () => {
        this.unsaved.add(document);
        redo();
      },
    });
  }

  /** Records a review of suggestions (caption and statuses together) as one undoable edit. */
  private review(document: CaptionDocument, review: SuggestionReview): void {
    if (document.readOnlyReason) return;
    const step = reviewStep(document.caption, document.tags, document.suggestions, review);
    if (!step) return;
    const before = { caption: document.caption, tags: document.tags };
    const apply = (state: { caption: string; tags: typeof document.tags }): void => {
      document.setCaption(state.caption);
      document.setTags(state.tags);
    };
    apply(step);
    this.record(
      document,
      step.label,
      () => apply(before),
      () => apply(step),
    );
  }

  /** Records a crop change as an undoable edit; false when it is refused (a rect outside the image). */
  private editCrop(document: CaptionDocument, change: CropChange): boolean {
    let crop: CropView | null = null;
    if (change.state !== 'none') {
      const problem = rectProblem(change.rect, document.imageSize);
      if (problem) {
        console.warn(`Tagbench image editor: refused a crop: ${problem}`);
        return false;
      }
      const { left, top, width, height } = change.rect;
      crop = { state: change.state, rect: { left, top, width, height } };
    }
    const before = document.crop;
    document.setCrop(crop);
    if (document.crop === before) return true;
    const label =
      change.label || (change.state === 'none' ? 'Remove crop' : change.state === 'approved' ? 'Approve crop' : 'Crop');
    this.record(
      document,
      label,
      () => document.setCrop(before),
      () => document.setCrop(crop),
    );
    return true;
  }

  private async sendInit(
    document: CaptionDocument,
    panel: vscode.WebviewPanel,
    rpc: RpcEndpoint<EditorHost, EditorView>,
    session: DatasetSession | undefined,
  ): Promise<void> {
    const key = document.uri.toString();
    const focusCaption = focusOnOpen.delete(key);
    const path = session
      ? document.uri.fsPath
          .slice(session.root.length + 1)
          .split('\\')
          .join('/')
      : basename(document.uri.fsPath);
    const info = session ? await (await session.data()).request('imageByPath', { path }) : null;
    let position = 0;
    let total = 0;
    if (session && info) {
      const context = resultsOf(document.uri);
      ({ position, total } = await (
        await session.data()
      ).request('position', { query: context?.query ?? folderQuery(path), id: info.id }));
    }
    const facts: ImageFactsView = {
      path,
      width: info?.width ?? 0,
      height: info?.height ?? 0,
      format: info?.format ?? '',
      size: info?.size ?? 0,
      channels: info?.channels ?? 0,
      hasAlpha: info?.hasAlpha ?? false,
      bitDepth: info?.bitDepth ?? 0,
      space: info?.space ?? '',
      frames: info?.frames ?? 0,
      position,
      total,
    };
    if (info && info.width > 0 && info.height > 0) document.imageSize = { width: info.width, height: info.height };
    rpc.notify('init', {
      caption: document.caption,
      readOnly: document.readOnlyReason !== '',
      readOnlyReason: document.readOnlyReason,
      focusCaption,
      image: {
        uri: panel.webview.asWebviewUri(document.uri).toString(),
        facts,
        problems: info?.problems ?? [],
        crop: document.crop,
        cropPresets: cropPresets(),
        suggestions: document.suggestions,
      },
    });
  }

  /**
   * Opens the next or previous image of the results in place of this one (one tab: the new editor
   * opens beside it, then this one closes), saving this one first: "save and next", as captioning
   * tools do. Any document VS Code counts as changed is saved, also one whose text is back to the
   * file's (that save writes nothing), so closing its tab never asks whether to save.
   */
  private async navigate(
    document: CaptionDocument,
    session: DatasetSession | undefined,
    step: 1 | -1,
  ): Promise<{ moved: boolean; reason?: string }> {
    if (!session) return { moved: false, reason: 'This image is not in a Tagbench dataset.' };
    const data = await session.data();
    const path = document.uri.fsPath
      .slice(session.root.length + 1)
      .split('\\')
      .join('/');
    const info = await data.request('imageByPath', { path });
    if (!info) return { moved: false, reason: 'This image is not in the index yet.' };
    const query = resultsOf(document.uri)?.query ?? folderQuery(path);
    const next = await data.request('neighbour', { query, id: info.id, step });
    if (!next) return { moved: false, reason: step > 0 ? 'This is the last image.' : 'This is the first image.' };
    if (document.isDirty || this.unsaved.has(document) || findTab(document.uri)?.isDirty) {
      const saved = await vscode.workspace.save(document.uri);
      if (!saved) return { moved: false, reason: 'The caption was not saved, so this image stays open.' };
    }
    const nextUri = vscode.Uri.file(join(session.root, next.path));
    rememberResults(nextUri, session, query);
    focusOnOpen.add(nextUri.toString());
    const tab = findTab(document.uri);
    await vscode.commands.executeCommand('vscode.openWith', nextUri, IMAGE_EDITOR_VIEW_TYPE, {
      viewColumn: tab?.group.viewColumn ?? vscode.ViewColumn.Active,
      preview: false,
    });
    if (tab) await vscode.window.tabGroups.close(tab, true);
    return { moved: true };
  }

  private async reindex(document: CaptionDocument): Promise<void> {
    const session = this.registry.sessionOf(document.uri);
    if (session) void session.index({ notify: false });
  }
}

/** Images opened outside the gallery walk their folder. */
function folderQuery(path: string): string {
  const slash = path.lastIndexOf('/');
  if (slash < 0) return '';
  const folder = path.slice(0, slash).split('/').pop()!;
  return `folder:${folder.replace(/ /g, '_').replace(/^([-(])/, '\\$1')}`;
}

function findTab(uri: vscode.Uri): vscode.Tab | undefined {
  for (const group of vscode.window.tabGroups.all) {
    for (const tab of group.tabs) {
      if (
        tab.input instanceof vscode.TabInputCustom &&
        tab.input.viewType === IMAGE_EDITOR_VIEW_TYPE &&
        tab.input.uri.toString() === uri.toString()
      )
        return tab;
    }
  }
  return undefined;
}
