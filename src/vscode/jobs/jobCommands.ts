/**
 * Process and export from VS Code: the questions each needs, then the job run with a cancellable
 * progress notification; the Jobs view with cancel, resume, retry and failure listing; and an offer to
 * resume jobs a closed window left unfinished.
 */
import * as vscode from 'vscode';
import { availableParallelism } from 'node:os';
import { RpcError } from '../../protocol/rpc.ts';
import type { JobSpec, JobReport } from '../../core/jobs/jobService.ts';
import { jobCountsText, jobDetailsParagraph } from '../../core/jobs/jobReportText.ts';
import type { DatasetRegistry } from '../datasetRegistry.ts';
import type { DatasetSession } from '../datasetSession.ts';
import { GalleryPanel } from '../gallery/galleryPanel.ts';
import { JobsViewProvider } from './jobsView.ts';
import type { JobNode } from './jobsView.ts';
import { askExportSpec, askProcessSpec } from './jobQuestions.ts';

/** Plans and runs a job from a front-end command (the API key is for cloud annotation only). */
export type JobStarter = (session: DatasetSession, spec: JobSpec, apiKey?: string) => Promise<JobReport | undefined>;

/** Registers the Jobs view and the job commands; returns the view and the job starter other commands use. */
export function registerJobCommands(
  context: vscode.ExtensionContext,
  registry: DatasetRegistry,
  keyFor: (job: { params: unknown }) => Promise<string | undefined> = async () => undefined,
): { view: JobsViewProvider; startJob: JobStarter } {
  const view = new JobsViewProvider(registry);
  const pickSession = async (title: string): Promise<DatasetSession | undefined> =>
    GalleryPanel.active?.session ?? registry.pick(title);
  const offered = new Set<string>();
  context.subscriptions.push(
    view,
    vscode.window.createTreeView('tagbench.jobs', { treeDataProvider: view }),
    registry.onDidChange((session) => void offerResume(session)),
    vscode.commands.registerCommand('tagbench.processImages', async () => {
      const session = await pickSession('Process the images of which dataset?');
      if (!session) return undefined;
      const spec = await askProcessSpec(session, GalleryPanel.of(session)?.query ?? '');
      return spec && startJob(session, spec);
    }),
    vscode.commands.registerCommand('tagbench.exportTrainingSet', async () => {
      const session = await pickSession('Export from which dataset?');
      if (!session) return undefined;
      const spec = await askExportSpec(session, GalleryPanel.of(session)?.query ?? '');
      return spec && startJob(session, spec);
    }),
    vscode.commands.registerCommand('tagbench.cancelJob', async (node?: JobNode) => {
      if (node?.kind !== 'job') return;
      await (await node.session.data()).request('cancelJob', { jobId: node.job.id });
      view.refresh();
    }),
    vscode.commands.registerCommand('tagbench.resumeJob', (node?: JobNode) =>
      node?.kind === 'job' ? runWithProgress(node.session, node.job.id, node.job.title, false) : undefined,
    ),
    vscode.commands.registerCommand('tagbench.retryFailedItems', (node?: JobNode) =>
      node?.kind === 'job' ? runWithProgress(node.session, node.job.id, node.job.title, true) : undefined,
    ),
    vscode.commands.registerCommand('tagbench.showJobFailures', async (node?: JobNode) => {
      if (node?.kind !== 'job') return;
      const failures = await (await node.session.data()).request('jobFailures', { jobId: node.job.id });
      const text = [`# ${node.job.title}`, '', ...failures.map((f) => `${f.key}: ${f.error}`)].join('\n');
      await vscode.window.showTextDocument(
        await vscode.workspace.openTextDocument({ content: text, language: 'markdown' }),
      );
    }),
  );

  /** Plans a job, then runs it. An export into a non-empty folder asks before going on. */
  async function startJob(session: DatasetSession, spec: JobSpec, apiKey?: string): Promise<JobReport | undefined> {
    const data = await session.data();
    let jobId: number;
    try {
      jobId = await data.request('planJob', { spec });
    } catch (err) {
      const message = (err as Error).message;
      if (spec.kind === 'export' && err instanceof RpcError && /not empty|holds a/.test(message)) {
        const choice = await vscode.window.showWarningMessage(
          `${message.replace(/ pass --force\.?$/, '')}`,
          { modal: true },
          'Export Anyway',
        );
        if (choice !== 'Export Anyway') return undefined;
        jobId = await data.request('planJob', { spec: { ...spec, force: true } });
      } else {
        void vscode.window.showErrorMessage(`Tagbench: ${message}`);
        return undefined;
      }
    }
    view.refresh();
    const jobs = await data.request('listJobs', {});
    return runWithProgress(session, jobId, jobs.find((j) => j.id === jobId)?.title ?? `Job ${jobId}`, false, apiKey);
  }

  /** Runs a job with a cancellable progress notification and reports how it ended. */
  async function runWithProgress(
    session: DatasetSession,
    jobId: number,
    title: string,
    retryFailed: boolean,
    apiKey?: string,
  ): Promise<JobReport | undefined> {
    const data = await session.data();
    // A resumed cloud annotation needs its provider's key again (keys are never stored with jobs).
    const key =
      apiKey ?? (await keyFor((await data.request('listJobs', {})).find((j) => j.id === jobId) ?? { params: null }));
    const workers = vscode.workspace.getConfiguration('tagbench').get<number>('workerCount') || availableParallelism();
    let cancelled = false;
    const report = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Tagbench: ${title}`, cancellable: true },
      async (progress, token) => {
        let reported = 0;
        const subscription = session.onJobProgress((p) => {
          if (p.jobId !== jobId || p.total === 0) return;
          const percent = ((p.done + p.failed + p.skipped) / p.total) * 100;
          const eta = p.etaSeconds != null ? `, about ${Math.ceil(p.etaSeconds)} s left` : '';
          progress.report({
            message: `${p.done + p.failed + p.skipped} of ${p.total}${p.failed ? ` (${p.failed} failed)` : ''}${eta}`,
            increment: percent - reported,
          });
          reported = percent;
        });
        const cancel = token.onCancellationRequested(() => {
          cancelled = true;
          void data.request('cancelJob', { jobId });
        });
        try {
          return await data.request('runJob', { jobId, workers, retryFailed, ...(key ? { apiKey: key } : {}) });
        } catch (err) {
          void vscode.window.showErrorMessage(`Tagbench: ${(err as Error).message}`);
          return undefined;
        } finally {
          subscription.dispose();
          cancel.dispose();
        }
      },
    );
    view.refresh();
    if (!report) return undefined;
    if (report.job.kind === 'process' || report.job.kind === 'annotate') void session.index({ notify: false });
    const j = report.job;
    const summary =
      j.state === 'paused'
        ? `${title}: stopped after ${j.done + j.skipped} of ${j.total}; resume it from the Jobs view.`
        : [`${title}: ${jobCountsText(j)}.`, jobDetailsParagraph(report.details)].filter(Boolean).join(' ');
    if (j.state === 'paused' && !cancelled && j.message) {
      // The job stopped itself (e.g. the provider refused the API key): its message says what to fix.
      void vscode.window.showWarningMessage(`Tagbench: ${title}: ${j.message}`);
      return report;
    }
    const actions = j.failed > 0 ? ['Show Failures'] : [];
    void vscode.window.showInformationMessage(`Tagbench: ${summary}`, ...actions).then((choice) => {
      if (choice === 'Show Failures')
        void vscode.commands.executeCommand('tagbench.showJobFailures', {
          kind: 'job',
          session,
          job: j,
        } satisfies JobNode);
    });
    return report;
  }

  /** Offers once per dataset to resume the jobs a closed window left unfinished. */
  async function offerResume(session: DatasetSession): Promise<void> {
    if (offered.has(session.root)) return;
    offered.add(session.root);
    const unfinished = await (await session.data()).request('unfinishedJobs', {});
    if (unfinished.length === 0) return;
    view.refresh();
    const first = unfinished[0]!;
    const text =
      unfinished.length === 1
        ? `Tagbench: "${first.title}" stopped at ${first.done + first.skipped + first.failed} of ${first.total}. Resume it?`
        : `Tagbench: ${unfinished.length} jobs in ${session.folder.name} did not finish. Resume the latest?`;
    const choice = await vscode.window.showInformationMessage(text, 'Resume', 'Show Jobs');
    if (choice === 'Resume') await runWithProgress(session, first.id, first.title, false);
    else if (choice === 'Show Jobs') await vscode.commands.executeCommand('tagbench.jobs.focus');
  }

  return { view, startJob };
}
