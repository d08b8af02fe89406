/** Commands that (re)build indexes: Index Workspace, Rebuild Index. */
import * as vscode from 'vscode';
import type { DatasetRegistry } from './datasetRegistry.ts';

/** Registers the indexing commands. */
export function registerIndexCommands(context: vscode.ExtensionContext, registry: DatasetRegistry): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('tagbench.indexWorkspace', async () => {
      const folders = vscode.workspace.workspaceFolders ?? [];
      if (folders.length === 0) {
        void vscode.window.showInformationMessage('Tagbench: open a folder of images first.');
        return [];
      }
      return Promise.all(folders.map((folder) => registry.sessionFor(folder).index({ notify: true })));
    }),
    vscode.commands.registerCommand('tagbench.rebuildIndex', async () => {
      const session = await registry.pick('Rebuild the index of which dataset?');
      return session?.index({ rebuild: true, notify: true });
    }),
  );
}
