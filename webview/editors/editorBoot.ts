/** Starts an editor webview: page styles, the RPC endpoint to the host, and the root element. */
import type { EditorHost, EditorView } from '../../src/protocol/editorProtocol.ts';
import { vsCodeApi } from '../shared/vscodeApi.ts';
import { connectToHost } from '../shared/webviewRpc.ts';
import type { EditorRpc } from './editorRpc.ts';

/** A root element that runs once it has the endpoint. */
export interface EditorRoot extends HTMLElement {
  connect(rpc: EditorRpc): void;
}

const pageSheet = `
  html, body { margin: 0; padding: 0; height: 100%; }
  body { background: var(--vscode-editor-background); color: var(--vscode-foreground); }
`;

/** Connects the page's `tag` element (made if the page lacks it) to the host. */
export function bootEditor(tag: 'tb-image-editor' | 'tb-caption-editor'): void {
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(pageSheet);
  document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
  const root = (document.querySelector(tag) ?? document.body.appendChild(document.createElement(tag))) as EditorRoot;
  root.connect(connectToHost<EditorView, EditorHost>(vsCodeApi()));
}
