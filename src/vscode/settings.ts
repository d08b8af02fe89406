/** Tagbench's VS Code settings (`tagbench.*`), read fresh each time they are needed. */
import * as vscode from 'vscode';
import type { DatasetSettings } from '../core/dataset/datasetSettings.ts';

/** The settings that shape indexing, for one workspace folder. */
export function datasetSettingsFor(folder: vscode.Uri): Partial<DatasetSettings> {
  const config = vscode.workspace.getConfiguration('tagbench', folder);
  const settings: Partial<DatasetSettings> = {};
  const captionExtension = config.get<string>('captionExtension');
  if (captionExtension) settings.captionExtension = captionExtension;
  const thumbnailSize = config.get<number>('thumbnailSize');
  if (thumbnailSize) settings.thumbnailSize = thumbnailSize;
  const exclude = config.get<string[]>('exclude');
  if (exclude && exclude.length > 0) settings.exclude = exclude;
  return settings;
}

/** Images decoded at once while indexing (undefined: the default). */
export function workerCount(): number | undefined {
  const count = vscode.workspace.getConfiguration('tagbench').get<number>('workerCount') ?? 0;
  return count > 0 ? count : undefined;
}

/** Whether to index workspace folders when they open. */
export function indexOnOpen(): boolean {
  return vscode.workspace.getConfiguration('tagbench').get<boolean>('indexOnOpen') ?? true;
}

/** Batches touching more files than this ask for confirmation. */
export function batchConfirmThreshold(): number {
  return vscode.workspace.getConfiguration('tagbench').get<number>('batchConfirmThreshold') ?? 5;
}
