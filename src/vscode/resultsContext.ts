/**
 * Which results an image was opened from, so the image editor's next/previous follow the gallery's
 * current query. Images opened elsewhere walk their folder in name order.
 */
import type * as vscode from 'vscode';
import type { DatasetSession } from './datasetSession.ts';

const contexts = new Map<string, { session: DatasetSession; query: string }>();

/** Records that `uri` was opened from the results of `query`. */
export function rememberResults(uri: vscode.Uri, session: DatasetSession, query: string): void {
  contexts.set(uri.toString(), { session, query });
  if (contexts.size > 1000) contexts.delete(contexts.keys().next().value!);
}

/** The query `uri` was opened from, if any. */
export function resultsOf(uri: vscode.Uri): { session: DatasetSession; query: string } | undefined {
  return contexts.get(uri.toString());
}
