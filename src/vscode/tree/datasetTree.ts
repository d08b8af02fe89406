/**
 * The Datasets tree: workspace folder -> projects, problems and folders -> images and problem files,
 * loaded lazily from the index through the data worker, with counts as descriptions, thumbnails as
 * icons and a hover (thumbnail, size, caption) resolved when the pointer rests on an image.
 */
import * as vscode from 'vscode';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Problem } from '../../core/problems.ts';
import type { FileEntry, FolderEntry } from '../../core/index/imageQueries.ts';
import type { DatasetRegistry } from '../datasetRegistry.ts';
import type { DatasetSession } from '../datasetSession.ts';
import { datasetSettingsFor } from '../settings.ts';
import { imageTooltip } from './imageTooltip.ts';
import { problemsIn, sortProblems } from './treeProblems.ts';
import { markdownText } from '../markdownText.ts';

/** What the data worker's folderListing answers. */
type FolderListing = { folders: FolderEntry[]; images: FileEntry[] };

/** Images listed under one folder before a "more" entry. */
const MAX_IMAGES_PER_FOLDER = 1000;

/** A node of the tree. */
export type DatasetNode =
  | { kind: 'dataset'; session: DatasetSession }
  | { kind: 'projects'; session: DatasetSession }
  | {
      kind: 'project';
      session: DatasetSession;
      name: string;
      images: number;
      query: string | null;
      memberPaths: string[];
    }
  | { kind: 'problems'; session: DatasetSession; problems: Problem[] }
  | { kind: 'problem'; session: DatasetSession; problem: Problem; parent: 'problems' | 'folder' }
  | { kind: 'folder'; session: DatasetSession; path: string; name: string; images: number; problems: number }
  | {
      kind: 'image';
      session: DatasetSession;
      id: number;
      path: string;
      name: string;
      sha256: string;
      tagCount: number;
      hasCaption: boolean;
    }
  | { kind: 'more'; session: DatasetSession; path: string; count: number };

/** The tree data provider behind the Datasets view. */
export class DatasetTreeProvider implements vscode.TreeDataProvider<DatasetNode>, vscode.Disposable {
  private readonly registry: DatasetRegistry;
  private readonly changed = new vscode.EventEmitter<DatasetNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly watched = new Set<DatasetSession>();
  /** Datasets left out of the last root listing (not indexed yet): an index run starting lists them. */
  private readonly unlisted = new Set<DatasetSession>();
  /** Each dataset's problems, loaded once per refresh. */
  private readonly problems = new Map<DatasetSession, Promise<Problem[]>>();

  constructor(registry: DatasetRegistry) {
    this.registry = registry;
    this.disposables.push(
      registry.onDidChange(() => {
        for (const session of registry.all()) this.watch(session);
        this.refresh();
      }),
    );
    for (const session of registry.all()) this.watch(session);
  }

  /** Reloads the whole tree. */
  refresh(): void {
    this.problems.clear();
    this.changed.fire(undefined);
  }

  /**
   * The datasets the tree lists: those with an index or an index run going on. A folder of images
   * that was never indexed is left to the welcome view, which offers to index it.
   */
  listed(): DatasetSession[] {
    return this.registry.all().filter((session) => session.indexing || session.indexed);
  }

  async getChildren(node?: DatasetNode): Promise<DatasetNode[]> {
    if (!node) {
      const listed = this.listed();
      this.unlisted.clear();
      for (const session of this.registry.all()) if (!listed.includes(session)) this.unlisted.add(session);
      return listed.map((session) => ({ kind: 'dataset', session }));
    }
    const session = node.session;
    const data = await session.data();
    switch (node.kind) {
      case 'dataset': {
        const [listing, { projects }, problems] = await Promise.all([
          data.request('folderListing', { dir: '' }),
          data.request('listProjects', {}),
          this.problemsOf(session),
        ]);
        const children: DatasetNode[] = projects.length > 0 ? [{ kind: 'projects', session }] : [];
        if (problems.length > 0) children.push({ kind: 'problems', session, problems: sortProblems(problems) });
        return [...children, ...this.listingNodes(session, '', listing, problems)];
      }
      case 'projects': {
        const { projects } = await data.request('listProjects', {});
        return projects.map((p) => ({
          kind: 'project',
          session,
          name: p.name,
          images: p.members.length,
          query: p.query,
          memberPaths: p.members.map((m) => m.path),
        }));
      }
      case 'project': {
        if (node.query !== null) {
          const page = await data.request('search', { query: node.query, offset: 0, limit: MAX_IMAGES_PER_FOLDER });
          if ('error' in page) return [];
          return page.items.map((i) => ({
            kind: 'image',
            session,
            id: i.id,
            path: i.path,
            name: i.path,
            sha256: i.sha256,
            tagCount: i.tags.length,
            hasCaption: i.caption !== null,
          }));
        }
        const nodes: DatasetNode[] = [];
        for (const path of node.memberPaths.slice(0, MAX_IMAGES_PER_FOLDER)) {
          const info = await data.request('imageByPath', { path });
          if (info)
            nodes.push({
              kind: 'image',
              session,
              id: info.id,
              path: info.path,
              name: info.path,
              sha256: info.sha256,
              tagCount: info.tags.length,
              hasCaption: info.caption !== null,
            });
        }
        return nodes;
      }
      case 'problems':
        return node.problems.map((problem) => ({ kind: 'problem', session, problem, parent: 'problems' }));
      case 'folder': {
        const [listing, problems] = await Promise.all([
          data.request('folderListing', { dir: node.path }),
          this.problemsOf(session),
        ]);
        return this.listingNodes(session, node.path, listing, problems);
      }
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
        item.description = summary
          ? `${count(summary.images, 'image')}${summary.problems ? ` · ${count(summary.problems, 'problem')}` : ''}`
          : node.session.indexing
            ? 'indexing...'
            : '';
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
      case 'problems': {
        const errors = node.problems.filter((p) => p.severity === 'error').length;
        const warnings = node.problems.length - errors;
        const item = new vscode.TreeItem(`Problems (${node.problems.length.toLocaleString('en-US')})`, collapsed);
        item.description = [errors ? count(errors, 'error') : '', warnings ? count(warnings, 'warning') : '']
          .filter(Boolean)
          .join(', ');
        item.tooltip = 'Files Tagbench cannot use as they are, and why. They are also listed in the Problems panel.';
        item.iconPath = severityIcon(errors > 0 ? 'error' : 'warning');
        item.contextValue = 'problems';
        item.id = `problems:${node.session.root}`;
        return item;
      }
      case 'problem': {
        const { problem } = node;
        const label = node.parent === 'folder' ? problem.path.slice(problem.path.lastIndexOf('/') + 1) : problem.path;
        const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.None);
        item.description = problem.message;
        const tooltip = new vscode.MarkdownString('', true);
        tooltip.appendMarkdown('**');
        tooltip.appendMarkdown(markdownText(problem.path));
        tooltip.appendMarkdown(`**\n\n$(${problem.severity}) `);
        tooltip.appendMarkdown(markdownText(`${problem.message} (${problem.kind})`));
        item.tooltip = tooltip;
        item.iconPath = severityIcon(problem.severity);
        item.resourceUri = vscode.Uri.file(join(node.session.root, problem.path));
        item.contextValue = 'problem';
        item.id = `problem:${node.parent}:${node.session.root}:${problem.path}:${problem.kind}`;
        item.command = { command: 'tagbench.openTreeItem', title: 'Show Problem', arguments: [node] };
        return item;
      }
      case 'folder': {
        const item = new vscode.TreeItem(node.name, collapsed);
        item.description = `${count(node.images, 'image')}${node.problems ? ` · ${count(node.problems, 'problem')}` : ''}`;
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
        // The tooltip is left unset: resolveTreeItem fills it in when the pointer rests on the item.
        item.command = { command: 'tagbench.openTreeItem', title: 'Open Image Editor', arguments: [node] };
        return item;
      }
      case 'more': {
        const item = new vscode.TreeItem(`${node.count} more images...`, vscode.TreeItemCollapsibleState.None);
        item.description = 'open in the gallery';
        item.command = {
          command: 'tagbench.openGallery',
          title: 'Open Gallery',
          arguments: [`folder:${node.path.split('/').pop() ?? ''}`],
        };
        return item;
      }
    }
  }

  /** Fills in an image's hover: thumbnail (made now if missing), size, caption and problems. */
  async resolveTreeItem(
    item: vscode.TreeItem,
    node: DatasetNode,
    token: vscode.CancellationToken,
  ): Promise<vscode.TreeItem> {
    if (node.kind !== 'image' || item.tooltip !== undefined) return item;
    const data = await node.session.data();
    const info = await data.request('imageById', { id: node.id });
    if (!info || token.isCancellationRequested) return item;
    const thumbnail = await data.request('ensureThumbnail', { id: node.id }).catch(() => null);
    item.tooltip = imageTooltip(info, thumbnail);
    return item;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
    this.changed.dispose();
  }

  private watch(session: DatasetSession): void {
    if (this.watched.has(session)) return;
    this.watched.add(session);
    this.disposables.push(
      session.onDidStartIndexing(() => {
        if (this.unlisted.has(session)) this.refresh();
      }),
    );
  }

  private problemsOf(session: DatasetSession): Promise<Problem[]> {
    let problems = this.problems.get(session);
    if (!problems) {
      problems = session.data().then((data) => data.request('problems', {}));
      problems.catch(() => this.problems.delete(session));
      this.problems.set(session, problems);
    }
    return problems;
  }

  private listingNodes(
    session: DatasetSession,
    dir: string,
    listing: FolderListing,
    problems: readonly Problem[],
  ): DatasetNode[] {
    const here = problemsIn(problems, dir);
    const folders: DatasetNode[] = listing.folders.map((f) => ({
      kind: 'folder',
      session,
      path: f.path,
      name: f.name,
      images: f.images,
      problems: here.subfolders.get(f.name)?.count ?? 0,
    }));
    // A folder whose files are all broken has no images in the index: list it for its problems.
    const listed = new Set(listing.folders.map((f) => f.name));
    const brokenOnly = [...here.subfolders].filter(([name]) => !listed.has(name));
    for (const [name, { path, count: n }] of brokenOnly)
      folders.push({ kind: 'folder', session, path, name, images: 0, problems: n });
    if (brokenOnly.length > 0) folders.sort((a, b) => NAME_ORDER.compare(nameOf(a), nameOf(b)));
    const imagePaths = new Set(listing.images.map((i) => i.path));
    // An image with a problem (e.g. a wrong extension) is listed as an image, with the problem in its hover and badge.
    const problemFiles: DatasetNode[] = here.files
      .filter((p) => !imagePaths.has(p.path))
      .map((problem) => ({ kind: 'problem', session, problem, parent: 'folder' }));
    const images: DatasetNode[] = listing.images
      .slice(0, MAX_IMAGES_PER_FOLDER)
      .map((i) => ({ kind: 'image', session, ...i }));
    const left = listing.images.length - MAX_IMAGES_PER_FOLDER;
    const more: DatasetNode[] = left > 0 ? [{ kind: 'more', session, path: dir, count: left }] : [];
    return [...folders, ...problemFiles, ...images, ...more];
  }
}

/** The order of names in folder listings (as the index sorts them). */
const NAME_ORDER = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

function nameOf(node: DatasetNode): string {
  return node.kind === 'folder' ? node.name : '';
}

function severityIcon(severity: Problem['severity']): vscode.ThemeIcon {
  return severity === 'error'
    ? new vscode.ThemeIcon('error', new vscode.ThemeColor('problemsErrorIcon.foreground'))
    : new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'));
}

function count(n: number, noun: string): string {
  return `${n.toLocaleString('en-US')} ${noun}${n === 1 ? '' : 's'}`;
}
