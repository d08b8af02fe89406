/**
 * The gallery: a webview panel per dataset showing search results from its index. The host checks
 * every message from the webview, forwards queries and edits to the dataset's data worker, and tells
 * the webview when the index changed. Query, selection and scroll survive hiding and reloads.
 */
import * as vscode from 'vscode';
import { join } from 'node:path';
import { RpcEndpoint } from '../../protocol/rpc.ts';
import { galleryRequestChecks } from '../../protocol/galleryProtocol.ts';
import type { GalleryHost, GalleryView, ImageDetails, Selection } from '../../protocol/galleryProtocol.ts';
import type { DatasetSession } from '../datasetSession.ts';
import type { DatasetRegistry } from '../datasetRegistry.ts';
import { webviewHtml } from '../webviewHtml.ts';
import { rememberResults } from '../resultsContext.ts';
import { datasetSettingsFor } from '../settings.ts';
import { GalleryBatchApproval } from './batchApproval.ts';
import { refreshBatchContext } from '../tags/batchContext.ts';

/** The gallery panel's view type (also used to restore panels after a reload). */
export const GALLERY_VIEW_TYPE = 'tagbench.gallery';

/** The state a gallery restores: query, selection, scroll position. */
export interface GalleryState {
  dataset: string;
  query: string;
  selected: number[];
  scrollTop: number;
}

/** One open gallery panel. */
export class GalleryPanel implements vscode.Disposable {
  private static readonly panels = new Map<string, GalleryPanel>();
  private static readonly focusChanged = new vscode.EventEmitter<GalleryPanel | undefined>();
  /** The most recently focused gallery. */
  static active: GalleryPanel | undefined;
  /** Fires when the active gallery or its selection changes. */
  static readonly onDidChangeActive = GalleryPanel.focusChanged.event;

  readonly session: DatasetSession;
  private readonly panel: vscode.WebviewPanel;
  private readonly rpc: RpcEndpoint<GalleryHost, GalleryView>;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly approval = new GalleryBatchApproval();
  private state: GalleryState;

  /** Shows the gallery of a dataset (creating it), optionally running a query. */
  static show(context: vscode.ExtensionContext, session: DatasetSession, query?: string): GalleryPanel {
    const existing = GalleryPanel.panels.get(session.root);
    if (existing) {
      existing.panel.reveal();
      if (query !== undefined) existing.setQuery(query);
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(
      GALLERY_VIEW_TYPE,
      `Gallery: ${session.folder.name}`,
      vscode.ViewColumn.Active,
      {
        enableScripts: true,
        localResourceRoots: GalleryPanel.resourceRoots(context, session),
      },
    );
    return new GalleryPanel(context, session, panel, {
      dataset: session.root,
      query: query ?? '',
      selected: [],
      scrollTop: 0,
    });
  }

  /** Restores a gallery VS Code kept across a reload. */
  static restore(
    context: vscode.ExtensionContext,
    registry: DatasetRegistry,
    panel: vscode.WebviewPanel,
    saved: unknown,
  ): void {
    const state = saved as Partial<GalleryState> | undefined;
    const folders = vscode.workspace.workspaceFolders ?? [];
    const folder =
      folders.find((f) => f.uri.fsPath === state?.dataset) ??
      folders.find((f) => f.name === state?.dataset) ??
      folders[0];
    if (!folder) {
      panel.dispose();
      return;
    }
    const session = registry.sessionFor(folder);
    panel.webview.options = { enableScripts: true, localResourceRoots: GalleryPanel.resourceRoots(context, session) };
    new GalleryPanel(context, session, panel, {
      dataset: session.root,
      query: typeof state?.query === 'string' ? state.query : '',
      selected: Array.isArray(state?.selected) ? state.selected.filter((n): n is number => Number.isInteger(n)) : [],
      scrollTop: typeof state?.scrollTop === 'number' ? state.scrollTop : 0,
    });
  }

  /** The gallery of a dataset, if open. */
  static of(session: DatasetSession): GalleryPanel | undefined {
    return GalleryPanel.panels.get(session.root);
  }

  private static resourceRoots(context: vscode.ExtensionContext, session: DatasetSession): vscode.Uri[] {
    return [
      vscode.Uri.joinPath(context.extensionUri, 'dist', 'webview'),
      vscode.Uri.joinPath(context.extensionUri, 'media'),
      vscode.Uri.file(join(session.layout.dir, 'cache')),
    ];
  }

  private constructor(
    context: vscode.ExtensionContext,
    session: DatasetSession,
    panel: vscode.WebviewPanel,
    state: GalleryState,
  ) {
    this.session = session;
    this.panel = panel;
    this.state = state;
    GalleryPanel.panels.set(session.root, this);
    GalleryPanel.active = this;
    panel.iconPath = vscode.Uri.joinPath(context.extensionUri, 'media', 'tagbench.svg');
    this.rpc = new RpcEndpoint<GalleryHost, GalleryView>((message) => void panel.webview.postMessage(message));
    this.rpc.onProblem = (problem) => console.warn(`Tagbench gallery: ${problem}`);
    this.registerHandlers();
    this.disposables.push(
      panel.webview.onDidReceiveMessage((message: unknown) => this.rpc.receive(message)),
      panel.onDidDispose(() => this.dispose()),
      panel.onDidChangeViewState((e) => {
        if (e.webviewPanel.active) {
          GalleryPanel.active = this;
          GalleryPanel.focusChanged.fire(this);
        }
      }),
      session.onDidChangeIndex(async () => {
        const data = await session.data();
        const page = await data.request('search', { query: '', offset: 0, limit: 0 });
        this.rpc.notify('indexChanged', { images: 'error' in page ? 0 : page.total });
      }),
    );
    panel.webview.html = webviewHtml(panel.webview, context.extensionUri, {
      script: 'gallery',
      element: 'tb-gallery',
      title: panel.title,
    });
  }

  /** The selection in this gallery, as the webview last reported it. */
  get selection(): Selection | undefined {
    return this.state.selected.length > 0 ? { kind: 'ids', ids: [...this.state.selected] } : undefined;
  }

  /** The gallery's current query. */
  get query(): string {
    return this.state.query;
  }

  /** Runs a query in the webview. */
  setQuery(query: string): void {
    this.state.query = query;
    this.rpc.notify('setQuery', { query });
  }

  dispose(): void {
    if (GalleryPanel.panels.get(this.session.root) === this) GalleryPanel.panels.delete(this.session.root);
    if (GalleryPanel.active === this) {
      GalleryPanel.active = undefined;
      GalleryPanel.focusChanged.fire(undefined);
    }
    this.rpc.dispose();
    for (const d of this.disposables) d.dispose();
    this.panel.dispose();
  }

  private registerHandlers(): void {
    const rpc = this.rpc;
    const check = galleryRequestChecks;
    const data = (): ReturnType<DatasetSession['data']> => this.session.data();
    rpc.on(
      'ready',
      () => {
        const thumbsDir = vscode.Uri.file(this.session.layout.thumbsDir);
        const thumbSize = datasetSettingsFor(this.session.folder.uri).thumbnailSize ?? 256;
        rpc.notify('init', {
          dataset: this.session.folder.name,
          thumbBase: this.panel.webview.asWebviewUri(thumbsDir).toString(),
          thumbSize,
          query: this.state.query,
          selected: this.state.selected,
          scrollTop: this.state.scrollTop,
        });
      },
      check.ready,
    );
    rpc.on(
      'viewState',
      ({ query, selected, scrollTop }) => {
        this.state = { ...this.state, query, selected, scrollTop: scrollTop ?? this.state.scrollTop };
        void vscode.commands.executeCommand('setContext', 'tagbench.gallerySelection', selected.length > 0);
        GalleryPanel.focusChanged.fire(this);
      },
      check.viewState,
    );
    rpc.handle('search', async (p) => (await data()).request('search', p), check.search);
    rpc.handle('tagFrequencies', async (p) => (await data()).request('tagFrequencies', p), check.tagFrequencies);
    rpc.handle('tagSuggestions', async (p) => (await data()).request('tagSuggestions', p), check.tagSuggestions);
    rpc.handle('fieldValues', async (p) => (await data()).request('fieldValues', p), check.fieldValues);
    rpc.handle('details', async ({ id }) => this.details(id), check.details);
    rpc.handle(
      'previewBatch',
      async (p) => {
        const preview = await (await data()).request('previewBatch', p);
        this.approval.previewed(p.action, preview);
        return preview;
      },
      check.previewBatch,
    );
    rpc.handle(
      'applyBatch',
      async (p) => {
        await this.approval.approve(p.planId);
        const outcome = await (await data()).request('applyBatch', p);
        await this.afterBatch(outcome.moved);
        return outcome;
      },
      check.applyBatch,
    );
    rpc.handle(
      'undoBatch',
      async () => {
        const outcome = await (await data()).request('undoBatch', {});
        if (outcome) await this.afterBatch(outcome.moved);
        return outcome;
      },
      check.undoBatch,
    );
    rpc.handle(
      'redoBatch',
      async () => {
        const outcome = await (await data()).request('redoBatch', {});
        if (outcome) await this.afterBatch(outcome.moved);
        return outcome;
      },
      check.redoBatch,
    );
    rpc.handle(
      'openImage',
      async ({ id, query }) => {
        const info = await (await data()).request('imageById', { id });
        if (!info) return null;
        const uri = vscode.Uri.file(join(this.session.root, info.path));
        rememberResults(uri, this.session, query);
        await vscode.commands.executeCommand('vscode.openWith', uri, 'tagbench.imageEditor');
        return null;
      },
      check.openImage,
    );
    rpc.handle(
      'createProject',
      async ({ name, selection }) => {
        const made = await (await data()).request('createProject', { name, selection, query: null, trigger: '' });
        this.session.fireChanged();
        return { name: made.name, images: made.images };
      },
      check.createProject,
    );
    rpc.handle(
      'ensureThumbnail',
      async ({ id }) => (await (await data()).request('ensureThumbnail', { id })) !== null,
      check.ensureThumbnail,
    );
  }

  private async details(id: number): Promise<ImageDetails | null> {
    const info = await (await this.session.data()).request('imageById', { id });
    if (!info) return null;
    const size = datasetSettingsFor(this.session.folder.uri).thumbnailSize ?? 256;
    const thumb = vscode.Uri.file(
      join(this.session.layout.thumbsDir, info.sha256.slice(0, 2), `${info.sha256}-${size}.webp`),
    );
    return {
      id: info.id,
      path: info.path,
      width: info.width,
      height: info.height,
      format: info.format,
      size: info.size,
      mtimeMs: info.mtimeMs,
      channels: info.channels,
      hasAlpha: info.hasAlpha,
      bitDepth: info.bitDepth,
      space: info.space,
      frames: info.frames,
      caption: info.caption,
      tags: info.tags,
      problems: info.problems,
      imageUri: this.panel.webview.asWebviewUri(thumb).toString(),
    };
  }

  private async afterBatch(moved: number): Promise<void> {
    await refreshBatchContext(this.session);
    if (moved > 0) void this.session.index({ notify: false });
    this.session.fireChanged();
  }
}
