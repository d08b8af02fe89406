/** Tagbench's VS Code entry point: builds the services and registers each feature. */
import type * as vscode from 'vscode';
import { DatasetRegistry } from './vscode/datasetRegistry.ts';
import { registerIndexCommands } from './vscode/indexCommands.ts';

/** Called by VS Code when a Tagbench activation event fires. Does no heavy work itself. */
export function activate(context: vscode.ExtensionContext): { registry: DatasetRegistry } {
  const registry = new DatasetRegistry(context);
  context.subscriptions.push(registry);
  registerIndexCommands(context, registry);
  registry.start();
  return { registry };
}

/** Called by VS Code on shutdown; subscriptions are disposed by VS Code. */
export function deactivate(): void {}
