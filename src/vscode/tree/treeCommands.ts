/** The Datasets view and the commands on its items. */
import * as vscode from 'vscode';
import { join } from 'node:path';
import type { DatasetRegistry } from '../datasetRegistry.ts';
import { DatasetTreeProvider } from './datasetTree.ts';
import type { DatasetNode } from './datasetTree.ts';
import { GalleryPanel } from '../gallery/galleryPanel.ts';
import { datasetSettingsFor } from '../settings.ts';
import { IMAGE_EDITOR_VIEW_TYPE } from '../editors/imageEditorProvider.ts';
import { PreviewOpener } from './previewOpener.ts';
import { refreshBatchContext } from '../tags/batchContext.ts';

/** Registers the Datasets view and its item commands. */
export function registerDatasetTree(context: vscode.ExtensionContext, registry: DatasetRegistry): DatasetTreeProvider {
  const provider = new DatasetTreeProvider(registry);
  const view = vscode.window.createTreeView('tagbench.datasets', { treeDataProvider: provider, showCollapseAll: true });
  const opener = new PreviewOpener();
  const uriOf = (target: unknown): vscode.Uri | undefined => {
    if (target instanceof vscode.Uri) return target;
    const node = target as DatasetNode | undefined;
    if (node && (node.kind === 'image' || node.kind === 'folder'))
      return vscode.Uri.file(join(node.session.root, node.path));
    if (node?.kind === 'problem') return vscode.Uri.file(join(node.session.root, node.problem.path));
    return vscode.window.activeTextEditor?.document.uri ?? activeTabUri();
  };
  context.subscriptions.push(
    provider,
    view,
    vscode.commands.registerCommand('tagbench.openTreeItem', async (node?: DatasetNode) => {
      if (node?.kind === 'image')
        return opener.open(vscode.Uri.file(join(node.session.root, node.path)), IMAGE_EDITOR_VIEW_TYPE);
      if (node?.kind !== 'problem') return undefined;
      // A caption or sidecar opens in a text editor, where the problem shows in place; anything else
      // (a broken image, a dangling link) is explained in the Problems panel.
      const uri = vscode.Uri.file(join(node.session.root, node.problem.path));
      if (isTextFile(node.problem.path, datasetSettingsFor(node.session.folder.uri).captionExtension ?? '.txt'))
        return opener.open(uri);
      return vscode.commands.executeCommand('workbench.actions.view.problems');
    }),
    vscode.commands.registerCommand('tagbench.openInGallery', (node?: DatasetNode) => {
      if (!node) return vscode.commands.executeCommand('tagbench.openGallery');
      const query =
        node.kind === 'folder'
          ? `folder:${escapeTerm(node.name)}`
          : node.kind === 'project' && node.query !== null
            ? node.query
            : '';
      return GalleryPanel.show(context, node.session, query);
    }),
    vscode.commands.registerCommand('tagbench.openImageEditor', (target?: unknown) => {
      const uri = uriOf(target);
      if (!uri) return vscode.window.showInformationMessage('Tagbench: choose an image to open.');
      return vscode.commands.executeCommand('vscode.openWith', uri, 'tagbench.imageEditor');
    }),
    vscode.commands.registerCommand('tagbench.openCaptionEditor', (target?: unknown) => {
      const uri = uriOf(target);
      if (!uri) return vscode.window.showInformationMessage('Tagbench: choose a caption file to open.');
      return vscode.commands.executeCommand('vscode.openWith', uri, 'tagbench.captionEditor');
    }),
    vscode.commands.registerCommand('tagbench.revealInExplorer', (target?: unknown) => {
      const uri = uriOf(target);
      return uri && vscode.commands.executeCommand('revealInExplorer', uri);
    }),
    vscode.commands.registerCommand('tagbench.moveToTrash', async (node?: DatasetNode) => {
      if (!node || node.kind !== 'image') return undefined;
      const choice = await vscode.window.showWarningMessage(
        `Move ${node.path} (with its caption and sidecar) to the Tagbench trash? "Tagbench: Undo Last Batch Edit" brings it back.`,
        { modal: true },
        'Move to Trash',
      );
      if (choice !== 'Move to Trash') return undefined;
      const data = await node.session.data();
      const preview = await data.request('previewBatch', {
        selection: { kind: 'ids', ids: [node.id] },
        action: { kind: 'trash' },
      });
      const outcome = await data.request('applyBatch', { planId: preview.planId });
      await refreshBatchContext(node.session);
      node.session.fireChanged();
      return outcome;
    }),
    vscode.commands.registerCommand('tagbench.showProblems', () =>
      vscode.commands.executeCommand('workbench.actions.view.problems'),
    ),
  );
  return provider;
}

/** A folder name as a query term (spaces as `_`, a leading `-` or `(` escaped). */
function escapeTerm(name: string): string {
  return name.replace(/ /g, '_').replace(/^([-(])/, '\\$1');
}

/** Whether a dataset file is text: a caption (`.txt`, `.caption` or the configured extension) or a JSON sidecar. */
function isTextFile(path: string, captionExtension: string): boolean {
  const lower = path.toLowerCase();
  return ['.txt', '.caption', '.json', captionExtension.toLowerCase()].some((ext) => lower.endsWith(ext));
}

function activeTabUri(): vscode.Uri | undefined {
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  return input instanceof vscode.TabInputCustom || input instanceof vscode.TabInputText ? input.uri : undefined;
}
