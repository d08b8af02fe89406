/**
 * A tag batch from a command: planned by the data worker (the preview), shown as a read-only diff
 * document, confirmed when it touches more captions than `tagbench.batchConfirmThreshold`, then
 * applied as one batch that "Undo Last Batch Edit" reverts, with what changed and conflicts reported.
 */
import * as vscode from 'vscode';
import type { DataBatchAction } from '../../protocol/dataProtocol.ts';
import type { BatchPreview, Selection } from '../../protocol/galleryProtocol.ts';
import type { ServiceBatchOutcome } from '../../core/service/datasetService.ts';
import type { DatasetSession } from '../datasetSession.ts';
import { batchPreviewText } from './batchPreviewText.ts';
import { refreshBatchContext } from './batchContext.ts';
import { showPreviewDocument } from './previewDocument.ts';

/** What a tag batch did: its preview, and its outcome when it was applied. */
export interface TagBatchResult {
  preview: BatchPreview & { summary: string };
  outcome: ServiceBatchOutcome | null;
}

/** How to run it: `confirm: true` applies without asking (the answer given in advance). */
export interface TagBatchOptions {
  confirm?: boolean;
  /** Describes the images for messages ("the 3 selected images"). */
  targets: string;
}

/** Previews, confirms and applies a tag batch; undefined when it could not be planned, outcome null when nothing was applied. */
export async function runTagBatch(
  session: DatasetSession,
  selection: Selection,
  action: DataBatchAction,
  options: TagBatchOptions,
): Promise<TagBatchResult | undefined> {
  const data = await session.data();
  let preview;
  try {
    preview = await data.request('previewBatch', { selection, action });
  } catch (err) {
    void vscode.window.showErrorMessage(`Tagbench: ${(err as Error).message}`);
    return undefined;
  }
  if (preview.changed === 0) {
    void vscode.window.showInformationMessage(
      `Tagbench: ${preview.summary}: nothing to change in ${options.targets} (${preview.files} image${preview.files === 1 ? '' : 's'}).`,
    );
    return { preview, outcome: null };
  }
  const text = batchPreviewText(preview.summary, preview);
  if (preview.needsConfirmation && !options.confirm) {
    await showPreviewDocument(preview.summary, text);
    const apply = `Apply to ${preview.changed} Captions`;
    const choice = await vscode.window.showWarningMessage(
      `${preview.summary}: ${preview.changed} of ${preview.files} captions in ${options.targets} will change (see the preview). Undo Last Batch Edit reverts it.`,
      { modal: true },
      apply,
    );
    if (choice !== apply) return { preview, outcome: null };
  }
  let outcome;
  try {
    outcome = await data.request('applyBatch', { planId: preview.planId });
  } catch (err) {
    void vscode.window.showErrorMessage(`Tagbench: ${(err as Error).message}`);
    return { preview, outcome: null };
  }
  await refreshBatchContext(session);
  if (outcome.moved > 0) void session.index({ notify: false });
  session.fireChanged();
  void report(outcome, preview.summary, text);
  return { preview, outcome };
}

/** The message after a batch: what changed (`Removed "beard" from 2 of 7 images`), sidecars, conflicts; an error when it stopped early. */
export function batchMessage(outcome: ServiceBatchOutcome): { text: string; severity: 'info' | 'warning' | 'error' } {
  const parts: string[] = [];
  if (outcome.sidecars > 0) parts.push(`${outcome.sidecars} sidecar${outcome.sidecars === 1 ? '' : 's'} updated`);
  if (outcome.conflicts.length > 0) {
    const shown = outcome.conflicts
      .slice(0, 3)
      .map((c) => `${c.path} ${c.reason}`)
      .join('; ');
    const more = outcome.conflicts.length > 3 ? ` and ${outcome.conflicts.length - 3} more` : '';
    parts.push(`${outcome.conflicts.length} left alone: ${shown}${more}`);
  }
  const text = `Tagbench: ${outcome.summary}${parts.length > 0 ? ` (${parts.join(', ')})` : ''}.`;
  return { text, severity: outcome.stopped ? 'error' : outcome.conflicts.length > 0 ? 'warning' : 'info' };
}

/** Shows a message with actions at the severity given. */
export function showBatchMessage(
  message: { text: string; severity: 'info' | 'warning' | 'error' },
  ...actions: string[]
): Thenable<string | undefined> {
  if (message.severity === 'error') return vscode.window.showErrorMessage(message.text, ...actions);
  if (message.severity === 'warning') return vscode.window.showWarningMessage(message.text, ...actions);
  return vscode.window.showInformationMessage(message.text, ...actions);
}

async function report(outcome: ServiceBatchOutcome, summary: string, previewText: string): Promise<void> {
  const choice = await showBatchMessage(batchMessage(outcome), 'Show Changes', 'Undo');
  if (choice === 'Undo') await vscode.commands.executeCommand('tagbench.undoBatchEdit');
  else if (choice === 'Show Changes') await showPreviewDocument(summary, previewText);
}
