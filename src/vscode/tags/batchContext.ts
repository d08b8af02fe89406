/** The context keys of batch undo and redo (`tagbench.canUndoBatch`, `tagbench.canRedoBatch`), set after every batch, undo and redo. */
import * as vscode from 'vscode';
import type { DatasetSession } from '../datasetSession.ts';

/** Sets both context keys from the dataset's journal. */
export async function refreshBatchContext(session: DatasetSession): Promise<void> {
  const data = await session.data();
  const [canUndo, canRedo] = await Promise.all([data.request('canUndo', {}), data.request('canRedo', {})]);
  await vscode.commands.executeCommand('setContext', 'tagbench.canUndoBatch', canUndo);
  await vscode.commands.executeCommand('setContext', 'tagbench.canRedoBatch', canRedo);
}
