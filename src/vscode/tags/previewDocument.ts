/** Read-only documents showing batch previews (`tagbench-preview:` URIs, content held in memory). */
import * as vscode from 'vscode';

/** The URI scheme of preview documents. */
export const PREVIEW_SCHEME = 'tagbench-preview';

const contents = new Map<string, string>();
const changed = new vscode.EventEmitter<vscode.Uri>();
let counter = 0;

/** Serves preview documents; register once. */
export function registerPreviewDocuments(): vscode.Disposable {
  return vscode.Disposable.from(
    vscode.workspace.registerTextDocumentContentProvider(PREVIEW_SCHEME, {
      onDidChange: changed.event,
      provideTextDocumentContent: (uri) => contents.get(uri.toString()) ?? '',
    }),
    vscode.workspace.onDidCloseTextDocument((doc) => {
      if (doc.uri.scheme === PREVIEW_SCHEME) contents.delete(doc.uri.toString());
    }),
  );
}

/** Opens `text` as a read-only diff-highlighted document beside the active editor. */
export async function showPreviewDocument(title: string, text: string): Promise<vscode.TextEditor> {
  const name =
    title
      .replace(/[\\/:*?"<>|\n]+/g, ' ')
      .slice(0, 80)
      .trim() || 'Preview';
  const uri = vscode.Uri.from({ scheme: PREVIEW_SCHEME, path: `/${name}.diff`, query: String(++counter) });
  contents.set(uri.toString(), text);
  const doc = await vscode.languages.setTextDocumentLanguage(await vscode.workspace.openTextDocument(uri), 'diff');
  return vscode.window.showTextDocument(doc, {
    viewColumn: vscode.ViewColumn.Beside,
    preview: true,
    preserveFocus: true,
  });
}
