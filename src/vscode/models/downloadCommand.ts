/**
 * "Tagbench: Download Model...": pick a model of the catalog (installed ones marked), download it
 * into `tagbench.modelsFolder` (asking for one, default `<global storage>/models`, when it is not set)
 * with a cancellable progress notification; a cancelled or failed download resumes when run again.
 * Downloaded taggers are then offered by "Annotate Images...".
 */
import * as vscode from 'vscode';
import { join } from 'node:path';
import { findCatalogModel, loadModelCatalog, modelInstallState } from '../../core/models/modelDownload.ts';
import type { CatalogModel } from '../../core/models/modelDownload.ts';
import { runModelDownload } from './modelDownloadRun.ts';
import type { ModelDownloadOutcome } from './modelDownloadRun.ts';

/** Answers given in advance: the model's name, the models folder, the hub's base URL. */
export interface DownloadModelArgs {
  model?: string;
  folder?: string;
  baseUrl?: string;
}

type Choice<T> = vscode.QuickPickItem & { value: T };

/** Registers "Download Model...". */
export function registerDownloadCommand(context: vscode.ExtensionContext): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('tagbench.downloadModel', async (a?: unknown) => {
      const args = typeof a === 'object' && a !== null ? (a as DownloadModelArgs) : {};
      return downloadModelCommand(context, args);
    }),
  );
}

async function downloadModelCommand(
  context: vscode.ExtensionContext,
  args: DownloadModelArgs,
): Promise<ModelDownloadOutcome | undefined> {
  let catalog: CatalogModel[];
  try {
    catalog = loadModelCatalog();
  } catch (err) {
    void vscode.window.showErrorMessage(`Tagbench: ${(err as Error).message}`);
    return undefined;
  }
  const modelsDir = args.folder ?? (await modelsFolder(context));
  if (!modelsDir) return undefined;
  let model: CatalogModel | undefined;
  if (args.model !== undefined) {
    model = findCatalogModel(args.model, catalog);
    if (!model) {
      void vscode.window.showErrorMessage(
        `Tagbench: there is no model "${args.model}" in the catalog (${catalog.map((m) => m.name).join(', ')}).`,
      );
      return undefined;
    }
  } else {
    const choices = catalog.map((m): Choice<CatalogModel> => {
      const { state } = modelInstallState(m, modelsDir);
      return {
        label: `${state === 'installed' ? '$(check)' : state === 'partial' ? '$(debug-pause)' : '$(cloud-download)'} ${m.name}`,
        description: `${m.kind}${state === 'installed' ? ', installed' : state === 'partial' ? ', partly downloaded: resumes' : ''}`,
        detail: m.description ?? m.repo,
        value: m,
      };
    });
    model = (
      await vscode.window.showQuickPick(choices, {
        title: 'Download Model',
        placeHolder: `Into ${modelsDir}`,
        matchOnDetail: true,
      })
    )?.value;
  }
  if (!model) return undefined;
  return download(model, modelsDir, args);
}

async function download(
  model: CatalogModel,
  modelsDir: string,
  args: DownloadModelArgs,
): Promise<ModelDownloadOutcome> {
  const outcome = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Downloading ${model.name}`, cancellable: true },
    (progress, token) =>
      runModelDownload({ model, modelsDir, ...(args.baseUrl ? { baseUrl: args.baseUrl } : {}) }, progress, token),
  );
  const again = (): Thenable<unknown> =>
    vscode.commands.executeCommand('tagbench.downloadModel', { ...args, model: model.name, folder: modelsDir });
  if (outcome.status === 'done') {
    const fetched = outcome.files.filter((f) => !f.skipped).length;
    const what = fetched === 0 ? 'is already downloaded' : 'was downloaded';
    const next = model.kind === 'tagger' ? ' "Annotate Images..." offers it now.' : '';
    void vscode.window
      .showInformationMessage(
        `Tagbench: ${model.name} ${what} (${outcome.folder}).${next}`,
        ...(model.kind === 'tagger' ? ['Annotate Images...'] : []),
      )
      .then((choice) => {
        if (choice) void vscode.commands.executeCommand('tagbench.annotateImages');
      });
  } else if (outcome.status === 'cancelled') {
    void vscode.window
      .showInformationMessage(
        `Tagbench: the download of ${model.name} was cancelled; the partial files are kept and it resumes when you download it again.`,
        'Resume',
      )
      .then((choice) => {
        if (choice) void again();
      });
  } else {
    void vscode.window
      .showErrorMessage(`Tagbench: ${outcome.message}`, ...(outcome.retryable ? ['Retry'] : []))
      .then((choice) => {
        if (choice) void again();
      });
  }
  return outcome;
}

/** `tagbench.modelsFolder`, or one the user picks (and saves in the setting); undefined when they back out. */
async function modelsFolder(context: vscode.ExtensionContext): Promise<string | undefined> {
  const config = vscode.workspace.getConfiguration('tagbench');
  const current = config.get<string>('modelsFolder')?.trim();
  if (current) return current;
  const fallback = join(context.globalStorageUri.fsPath, 'models');
  const picked = await vscode.window.showQuickPick<Choice<string | null>>(
    [
      { label: '$(home) Use the default folder', description: fallback, value: fallback },
      { label: '$(folder-opened) Choose a folder...', value: null },
    ],
    { title: 'Download Model: where should models go?', placeHolder: 'Saved in the setting tagbench.modelsFolder' },
  );
  if (!picked) return undefined;
  let folder = picked.value;
  if (folder === null) {
    const chosen = await vscode.window.showOpenDialog({
      title: 'Models folder',
      canSelectFiles: false,
      canSelectFolders: true,
      canSelectMany: false,
    });
    if (!chosen?.[0]) return undefined;
    folder = chosen[0].fsPath;
  }
  await config.update('modelsFolder', folder, vscode.ConfigurationTarget.Global);
  return folder;
}
