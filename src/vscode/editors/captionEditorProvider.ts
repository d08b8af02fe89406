/**
 * The Tagbench Caption Editor: tag chips over a caption `.txt` file, synchronised both ways with the
 * text document. Chip edits become minimal text edits (only the changed span is replaced), so VS
 * Code's undo, redo, dirty state and save work as for any text file.
 */
import * as vscode from 'vscode';
import { basename } from 'node:path';
import { RpcEndpoint } from '../../protocol/rpc.ts';
import { editorRequestChecks } from '../../protocol/editorProtocol.ts';
import type { EditorHost, EditorView } from '../../protocol/editorProtocol.ts';
import { minimalReplacement } from '../../shared/textDiff.ts';
import type { DatasetRegistry } from '../datasetRegistry.ts';
import { webviewHtml } from '../webviewHtml.ts';

/** The view type of the caption editor. */
export const CAPTION_EDITOR_VIEW_TYPE = 'tagbench.captionEditor';

/** Provides the caption editor. */
export class CaptionEditorProvider implements vscode.CustomTextEditorProvider {
  private readonly context: vscode.ExtensionContext;
  private readonly registry: DatasetRegistry;

  /** Registers the provider. */
  static register(context: vscode.ExtensionContext, registry: DatasetRegistry): vscode.Disposable {
    return vscode.window.registerCustomEditorProvider(
      CAPTION_EDITOR_VIEW_TYPE,
      new CaptionEditorProvider(context, registry),
    );
  }

  private constructor(context: vscode.ExtensionContext, registry: DatasetRegistry) {
    this.context = context;
    this.registry = registry;
  }

  async resolveCustomTextEditor(document: vscode.TextDocument, panel: vscode.WebviewPanel): Promise<void> {
    panel.webview.options = {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(this.context.extensionUri, 'dist', 'webview')],
    };
    const rpc = new RpcEndpoint<EditorHost, EditorView>((message) => void panel.webview.postMessage(message));
    rpc.onProblem = (problem) => console.warn(`Tagbench caption editor: ${problem}`);
    const session = this.registry.sessionOf(document.uri);
    const checks = editorRequestChecks;
    let applying: string | undefined;
    const subscriptions: vscode.Disposable[] = [
      panel.webview.onDidReceiveMessage((message: unknown) => rpc.receive(message)),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document.uri.toString() !== document.uri.toString() || e.contentChanges.length === 0) return;
        const text = document.getText();
        if (text !== applying) rpc.notify('setCaption', { caption: text });
      }),
    ];
    rpc.on(
      'ready',
      () =>
        rpc.notify('init', {
          caption: document.getText(),
          readOnly: false,
          readOnlyReason: '',
          focusCaption: false,
          image: null,
        }),
      checks.ready,
    );
    rpc.on(
      'edit',
      ({ caption }) => {
        const before = document.getText();
        const change = minimalReplacement(before, caption);
        if (!change) return;
        const edit = new vscode.WorkspaceEdit();
        edit.replace(
          document.uri,
          new vscode.Range(document.positionAt(change.start), document.positionAt(change.start + change.deleteCount)),
          change.insert,
        );
        applying = caption;
        void vscode.workspace.applyEdit(edit).then(() => {
          applying = undefined;
        });
      },
      checks.edit,
    );
    rpc.handle(
      'suggest',
      async ({ prefix, limit }) => (session ? (await session.data()).request('tagSuggestions', { prefix, limit }) : []),
      checks.suggest,
    );
    rpc.handle(
      'navigate',
      async () => ({ moved: false, reason: 'Next and previous work in the image editor.' }),
      checks.navigate,
    );
    panel.onDidDispose(() => {
      rpc.dispose();
      for (const s of subscriptions) s.dispose();
    });
    panel.webview.html = webviewHtml(panel.webview, this.context.extensionUri, {
      script: 'captionEditor',
      element: 'tb-caption-editor',
      title: basename(document.uri.fsPath),
    });
  }
}
