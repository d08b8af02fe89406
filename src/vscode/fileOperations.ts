/**
 * Keeping datasets and their index in step with file operations: a watcher re-indexes (incrementally)
 * about half a second after files change outside Tagbench, and renames or deletes of images done in
 * VS Code carry the caption and `.tagbench.json` sidecar along.
 */
import * as vscode from 'vscode';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { isImageName } from '../core/imaging/formatSniff.ts';
import type { DatasetRegistry } from './datasetRegistry.ts';
import type { DatasetSession } from './datasetSession.ts';
import { datasetSettingsFor } from './settings.ts';

const DEBOUNCE_MS = 400;

/** Watches dataset folders and joins in renames and deletes. */
export class FileOperations implements vscode.Disposable {
  private readonly registry: DatasetRegistry;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly watchers = new Map<string, vscode.FileSystemWatcher>();
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();

  constructor(registry: DatasetRegistry) {
    this.registry = registry;
    this.disposables.push(
      registry.onDidChange((session) => this.watch(session)),
      vscode.workspace.onWillRenameFiles((e) => e.waitUntil(this.companionRenames(e.files))),
      vscode.workspace.onWillDeleteFiles((e) => e.waitUntil(this.companionDeletes(e.files))),
    );
    for (const session of registry.all()) this.watch(session);
  }

  dispose(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    for (const watcher of this.watchers.values()) watcher.dispose();
    for (const d of this.disposables) d.dispose();
  }

  private watch(session: DatasetSession): void {
    if (this.watchers.has(session.root)) return;
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(session.folder, '**/*'));
    const onEvent = (uri: vscode.Uri): void => {
      const rel = uri.fsPath.slice(session.root.length + 1);
      if (
        rel.startsWith('.tagbench') ||
        rel.split(/[\\/]/).some((part) => part.startsWith('.') && part !== '.tagbenchignore')
      )
        return;
      this.schedule(session);
    };
    watcher.onDidCreate(onEvent);
    watcher.onDidChange(onEvent);
    watcher.onDidDelete(onEvent);
    this.watchers.set(session.root, watcher);
  }

  private schedule(session: DatasetSession): void {
    clearTimeout(this.timers.get(session.root));
    this.timers.set(
      session.root,
      setTimeout(() => {
        this.timers.delete(session.root);
        void session.index({ notify: false });
      }, DEBOUNCE_MS),
    );
  }

  /** Renames of the caption and sidecar files that go with renamed images. */
  private async companionRenames(
    files: readonly { oldUri: vscode.Uri; newUri: vscode.Uri }[],
  ): Promise<vscode.WorkspaceEdit> {
    const edit = new vscode.WorkspaceEdit();
    const moving = new Set(files.map((f) => f.oldUri.fsPath));
    for (const { oldUri, newUri } of files) {
      if (oldUri.scheme !== 'file' || !isImageName(basename(oldUri.fsPath)) || !this.registry.sessionOf(oldUri))
        continue;
      for (const suffix of this.companionSuffixes(oldUri)) {
        const from = stemPath(oldUri.fsPath) + suffix;
        const to = stemPath(newUri.fsPath) + suffix;
        if (!moving.has(from) && existsSync(from) && !existsSync(to) && !otherImageShares(oldUri.fsPath)) {
          edit.renameFile(vscode.Uri.file(from), vscode.Uri.file(to));
        }
      }
    }
    return edit;
  }

  /** Deletes of the caption and sidecar files that go with deleted images. */
  private async companionDeletes(files: readonly vscode.Uri[]): Promise<vscode.WorkspaceEdit> {
    const edit = new vscode.WorkspaceEdit();
    const deleting = new Set(files.map((f) => f.fsPath));
    for (const uri of files) {
      if (uri.scheme !== 'file' || !isImageName(basename(uri.fsPath)) || !this.registry.sessionOf(uri)) continue;
      if (otherImageShares(uri.fsPath)) continue;
      for (const suffix of this.companionSuffixes(uri)) {
        const path = stemPath(uri.fsPath) + suffix;
        if (!deleting.has(path) && existsSync(path))
          edit.deleteFile(vscode.Uri.file(path), { ignoreIfNotExists: true });
      }
    }
    return edit;
  }

  private companionSuffixes(uri: vscode.Uri): string[] {
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    const captionExtension = (folder && datasetSettingsFor(folder.uri).captionExtension) ?? '.txt';
    return [captionExtension, '.tagbench.json'];
  }
}

/** The path without its extension. */
function stemPath(path: string): string {
  const name = basename(path);
  const dot = name.lastIndexOf('.');
  return dot > 0 ? join(dirname(path), name.slice(0, dot)) : path;
}

/** Whether another image with the same stem sits in the same folder (x.png + x.jpg share x.txt). */
function otherImageShares(imagePath: string): boolean {
  const stem = basename(stemPath(imagePath));
  try {
    return readdirSync(dirname(imagePath)).some(
      (name) =>
        name !== basename(imagePath) &&
        isImageName(name) &&
        name.slice(0, name.lastIndexOf('.')) === stem &&
        statSync(join(dirname(imagePath), name)).isFile(),
    );
  } catch {
    return false;
  }
}
