/** The HTML shell of every Tagbench webview: a strict content security policy with a fresh nonce per load. */
import * as vscode from 'vscode';
import { randomBytes } from 'node:crypto';

/** What a webview page needs: its script bundle, its root element and a title. */
export interface WebviewPage {
  /** Bundle name under dist/webview/, without `.js`. */
  script: string;
  /** The custom element the app renders into, e.g. `tb-gallery`. */
  element: string;
  title: string;
}

/** A cryptographically random nonce for one page load. */
export function makeNonce(): string {
  return randomBytes(18).toString('base64');
}

/** The HTML of a Tagbench webview page. Scripts run only with the nonce; no inline styles or handlers. */
export function webviewHtml(webview: vscode.Webview, extensionUri: vscode.Uri, page: WebviewPage): string {
  const nonce = makeNonce();
  const asset = (name: string): string =>
    webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview', name)).toString();
  const csp = [
    "default-src 'none'",
    `img-src ${webview.cspSource} data:`,
    `style-src ${webview.cspSource}`,
    `font-src ${webview.cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${asset('codicon.css')}" id="vscode-codicon-stylesheet">
<title>${escapeHtml(page.title)}</title>
</head>
<body>
<${page.element}></${page.element}>
<script type="module" nonce="${nonce}" src="${asset(`${page.script}.js`)}"></script>
</body>
</html>`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
