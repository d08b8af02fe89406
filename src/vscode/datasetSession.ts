/**
 * One dataset (a workspace folder) as the extension sees it: its index runs (in a worker thread, one
 * at a time, with a cancellable progress notification), and an event when its index changed.
 */
import * as vscode from 'vscode';
import { existsSync } from 'node:fs';
import type { IndexSummary } from '../core/index/indexer.ts';
import type { IndexWorkerApi, IndexWorkerEvents } from '../protocol/workerProtocol.ts';
import type { DataWorkerApi, DataWorkerEvents } from '../protocol/dataProtocol.ts';
import { RpcError } from '../protocol/rpc.ts';
import type { RpcEndpoint } from '../protocol/rpc.ts';
import { datasetLayout } from '../core/dataset/datasetLayout.ts';
import { batchConfirmThreshold, datasetSettingsFor, workerCount } from './settings.ts';
import { startWorker } from './workerClient.ts';
import type { WorkerClient } from './workerClient.ts';
import type { JobProgress } from '../core/jobs/jobRunner.ts';
import { tagDatabaseSetting } from './tags/tagSettings.ts';

/** How an index run was asked for. */
export interface IndexRequest {
  rebuild?: boolean;
  force?: boolean;
  /** Show a progress notification (true) or only a status bar entry (false). */
  notify?: boolean;
}

/** A dataset and its index. */
export class DatasetSession implements vscode.Disposable {
  readonly folder: vscode.WorkspaceFolder;
  private readonly extensionPath: string;
  private readonly changed = new vscode.EventEmitter<IndexSummary | undefined>();
  /** Fires after the index changed (an index run finished, or a batch edit was applied). */
  readonly onDidChangeIndex = this.changed.event;
  private running: Promise<IndexSummary | undefined> | undefined;
  private again: IndexRequest | undefined;
  private cancelRun: (() => void) | undefined;
  /** The last completed run's summary. */
  lastSummary: IndexSummary | undefined;
  private dataWorker: WorkerClient<DataWorkerApi, DataWorkerEvents> | undefined;
  private readonly jobProgress = new vscode.EventEmitter<JobProgress>();
  /** Fires with the progress of this dataset's running jobs. */
  readonly onJobProgress = this.jobProgress.event;
  private dataReady: Promise<RpcEndpoint<DataWorkerEvents, DataWorkerApi>> | undefined;
  private readonly startedIndexing = new vscode.EventEmitter<void>();
  /** Fires when an index run starts (onDidChangeIndex fires when it ends). */
  readonly onDidStartIndexing = this.startedIndexing.event;

  private readonly indexedAtOpen: boolean;

  constructor(folder: vscode.WorkspaceFolder, extensionPath: string) {
    this.folder = folder;
    this.extensionPath = extensionPath;
    // Before the data worker starts: opening the index creates an empty one.
    this.indexedAtOpen = existsSync(this.layout.indexFile);
  }

  /** Whether the dataset had an index when this window opened it, or an index run finished since. */
  get indexed(): boolean {
    return this.indexedAtOpen || this.lastSummary !== undefined;
  }

  /** The dataset's root folder on disk. */
  get root(): string {
    return this.folder.uri.fsPath;
  }

  /** The dataset's `.tagbench/` layout (index, thumbnails). */
  get layout(): ReturnType<typeof datasetLayout> {
    return datasetLayout(this.root);
  }

  /**
   * The data worker that answers this dataset's queries and edits, started on first use. Its
   * connection stays open across index runs and rebuilds (both work inside the same index file).
   */
  data(): Promise<RpcEndpoint<DataWorkerEvents, DataWorkerApi>> {
    if (!this.dataReady) {
      const client = startWorker<DataWorkerApi, DataWorkerEvents>(this.extensionPath, 'dataWorker', () => {
        if (this.dataWorker === client) {
          this.dataWorker = undefined;
          this.dataReady = undefined;
        }
      });
      client.rpc.onProblem = (problem) => console.warn(`Tagbench data worker: ${problem}`);
      client.rpc.on('jobProgress', (p) => this.jobProgress.fire(p));
      this.dataWorker = client;
      this.dataReady = this.openData(client.rpc).then(() => client.rpc);
      this.dataReady.catch(() => {
        this.dataReady = undefined;
        void client.terminate();
      });
    }
    return this.dataReady;
  }

  /** Indexes the dataset (incrementally unless rebuild). A request during a run queues one more run. */
  index(request: IndexRequest = {}): Promise<IndexSummary | undefined> {
    if (this.running) {
      this.again = { ...this.again, ...request };
      return this.running;
    }
    this.running = this.runOnce(request).finally(() => {
      this.running = undefined;
      const next = this.again;
      this.again = undefined;
      if (next) void this.index(next);
    });
    this.startedIndexing.fire();
    return this.running;
  }

  /** Sends changed settings to the data worker, if it is running. */
  async reconfigure(): Promise<void> {
    if (this.dataWorker && this.dataReady) await this.openData(this.dataWorker.rpc);
  }

  /** Tells listeners the index changed outside an index run (e.g. after a batch edit). */
  fireChanged(): void {
    this.changed.fire(undefined);
  }

  /** Whether an index run is in progress. */
  get indexing(): boolean {
    return this.running !== undefined;
  }

  /** Cancels a running index run, if any. */
  cancelIndexing(): void {
    this.cancelRun?.();
  }

  dispose(): void {
    this.cancelRun?.();
    void this.dataWorker?.terminate();
    this.changed.dispose();
    this.startedIndexing.dispose();
    this.jobProgress.dispose();
  }

  private async openData(rpc: RpcEndpoint<DataWorkerEvents, DataWorkerApi>): Promise<void> {
    const settings = datasetSettingsFor(this.folder.uri);
    await rpc.request('open', {
      root: this.root,
      captionExtension: settings.captionExtension ?? '.txt',
      thumbnailSize: settings.thumbnailSize ?? 256,
      batchConfirmThreshold: batchConfirmThreshold(),
      tagDatabase: tagDatabaseSetting(this.folder.uri),
      reopen: false,
    });
  }

  private async runOnce(request: IndexRequest): Promise<IndexSummary | undefined> {
    const location = request.notify === false ? vscode.ProgressLocation.Window : vscode.ProgressLocation.Notification;
    const title = `${request.rebuild ? 'Rebuilding' : 'Indexing'} ${this.folder.name}`;
    const summary = await vscode.window
      .withProgress({ location, title, cancellable: true }, async (progress, token) => {
        const client = startWorker<IndexWorkerApi, IndexWorkerEvents>(this.extensionPath, 'indexWorker');
        let reported = 0;
        client.rpc.on('progress', (p) => {
          if (p.phase === 'scan') progress.report({ message: 'scanning files...' });
          else if (p.phase === 'read' && p.total > 0) {
            const percent = (p.done / p.total) * 100;
            progress.report({ message: `${p.done} of ${p.total} images`, increment: percent - reported });
            reported = percent;
          } else if (p.phase === 'finish') progress.report({ message: 'finishing...' });
        });
        const cancel = (): void => client.rpc.notify('cancel', {});
        this.cancelRun = cancel;
        const subscription = token.onCancellationRequested(cancel);
        try {
          const options = {
            rebuild: request.rebuild ?? false,
            force: request.force ?? false,
            settings: datasetSettingsFor(this.folder.uri),
            ...(workerCount() ? { concurrency: workerCount() } : {}),
          };
          return await client.rpc.request('run', { root: this.root, options });
        } finally {
          subscription.dispose();
          this.cancelRun = undefined;
          await client.terminate();
        }
      })
      .then(
        (result) => result,
        (err: unknown) => this.reportFailure(err, request),
      );
    if (summary) {
      this.lastSummary = summary;
      // The index is rebuilt and migrated in place (never replaced while the data worker has it open):
      // the worker's connection stays, its caches are refreshed, and its running jobs go on.
      if (this.dataWorker && this.dataReady) await this.openData(this.dataWorker.rpc);
      for (const message of summary.messages) void vscode.window.showInformationMessage(`Tagbench: ${message}`);
      this.changed.fire(summary);
    }
    return summary;
  }

  private async reportFailure(err: unknown, request: IndexRequest): Promise<undefined> {
    const message = err instanceof Error ? err.message : String(err);
    const canForce =
      err instanceof RpcError && err.code === 'DatasetError' && /--force/.test(message) && !request.force;
    const text = `Tagbench could not index ${this.folder.name}: ${message.replace(/ Pass --force.*$/, '')}`;
    if (canForce) {
      const choice = await vscode.window.showWarningMessage(text, 'Index Anyway');
      if (choice === 'Index Anyway') void this.index({ ...request, force: true });
    } else {
      void vscode.window.showErrorMessage(text);
    }
    return undefined;
  }
}
