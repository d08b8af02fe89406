/** Commands around the gallery: Open Gallery, Search Dataset, Undo and Redo Last Batch Edit, projects from the selection or a query. */
import * as vscode from 'vscode';
import type { DatasetRegistry } from '../datasetRegistry.ts';
import type { Selection } from '../../protocol/galleryProtocol.ts';
import type { ServiceBatchOutcome } from '../../core/service/datasetService.ts';
import type { DatasetSession } from '../datasetSession.ts';
import { refreshBatchContext } from '../tags/batchContext.ts';
import { batchMessage, showBatchMessage } from '../tags/tagBatch.ts';
import { GALLERY_VIEW_TYPE, GalleryPanel } from './galleryPanel.ts';

/** Registers the gallery commands and the panel serializer. */
export function registerGalleryCommands(context: vscode.ExtensionContext, registry: DatasetRegistry): void {
  const open = async (query?: string, session?: DatasetSession): Promise<GalleryPanel | undefined> => {
    const target = session ?? (await registry.pick('Open the gallery of which dataset?'));
    if (!target) {
      void vscode.window.showInformationMessage('Tagbench: open a folder of images first.');
      return undefined;
    }
    // A dataset never indexed (indexing on open is off) is indexed first; the gallery fills in as it ends.
    if (!target.indexed && !target.indexing) void target.index({ notify: true });
    return GalleryPanel.show(context, target, query);
  };
  context.subscriptions.push(
    vscode.window.registerWebviewPanelSerializer(GALLERY_VIEW_TYPE, {
      async deserializeWebviewPanel(panel, state) {
        GalleryPanel.restore(context, registry, panel, state);
      },
    }),
    vscode.commands.registerCommand('tagbench.openGallery', (query?: unknown) =>
      open(typeof query === 'string' ? query : undefined),
    ),
    vscode.commands.registerCommand('tagbench.searchDataset', async (query?: unknown) => {
      const text =
        typeof query === 'string'
          ? query
          : await vscode.window.showInputBox({
              title: 'Search Dataset',
              prompt:
                'Tags (blue_eyes, long_*, -solo), "a phrase", width>=1024, folder:10_alice, has:caption, a OR b, sort:mtime',
              value: GalleryPanel.active?.query ?? '',
              placeHolder: '1girl -solo aspect:portrait',
            });
      if (text === undefined) return undefined;
      return open(text, GalleryPanel.active?.session);
    }),
    vscode.commands.registerCommand('tagbench.undoBatchEdit', () => replayBatch(registry, 'undo')),
    vscode.commands.registerCommand('tagbench.redoBatchEdit', () => replayBatch(registry, 'redo')),
    vscode.commands.registerCommand('tagbench.newProjectFromSelection', async () => {
      const gallery = GalleryPanel.active;
      const selection = gallery?.selection;
      if (!gallery || !selection) {
        void vscode.window.showInformationMessage('Tagbench: select images in the gallery first.');
        return undefined;
      }
      const name = await askProjectName();
      if (!name) return undefined;
      return createProject(gallery.session, { name, selection, query: null });
    }),
    vscode.commands.registerCommand('tagbench.newProjectFromQuery', async () => {
      const session = GalleryPanel.active?.session ?? (await registry.pick('New project in which dataset?'));
      if (!session) return undefined;
      const query = await vscode.window.showInputBox({
        title: 'New Project from Query',
        prompt: 'The query whose results make the project',
        value: GalleryPanel.active?.query ?? '',
      });
      if (query === undefined) return undefined;
      const name = await askProjectName();
      if (!name) return undefined;
      return createProject(session, { name, selection: null, query });
    }),
  );
}

/**
 * Undo or Redo Last Batch Edit on the gallery's dataset (or one the user picks): the message says what
 * was restored or changed again, and offers the other step.
 */
async function replayBatch(
  registry: DatasetRegistry,
  what: 'undo' | 'redo',
): Promise<ServiceBatchOutcome | null | undefined> {
  const session =
    GalleryPanel.active?.session ??
    (await registry.pick(`${what === 'undo' ? 'Undo' : 'Redo'} the last batch edit of which dataset?`));
  if (!session) return undefined;
  let outcome;
  try {
    outcome = await (await session.data()).request(what === 'undo' ? 'undoBatch' : 'redoBatch', {});
  } catch (err) {
    void vscode.window.showErrorMessage(`Tagbench: ${(err as Error).message}`);
    return undefined;
  }
  await refreshBatchContext(session);
  if (!outcome) {
    void vscode.window.showInformationMessage(`Tagbench: there is no batch edit to ${what}.`);
    return null;
  }
  if (outcome.moved > 0 && what === 'undo') void session.index({ notify: false });
  session.fireChanged();
  const other = what === 'undo' ? 'Redo' : 'Undo';
  void showBatchMessage(batchMessage(outcome), other).then((choice) => {
    if (choice === other)
      void vscode.commands.executeCommand(what === 'undo' ? 'tagbench.redoBatchEdit' : 'tagbench.undoBatchEdit');
  });
  return outcome;
}

async function askProjectName(): Promise<string | undefined> {
  return vscode.window.showInputBox({
    title: 'New Project',
    prompt: 'Project name (saved as .tagbench/projects/<name>.json)',
    validateInput: (v) =>
      v.trim() === '' ? 'A project needs a name.' : v.length > 100 ? 'At most 100 characters.' : undefined,
  });
}

async function createProject(
  session: DatasetSession,
  spec: { name: string; selection: Selection | null; query: string | null },
): Promise<{ name: string; images: number } | undefined> {
  try {
    const made = await (await session.data()).request('createProject', { ...spec, trigger: '' });
    session.fireChanged();
    void vscode.window.showInformationMessage(`Tagbench: project "${made.name}" created with ${made.images} images.`);
    return made;
  } catch (err) {
    void vscode.window.showErrorMessage(`Tagbench: ${(err as Error).message}`);
    return undefined;
  }
}
