/**
 * The Datasets tree: workspace folder -> projects and folders -> images, loaded lazily from the
 * index through the data worker, with counts as descriptions and thumbnails as icons.
 */
import * as vscode from 'vscode';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { DatasetRegistry } from '../datasetRegistry.ts';
import type { DatasetSession } from '../datasetSession.ts';
import { datasetSettingsFor } from '../settings.ts';

/** Images listed under one folder before a "more" entry. */
const MAX_IMAGES_PER_FOLDER = 1000;

/** A node of the tree. */
export type DatasetNode =
  | { kind: 'dataset'; session: DatasetSession }
  | { kind: 'projects'; session: DatasetSession }
  | { kind: 'project'; session: DatasetSession; name: string; images: number; query: string | null; memberPaths: string[] }
  | { kind: 'folder'; session: DatasetSession; path: string; name: string; images: number }
  | { kind: 'image'; session: DatasetSession; id: number; path: string; name: string; sha256: string; tagCount: number; hasCaption: boolean }
  | { kind: 'more'; session: DatasetSession; path: string; count: number };

/** The tree data provider behind the Datasets view. */
export class DatasetTreeProvider implements vscode.TreeDataProvider<DatasetNode>, vscode.Disposable {
  private readonly registry: DatasetRegistry;
  private readonly changed = new vscode.EventEmitter<DatasetNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor(registry: DatasetRegistry) {
    this.registry = registry;
    this.subscription = registry.onDidChange(() => this.changed.fire(undefined));
  }

  /** Reloads the whole tree. */
  refresh(): void {
    this.changed.fire(undefined);
  }

  async getChildren(node?: DatasetNode): Promise<DatasetNode[]> {
    if (!node) return this.registry.all().map((session) => ({ kind: 'dataset', session }));
    const session = node.session;
    const data = await session.data();
    switch (node.kind) {
      case 'dataset': {
        const listing = await data.request('folderListing', { dir: '' });
        const { projects } = await data.request('listProjects', {});
        const children: DatasetNode[] = projects.length > 0 ? [{ kind: 'projects', session }] : [];
        return [...children, ...this.listingNodes(session, '', listing)];
      }
      case 'projects': {
        const { projects } = await data.request('listProjects', {});
        return projects.map((p) => ({ kind: 'project', session, name: p.name, images: p.members.length, query: p.query, memberPaths: p.members.map((m) => m.path) }));
      }
      case 'project': {
        if (node.query !== null) {
          const page = await data.request('search', { query: node.query, offset: 0, limit: MAX_IMAGES_PER_FOLDER });
          if ('error' in page) return [];
          return page.items.map((i) => ({ kind: 'image', session, id: i.id, path: i.path, name: i.path, sha256: i.sha256, tagCount: i.tags.length, hasCaption: i.caption !== null }));
        }
        const nodes: DatasetNode[] = [];
        for (const path of node.memberPaths.slice(0, MAX_IMAGES_PER_FOLDER)) {
          const info = await data.request('imageByPath', { path });
          if (info) nodes.push({ kind: 'image', session, id: info.id, path: info.path, name: info.path, sha256: info.sha256, tagCount: info.tags.length, hasCaption: info.caption !== null });
        }
        return nodes;
      }
      case 'folder':
        return this.listingNodes(session, node.path, await data.request('folderListing', { dir: node.path }));
      default:
        return [];
    }
  }

  getTreeItem(node: DatasetNode): vscode.TreeItem {
    const collapsed = vscode.TreeItemCollapsibleState.Collapsed;
    switch (node.kind) {
      case 'dataset': {
        const item = new vscode.TreeItem(node.session.folder.name, vscode.TreeItemCollapsibleState.Expanded);
        const summary = node.session.lastSummary;
        item.description = summary ? `${count(summary.images, 'image')}${summary.problems ? ` · ${count(summary.problems, 'problem')}` : ''}` : node.session.indexing ? 'indexing...' : '';
        item.iconPath = new vscode.ThemeIcon('database');
        item.contextValue = 'dataset';
        item.resourceUri = node.session.folder.uri;
        item.id = `dataset:${node.session.root}`;
        return item;
      }
      case 'projects': {
        const item = new vscode.TreeItem('Projects', collapsed);
        item.iconPath = new vscode.ThemeIcon('folder-library');
        item.contextValue = 'projects';
        item.id = `projects:${node.session.root}`;
        return item;
      }
      case 'project': {
        const item = new vscode.TreeItem(node.name, collapsed);
        item.description = node.query !== null ? `query: ${node.query}` : count(node.images, 'image');
        item.iconPath = new vscode.ThemeIcon('project');
        item.contextValue = 'project';
        item.id = `project:${node.session.root}:${node.name}`;
        return item;
      }
      case 'folder': {
        const item = new vscode.TreeItem(node.name, collapsed);
        item.description = count(node.images, 'image');
        item.iconPath = vscode.ThemeIcon.Folder;
        item.resourceUri = vscode.Uri.file(join(node.session.root, node.path));
        item.contextValue = 'folder';
        item.id = `folder:${node.session.root}:${node.path}`;
        return item;
      }
      case 'image': {
        const uri = vscode.Uri.file(join(node.session.root, node.path));
        const item = new vscode.TreeItem(node.name, vscode.TreeItemCollapsibleState.None);
        item.resourceUri = uri;
        item.description = node.hasCaption ? count(node.tagCount, 'tag') : 'no caption';
        const size = datasetSettingsFor(node.session.folder.uri).thumbnailSize ?? 256;
        const thumb = join(node.session.layout.thumbsDir, node.sha256.slice(0, 2), `${node.sha256}-${size}.webp`);
        item.iconPath = existsSync(thumb) ? vscode.Uri.file(thumb) : new vscode.ThemeIcon('file-media');
        item.contextValue = 'image';
        item.tooltip = node.path;
        item.command = { command: 'vscode.openWith', title: 'Open Image Editor', arguments: [uri, 'tagbench.imageEditor'] };
        return item;
      }
      case 'more': {
        const item = new vscode.TreeItem(`${node.count} more images...`, vscode.TreeItemCollapsibleState.None);
        item.description = 'open in the gallery';
        item.command = { command: 'tagbench.openGallery', title: 'Open Gallery', arguments: [`folder:${node.path.split('/').pop() ?? ''}`] };
        return item;
      }
    }
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }

  private listingNodes(session: DatasetSession, dir: string, listing: { folders: { name: string; path: string; images: number }[]; images: { id: number; name: string; path: string; sha256: string; tagCount: number; hasCaption: boolean }[] }): DatasetNode[] {
    const folders: DatasetNode[] = listing.folders.map((f) => ({ kind: 'folder', session, path: f.path, name: f.name, images: f.images }));
    const images: DatasetNode[] = listing.images.slice(0, MAX_IMAGES_PER_FOLDER).map((i) => ({ kind: 'image', session, ...i }));
    const more: DatasetNode[] = listing.images.length > MAX_IMAGES_PER_FOLDER ? [{ kind: 'more', session, path: dir, count: listing.images.length - MAX_IMAGES_PER_FOLDER }] : [];
    return [...folders, ...images, ...more];
  }
}

function count(n: number, noun: string): string {
  return `${n.toLocaleString('en-US')} ${noun}${n === 1 ? '' : 's'}`;
}
