/**
 * Where a new user finds Tagbench: the `tagbench.workspace` context key the Datasets view's welcome
 * content reads (no images, images not indexed yet, or a dataset to show), and a one-time hint after
 * the first index run, remembered in the global state so it shows once per user, not per window.
 */
import * as vscode from 'vscode';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { DatasetRegistry } from './datasetRegistry.ts';
import type { DatasetSession } from './datasetSession.ts';
import type { DatasetTreeProvider } from './tree/datasetTree.ts';
import { indexOnOpen } from './settings.ts';

/** The global-state key that records that the first-run hint was shown. */
export const HINT_SHOWN_KEY = 'tagbench.firstRunHintShown';

/** What the Datasets view's welcome content depends on (the `tagbench.workspace` context key). */
export type WorkspaceState = 'noImages' | 'notIndexed' | 'ready';

/** The first-run hint and the welcome context of this window. */
export class FirstRun implements vscode.Disposable {
  private readonly memento: vscode.Memento;
  private readonly registry: DatasetRegistry;
  private readonly tree: DatasetTreeProvider;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly watched = new Set<DatasetSession>();
  /** The hints this window showed (at most one), for tests and diagnostics. */
  readonly hintsShown: string[] = [];
  /** Whether the hint had been shown (in any window) before this window started. */
  readonly shownBefore: boolean;
  /** The last state set as the context key. */
  state: WorkspaceState | undefined;
  private asked = false;

  constructor(memento: vscode.Memento, registry: DatasetRegistry, tree: DatasetTreeProvider) {
    this.memento = memento;
    this.registry = registry;
    this.tree = tree;
    this.shownBefore = memento.get<boolean>(HINT_SHOWN_KEY) === true;
    this.disposables.push(
      registry.onDidChange((session) => {
        this.watch(session);
        void this.update();
        if (session.lastSummary && session.lastSummary.images > 0) void this.showIndexedHint(session);
      }),
      vscode.workspace.onDidChangeWorkspaceFolders(() => void registry.ready().then(() => this.update())),
    );
  }

  /** Sets the context key once the folders were looked at, and offers indexing when nothing indexes by itself. */
  async start(): Promise<void> {
    await this.registry.ready();
    for (const session of this.registry.all()) this.watch(session);
    await this.update();
    if (this.state === 'notIndexed' && !indexOnOpen()) await this.showFoundHint(this.registry.all()[0]!);
  }

  /** Recomputes the welcome state and sets the `tagbench.workspace` context key. */
  async update(): Promise<WorkspaceState> {
    const all = this.registry.all();
    const state: WorkspaceState =
      all.length === 0 ? 'noImages' : this.tree.listed().length === 0 ? 'notIndexed' : 'ready';
    if (state !== this.state) {
      this.state = state;
      await vscode.commands.executeCommand('setContext', 'tagbench.workspace', state);
    }
    return state;
  }

  /** Whether the global state records that the hint was shown (here or in another window). */
  remembered(): boolean {
    return this.memento.get<boolean>(HINT_SHOWN_KEY) === true;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }

  private watch(session: DatasetSession): void {
    if (this.watched.has(session)) return;
    this.watched.add(session);
    this.disposables.push(session.onDidStartIndexing(() => void this.update()));
  }

  /** After an index run that found images: "Tagbench indexed N images in X", once. */
  private async showIndexedHint(session: DatasetSession): Promise<void> {
    const images = session.lastSummary?.images ?? 0;
    const text =
      `Tagbench indexed ${images.toLocaleString('en-US')} image${images === 1 ? '' : 's'} in ${session.folder.name}: ` +
      'search, caption and tag them in the gallery, or browse them in the Tagbench side bar.';
    const choice = await this.showOnce(text, 'Open Gallery', 'Show Tagbench');
    if (choice === 'Open Gallery') await vscode.commands.executeCommand('tagbench.openGallery');
    else if (choice === 'Show Tagbench') await vscode.commands.executeCommand('workbench.view.extension.tagbench');
  }

  /** When indexing on open is off: "Tagbench found images in X", once. */
  private async showFoundHint(session: DatasetSession): Promise<void> {
    const text = `Tagbench found images in ${session.folder.name}. Index them to search, caption and tag them.`;
    const choice = await this.showOnce(text, 'Index Workspace', 'Show Tagbench');
    if (choice === 'Index Workspace') await vscode.commands.executeCommand('tagbench.indexWorkspace');
    else if (choice === 'Show Tagbench') await vscode.commands.executeCommand('workbench.view.extension.tagbench');
  }

  private async showOnce(text: string, ...actions: string[]): Promise<string | undefined> {
    if (this.asked || this.remembered()) return undefined;
    this.asked = true;
    await this.memento.update(HINT_SHOWN_KEY, true);
    this.hintsShown.push(text);
    return vscode.window.showInformationMessage(text, ...actions);
  }
}

/** Starts the welcome context and the first-run hint; registers Show Guide (the README's VS Code section). */
export function registerFirstRun(
  context: vscode.ExtensionContext,
  registry: DatasetRegistry,
  tree: DatasetTreeProvider,
): FirstRun {
  const firstRun = new FirstRun(context.globalState, registry, tree);
  context.subscriptions.push(
    firstRun,
    vscode.commands.registerCommand('tagbench.showGuide', () => {
      // vsce packages README.md as readme.md.
      const readme = ['README.md', 'readme.md']
        .map((name) => join(context.extensionPath, name))
        .find((file) => existsSync(file));
      if (!readme) return undefined;
      return vscode.commands.executeCommand(
        'markdown.showPreview',
        vscode.Uri.file(readme).with({ fragment: 'vs-code' }),
      );
    }),
  );
  void firstRun.start();
  return firstRun;
}
