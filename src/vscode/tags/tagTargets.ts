/** Which images a tag command works on: the gallery's selection, else its query, else a query the user types. */
import * as vscode from 'vscode';
import type { Selection } from '../../protocol/galleryProtocol.ts';
import type { DatasetRegistry } from '../datasetRegistry.ts';
import type { DatasetSession } from '../datasetSession.ts';
import { GalleryPanel } from '../gallery/galleryPanel.ts';

/** A command's images: the dataset, the selection, a query whose tags to offer, and words for messages. */
export interface TagTargets {
  session: DatasetSession;
  selection: Selection;
  /** The query the images come from ('' for the whole dataset or a selection). */
  query: string;
  label: string;
}

/** The images to work on; `query` (an answer given in advance) wins over the gallery. Undefined when the user backs out. */
export async function tagTargets(
  registry: DatasetRegistry,
  title: string,
  query?: string,
): Promise<TagTargets | undefined> {
  const session = GalleryPanel.active?.session ?? (await registry.pick(`${title}: in which dataset?`));
  if (!session) {
    void vscode.window.showInformationMessage('Tagbench: open a folder of images first.');
    return undefined;
  }
  const gallery = GalleryPanel.of(session);
  if (query === undefined && gallery?.selection?.kind === 'ids') {
    const count = gallery.selection.ids.length;
    return {
      session,
      selection: gallery.selection,
      query: '',
      label: `the ${count} selected image${count === 1 ? '' : 's'}`,
    };
  }
  let text = query ?? gallery?.query;
  if (text === undefined) {
    text = await vscode.window.showInputBox({
      title,
      prompt: 'Which images? A query (e.g. folder:10_alice blue_eyes), or empty for all',
      placeHolder: 'all images',
    });
    if (text === undefined) return undefined;
  }
  const q = text.trim();
  return {
    session,
    selection: { kind: 'query', query: q, except: [] },
    query: q,
    label: q === '' ? 'all images' : `the results of "${q}"`,
  };
}
