/**
 * The Jobs view: every dataset's jobs (running, paused, finished), each with a short label, its state
 * in a few words (progress and ETA while it runs, failures), an icon per outcome and the long text in
 * its hover; a failed job item shows as a child with its reason.
 */
import * as vscode from 'vscode';
import type { JobInfo } from '../../core/jobs/jobStore.ts';
import type { JobProgress } from '../../core/jobs/jobRunner.ts';
import type { DatasetRegistry } from '../datasetRegistry.ts';
import type { DatasetSession } from '../datasetSession.ts';
import { jobAppearance } from './jobAppearance.ts';
import { markdownText } from '../markdownText.ts';

/** A node of the Jobs view. */
export type JobNode =
  | { kind: 'job'; session: DatasetSession; job: JobInfo }
  | { kind: 'failure'; session: DatasetSession; jobId: number; key: string; error: string };

/** Data of the Jobs view. */
export class JobsViewProvider implements vscode.TreeDataProvider<JobNode>, vscode.Disposable {
  private readonly registry: DatasetRegistry;
  private readonly changed = new vscode.EventEmitter<JobNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly progress = new Map<string, JobProgress>();
  private readonly watched = new Set<DatasetSession>();
  private readonly disposables: vscode.Disposable[] = [];
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(registry: DatasetRegistry) {
    this.registry = registry;
    this.disposables.push(
      registry.onDidChange((session) => {
        this.watch(session);
        this.refresh();
      }),
    );
    for (const session of registry.all()) this.watch(session);
  }

  /** Reloads the view (at most a few times a second). */
  refresh(): void {
    if (this.refreshTimer) return;
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = undefined;
      this.changed.fire(undefined);
    }, 250);
  }

  /** The latest progress of a running job. */
  progressOf(session: DatasetSession, jobId: number): JobProgress | undefined {
    return this.progress.get(`${session.root}\0${jobId}`);
  }

  async getChildren(node?: JobNode): Promise<JobNode[]> {
    if (!node) {
      const all = await Promise.all(
        this.registry.all().map(async (session) => {
          const jobs = await (await session.data()).request('listJobs', {});
          return jobs.map((job): JobNode => ({ kind: 'job', session, job }));
        }),
      );
      return all.flat();
    }
    if (node.kind === 'job' && node.job.failed > 0) {
      const failures = await (await node.session.data()).request('jobFailures', { jobId: node.job.id });
      return failures.map((f) => ({
        kind: 'failure',
        session: node.session,
        jobId: node.job.id,
        key: f.key,
        error: f.error,
      }));
    }
    return [];
  }

  getTreeItem(node: JobNode): vscode.TreeItem {
    if (node.kind === 'failure') {
      const item = new vscode.TreeItem(node.key, vscode.TreeItemCollapsibleState.None);
      item.description = node.error;
      item.tooltip = `${node.key}\n${node.error}`;
      item.iconPath = new vscode.ThemeIcon('error', new vscode.ThemeColor('list.errorForeground'));
      item.contextValue = 'jobFailure';
      return item;
    }
    const { job } = node;
    const live = job.state === 'running' ? this.progressOf(node.session, job.id) : undefined;
    const look = jobAppearance(job, live);
    const collapsible =
      job.failed > 0 ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None;
    const item = new vscode.TreeItem(look.label, collapsible);
    item.description = look.description;
    const tooltip = new vscode.MarkdownString('', true);
    tooltip.appendMarkdown('**');
    tooltip.appendMarkdown(markdownText(job.title));
    tooltip.appendMarkdown('**');
    for (const line of [...look.details, `Job #${job.id} in ${node.session.folder.name}`]) {
      tooltip.appendMarkdown('\n\n');
      tooltip.appendMarkdown(markdownText(line));
    }
    item.tooltip = tooltip;
    item.iconPath = new vscode.ThemeIcon(look.icon, look.color ? new vscode.ThemeColor(look.color) : undefined);
    item.contextValue = look.contextValue;
    item.id = `job:${node.session.root}:${job.id}`;
    return item;
  }

  dispose(): void {
    clearTimeout(this.refreshTimer);
    for (const d of this.disposables) d.dispose();
    this.changed.dispose();
  }

  private watch(session: DatasetSession): void {
    if (this.watched.has(session)) return;
    this.watched.add(session);
    this.disposables.push(
      session.onJobProgress((p) => {
        this.progress.set(`${session.root}\0${p.jobId}`, p);
        this.refresh();
      }),
    );
  }
}
