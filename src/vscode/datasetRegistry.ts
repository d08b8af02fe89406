/** The datasets of the open workspace: one session per workspace folder, created as folders come and go. */
import * as vscode from 'vscode';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DatasetSession } from './datasetSession.ts';
import { indexOnOpen } from './settings.ts';

const IMAGE_GLOB = '**/*.{png,jpg,jpeg,webp,gif,bmp,tif,tiff,avif,PNG,JPG,JPEG,WEBP,GIF,BMP,TIF,TIFF,AVIF}';

/** All dataset sessions, by workspace folder. */
export class DatasetRegistry implements vscode.Disposable {
  private readonly context: vscode.ExtensionContext;
  private readonly sessions = new Map<string, DatasetSession>();
  private readonly changed = new vscode.EventEmitter<DatasetSession>();
  private readonly disposables: vscode.Disposable[] = [];
  /** Fires when a dataset's index changed, or datasets were added or removed. */
  readonly onDidChange = this.changed.event;
  private scanned: Promise<void> = Promise.resolve();

  constructor(context: vscode.ExtensionContext) {
    this.context = context;
  }

  /** Creates sessions for the current folders (and later ones), and indexes them if the setting says so. */
  start(): void {
    this.disposables.push(
      vscode.workspace.onDidChangeWorkspaceFolders((e) => {
        for (const folder of e.removed) this.remove(folder);
        this.scanned = Promise.all(e.added.map((folder) => this.open(folder))).then(() => undefined);
      }),
    );
    this.scanned = Promise.all((vscode.workspace.workspaceFolders ?? []).map((folder) => this.open(folder))).then(
      () => undefined,
    );
  }

  /** Resolves once the workspace folders have been looked at (a session exists for each that holds images). */
  ready(): Promise<void> {
    return this.scanned;
  }

  /** All sessions. */
  all(): DatasetSession[] {
    return [...this.sessions.values()];
  }

  /** The session for a workspace folder (created on demand). */
  sessionFor(folder: vscode.WorkspaceFolder): DatasetSession {
    let session = this.sessions.get(folder.uri.toString());
    if (!session) {
      session = new DatasetSession(folder, this.context.extensionPath);
      this.sessions.set(folder.uri.toString(), session);
      const s = session;
      this.disposables.push(session.onDidChangeIndex(() => this.changed.fire(s)));
      this.changed.fire(session);
    }
    return session;
  }

  /** The session whose folder contains `uri`, if any. */
  sessionOf(uri: vscode.Uri): DatasetSession | undefined {
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    return folder ? this.sessionFor(folder) : undefined;
  }

  /** Lets the user pick a dataset when there are several (the only one otherwise). */
  async pick(placeHolder = 'Which dataset?'): Promise<DatasetSession | undefined> {
    const folders = vscode.workspace.workspaceFolders ?? [];
    if (folders.length <= 1) return folders[0] && this.sessionFor(folders[0]);
    const folder = await vscode.window.showWorkspaceFolderPick({ placeHolder });
    return folder && this.sessionFor(folder);
  }

  dispose(): void {
    for (const session of this.sessions.values()) session.dispose();
    for (const d of this.disposables) d.dispose();
    this.changed.dispose();
  }

  private async open(folder: vscode.WorkspaceFolder): Promise<void> {
    const hasIndex = existsSync(join(folder.uri.fsPath, '.tagbench'));
    if (!hasIndex) {
      const images = await vscode.workspace.findFiles(
        new vscode.RelativePattern(folder, IMAGE_GLOB),
        '**/.tagbench/**',
        1,
      );
      if (images.length === 0) return;
    }
    const session = this.sessionFor(folder);
    if (indexOnOpen()) void session.index({ notify: !hasIndex });
  }

  private remove(folder: vscode.WorkspaceFolder): void {
    const key = folder.uri.toString();
    this.sessions.get(key)?.dispose();
    this.sessions.delete(key);
  }
}
