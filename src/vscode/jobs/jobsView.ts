/**
 * The Jobs view: every dataset's jobs (running, paused, finished) with done/total, throughput, ETA
 * and failures; a failed job item shows as a child with its reason.
 */
import * as vscode from 'vscode';
import type { JobInfo } from '../../core/jobs/jobStore.ts';
import type { JobProgress } from '../../core/jobs/jobRunner.ts';
import type { DatasetRegistry } from '../datasetRegistry.ts';
import type { DatasetSession } from '../datasetSession.ts';

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
    this.disposables.push(registry.onDidChange((session) => {
      this.watch(session);
      this.refresh();
    }));
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
      const all = await Promise.all(this.registry.all().map(async (session) => {
        const jobs = await (await session.data()).request('listJobs', {});
        return jobs.map((job): JobNode => ({ kind: 'job', session, job }));
      }));
      return all.flat();
    }
    if (node.kind === 'job' && node.job.failed > 0) {
      const failures = await (await node.session.data()).request('jobFailures', { jobId: node.job.id });
      return failures.map((f) => ({ kind: 'failure', session: node.session, jobId: node.job.id, key: f.key, error: f.error }));
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
    const done = live ? live.done + live.failed + live.skipped : job.done + job.failed + job.skipped;
    const item = new vscode.TreeItem(job.title, job.failed > 0 ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    const parts = [job.state, `${done}/${job.total}`];
    if (live && live.rate > 0) parts.push(`${live.rate.toFixed(1)}/s`);
    if (live?.etaSeconds != null) parts.push(`ETA ${formatSeconds(live.etaSeconds)}`);
    const failed = live ? live.failed : job.failed;
    if (failed > 0) parts.push(`${failed} failed`);
    item.description = parts.join(' · ');
    item.tooltip = [job.title, `#${job.id} in ${node.session.folder.name}`, job.message ?? ''].filter(Boolean).join('\n');
    item.iconPath = new vscode.ThemeIcon(ICONS[job.state] ?? 'circle-outline');
    item.contextValue = `job-${job.state}`;
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
    this.disposables.push(session.onJobProgress((p) => {
      this.progress.set(`${session.root}\0${p.jobId}`, p);
      this.refresh();
    }));
  }
}

const ICONS: Record<string, string> = { queued: 'clock', running: 'sync~spin', paused: 'debug-pause', done: 'pass', failed: 'error' };

function formatSeconds(seconds: number): string {
  if (seconds < 60) return `${Math.ceil(seconds)}s`;
  const minutes = Math.floor(seconds / 60);
  return minutes < 60 ? `${minutes}m${String(Math.round(seconds % 60)).padStart(2, '0')}s` : `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}
