/** The Datasets tree, diagnostics, the file watcher and the rename/delete companions, inside VS Code. */
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { hostContext, hostLog } from '../hostContext.ts';
import { activeTagbench } from './extensionUnderTest.ts';
import { captionBytes, captionFileOf, imagesOnDisk } from './datasetFiles.ts';
import type { TagbenchApi } from '../../../src/extension.ts';
import type { DatasetNode } from '../../../src/vscode/tree/datasetTree.ts';
import type { DatasetSession } from '../../../src/vscode/datasetSession.ts';

async function eventually<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('dataset features', function () {
  this.timeout(60_000);
  let api: TagbenchApi;
  let session: DatasetSession;
  let dataset: string;

  before(async () => {
    api = (await activeTagbench()).exports;
    dataset = hostContext().dataset;
    session = await eventually('the dataset session', () => api.registry.all().find((s) => s.root === dataset));
    await session.index({ notify: false });
  });

  it('shows the dataset, its folders with image counts and its images in the Datasets tree', async () => {
    const roots = await api.tree.getChildren();
    const root = roots.find((n) => n.kind === 'dataset' && n.session.root === dataset);
    assert.ok(root, 'the dataset is a root of the tree');
    const item = api.tree.getTreeItem(root);
    assert.match(String(item.description), new RegExp(`^${hostContext().datasetImages} images`));
    const children = await api.tree.getChildren(root);
    const folders = children.filter((n): n is Extract<DatasetNode, { kind: 'folder' }> => n.kind === 'folder');
    const onDisk = readdirSync(dataset, { withFileTypes: true }).filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => e.name).sort();
    assert.deepEqual(folders.map((f) => f.name).sort(), onDisk);
    const alice = folders.find((f) => f.name === '10_alice')!;
    const images = await api.tree.getChildren(alice);
    const imageNodes = images.filter((n) => n.kind === 'image');
    assert.ok(imageNodes.length > 0);
    const first = api.tree.getTreeItem(imageNodes[0]!);
    assert.equal(first.contextValue, 'image');
    assert.ok(first.iconPath instanceof vscode.Uri && first.iconPath.fsPath.endsWith('.webp'), 'the thumbnail is the icon');
    assert.equal(first.command?.arguments?.[1], 'tagbench.imageEditor');
  });

  it('reports index problems in the Problems panel', async () => {
    const broken = join(dataset, 'broken.png');
    writeFileSync(broken, 'this is not a png');
    await session.index({ notify: false });
    const diagnostics = await eventually('a diagnostic', () => {
      const list = vscode.languages.getDiagnostics(vscode.Uri.file(broken));
      return list.length > 0 ? list : undefined;
    });
    assert.equal(diagnostics[0]!.source, 'Tagbench');
    assert.equal(diagnostics[0]!.code, 'not-an-image');
    assert.equal(diagnostics[0]!.severity, vscode.DiagnosticSeverity.Error);
    await vscode.workspace.fs.delete(vscode.Uri.file(broken));
  });

  it('picks up a caption edited outside VS Code within about a second', async () => {
    const data = await session.data();
    const page = await data.request('search', { query: 'folder:5_bob', offset: 0, limit: 1 });
    assert.ok(!('error' in page));
    const image = page.items[0]!;
    const caption = join(dataset, image.path.replace(/\.[^.]+$/, '.txt'));
    const started = Date.now();
    writeFileSync(caption, 'bob, edited_outside_vscode');
    await eventually('the index to see the edit', async () => {
      const found = await data.request('search', { query: 'edited_outside_vscode', offset: 0, limit: 0 });
      return !('error' in found) && found.total === 1 ? true : undefined;
    });
    hostLog(`watcher: the index saw an outside edit after ${Date.now() - started} ms`);
  });

  it('carries the caption along when an image is renamed in VS Code', async () => {
    const data = await session.data();
    const page = await data.request('search', { query: 'folder:10_alice ext:png', offset: 0, limit: 1 });
    assert.ok(!('error' in page));
    const from = join(dataset, '10_alice', 'extra.png');
    copyFileSync(join(dataset, page.items[0]!.path), from);
    const captionFrom = join(dataset, '10_alice', 'extra.txt');
    const text = 'alice, an extra image';
    writeFileSync(captionFrom, text);
    const to = join(dataset, '10_alice', 'renamed-in-vscode.png');
    const edit = new vscode.WorkspaceEdit();
    edit.renameFile(vscode.Uri.file(from), vscode.Uri.file(to));
    assert.ok(await vscode.workspace.applyEdit(edit));
    assert.equal(existsSync(captionFrom), false);
    assert.equal(readFileSync(join(dataset, '10_alice', 'renamed-in-vscode.txt'), 'utf8'), text);
  });

  it('deletes the caption along with an image deleted in VS Code', async () => {
    const image = join(dataset, '10_alice', 'renamed-in-vscode.png');
    const edit = new vscode.WorkspaceEdit();
    edit.deleteFile(vscode.Uri.file(image));
    assert.ok(await vscode.workspace.applyEdit(edit));
    assert.equal(existsSync(join(dataset, '10_alice', 'renamed-in-vscode.txt')), false);
  });

  it('opens the gallery as a webview panel', async () => {
    await vscode.commands.executeCommand('tagbench.openGallery', 'folder:5_bob');
    const tab = await eventually('the gallery tab', () => vscode.window.tabGroups.all.flatMap((g) => g.tabs)
      .find((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('tagbench.gallery')));
    assert.match(tab.label, /^Gallery: /);
    await vscode.window.tabGroups.close(tab);
  });

  it('undoes a batch edit with Tagbench: Undo Last Batch Edit', async () => {
    const data = await session.data();
    const bob = imagesOnDisk(dataset, '5_bob');
    const before = new Map(bob.map((p) => [p, captionBytes(dataset, p)]));
    const preview = await data.request('previewBatch', { selection: { kind: 'query', query: 'folder:5_bob', except: [] }, action: { kind: 'addTags', tags: ['batch_from_host_test'], position: 'end' } });
    await data.request('applyBatch', { planId: preview.planId });
    // From the files: every 5_bob caption now ends with the tag (an image without one got one), and the index finds exactly those images.
    for (const path of bob) assert.match(readFileSync(captionFileOf(dataset, path), 'utf8'), /(^|, )batch_from_host_test\s*$/, path);
    const tagged = await data.request('search', { query: 'batch_from_host_test', offset: 0, limit: 1000 });
    assert.ok(!('error' in tagged));
    assert.deepEqual(tagged.items.map((i) => i.path).sort(), bob);
    await vscode.commands.executeCommand('tagbench.undoBatchEdit');
    assert.deepEqual(new Map(bob.map((p) => [p, captionBytes(dataset, p)])), before, 'every caption is back byte for byte (and none where there was none)');
    const after = await data.request('search', { query: 'batch_from_host_test', offset: 0, limit: 0 });
    assert.ok(!('error' in after) && after.total === 0);
  });
});
