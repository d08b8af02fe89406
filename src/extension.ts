/** Tagbench's VS Code entry point: builds the services and registers each feature. */
import type * as vscode from 'vscode';
import { DatasetRegistry } from './vscode/datasetRegistry.ts';
import { registerIndexCommands } from './vscode/indexCommands.ts';
import { registerGalleryCommands } from './vscode/gallery/galleryCommands.ts';
import { registerDatasetTree } from './vscode/tree/treeCommands.ts';
import type { DatasetTreeProvider } from './vscode/tree/datasetTree.ts';
import { ProblemsReporter } from './vscode/problemsReporter.ts';
import { FileOperations } from './vscode/fileOperations.ts';
import { ImageEditorProvider } from './vscode/editors/imageEditorProvider.ts';
import { CaptionEditorProvider } from './vscode/editors/captionEditorProvider.ts';
import { registerEditorAssociation } from './vscode/editors/editorAssociation.ts';
import { registerJobCommands } from './vscode/jobs/jobCommands.ts';
import type { JobsViewProvider } from './vscode/jobs/jobsView.ts';
import { ApiKeys, registerApiKeyCommands } from './vscode/annotate/apiKeys.ts';
import { keyForJob, registerAnnotateCommands } from './vscode/annotate/annotateCommands.ts';
import { registerTagCommands } from './vscode/tags/tagCommands.ts';
import { registerDownloadCommand } from './vscode/models/downloadCommand.ts';
import { registerFirstRun } from './vscode/firstRun.ts';
import type { FirstRun } from './vscode/firstRun.ts';

/** What the extension exports (used by its integration tests). */
export interface TagbenchApi {
  registry: DatasetRegistry;
  /** The Datasets view's data. */
  tree: DatasetTreeProvider;
  /** The Jobs view's data. */
  jobs: JobsViewProvider;
  /** The welcome context and the one-time first-run hint. */
  firstRun: FirstRun;
  /** Milliseconds activate() took. */
  activationMs: number;
}

/** Called by VS Code when a Tagbench activation event fires. Does no heavy work itself. */
export function activate(context: vscode.ExtensionContext): TagbenchApi {
  const started = performance.now();
  const registry = new DatasetRegistry(context);
  context.subscriptions.push(registry);
  registerIndexCommands(context, registry);
  registerGalleryCommands(context, registry);
  const tree = registerDatasetTree(context, registry);
  context.subscriptions.push(
    new ProblemsReporter(registry),
    new FileOperations(registry),
    ImageEditorProvider.register(context, registry),
    CaptionEditorProvider.register(context, registry),
  );
  registerEditorAssociation(context);
  const keys = new ApiKeys(context.secrets);
  registerApiKeyCommands(context, keys);
  const { view: jobs, startJob } = registerJobCommands(context, registry, (job) => keyForJob(keys, job));
  registerAnnotateCommands(context, registry, keys, startJob);
  registerTagCommands(context, registry);
  registerDownloadCommand(context);
  registry.start();
  const firstRun = registerFirstRun(context, registry, tree);
  return { registry, tree, jobs, firstRun, activationMs: performance.now() - started };
}

/** Called by VS Code on shutdown; subscriptions are disposed by VS Code. */
export function deactivate(): void {}
