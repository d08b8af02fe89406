/**
 * A tiny HTTP server for the webview tests: the built webview bundle (dist/webview/), a test page
 * with the same content security policy as the real panel, one generated WebP for every thumbnail
 * (some can be made to fail until "ensured"), and full images for the details preview.
 */
import { createServer } from 'node:http';
import type { Server, ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join, normalize } from 'node:path';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';

const DIST = join(import.meta.dirname, '..', '..', '..', 'dist', 'webview');
const TYPES: Record<string, string> = {
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.ttf': 'font/ttf',
  '.map': 'application/json',
};

/** What a test page starts with. */
export interface PageOptions {
  /** The state `acquireVsCodeApi().getState()` returns, as after a hidden panel is shown again. */
  savedState?: unknown;
}

/** The running server. */
export class TestServer {
  readonly origin: string;
  /** Thumbnail file names (`<sha>-256.webp`) that answer 404. */
  readonly missingThumbs = new Set<string>();
  /** Paths requested, in order. */
  readonly requests: string[] = [];
  private readonly server: Server;
  private readonly thumb: Buffer;
  private readonly pages = new Map<string, string>();

  private constructor(server: Server, thumb: Buffer) {
    this.server = server;
    this.thumb = thumb;
    this.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  /** Starts a server on a free port. */
  static async start(): Promise<TestServer> {
    const thumb = await sharp({
      create: { width: 256, height: 192, channels: 3, background: { r: 70, g: 120, b: 170 } },
    })
      .composite([
        {
          input: { create: { width: 96, height: 96, channels: 3, background: { r: 230, g: 180, b: 60 } } },
          left: 80,
          top: 48,
        },
      ])
      .webp({ quality: 70 })
      .toBuffer();
    const holder: { instance?: TestServer } = {};
    const server = createServer((req, res) => void holder.instance!.answer(req.url ?? '/', res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    holder.instance = new TestServer(server, thumb);
    return holder.instance;
  }

  /** Where thumbnails are (the `thumbBase` of `init`). */
  get thumbBase(): string {
    return `${this.origin}/thumbs`;
  }

  /** The URL of a new test page. */
  page(options: PageOptions = {}): string {
    const id = randomBytes(6).toString('hex');
    const nonce = randomBytes(18).toString('base64');
    const csp = [
      "default-src 'none'",
      `img-src ${this.origin} data:`,
      `style-src ${this.origin}`,
      `font-src ${this.origin}`,
      `script-src 'nonce-${nonce}'`,
    ].join('; ');
    const state = JSON.stringify(options.savedState ?? null).replace(/</g, '\\u003c');
    // The bridge stands in for VS Code's webview host: messages go to the Node test process through
    // exposed functions, and the API may be acquired once, as in VS Code.
    this.pages.set(
      id,
      `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${this.origin}/dist/codicon.css" id="vscode-codicon-stylesheet">
<link rel="stylesheet" href="${this.origin}/theme.css">
<title>Gallery test</title>
<script nonce="${nonce}">
  document.addEventListener('securitypolicyviolation', (e) => window.tbViolation(e.violatedDirective + ' ' + (e.blockedURI || e.sample || '')));
  let state = ${state};
  let acquired = false;
  window.acquireVsCodeApi = () => {
    if (acquired) throw new Error('An instance of the VS Code API has already been acquired');
    acquired = true;
    return {
      postMessage: (message) => window.tbToHost(message),
      getState: () => state ?? undefined,
      setState: (next) => { state = next; window.tbSetState(next); return next; },
    };
  };
</script>
</head>
<body>
<tb-gallery></tb-gallery>
<script type="module" nonce="${nonce}" src="${this.origin}/dist/gallery.js"></script>
</body>
</html>`,
    );
    return `${this.origin}/page/${id}`;
  }

  /** Stops the server. */
  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async answer(url: string, res: ServerResponse): Promise<void> {
    const path = decodeURIComponent(new URL(url, this.origin).pathname);
    this.requests.push(path);
    const send = (status: number, type: string, body: string | Buffer): void => {
      res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store' });
      res.end(body);
    };
    if (path.startsWith('/page/')) {
      const html = this.pages.get(path.slice('/page/'.length));
      return html ? send(200, 'text/html; charset=utf-8', html) : send(404, 'text/plain', 'no such page');
    }
    if (path === '/theme.css') return send(200, 'text/css', THEME);
    if (path === '/favicon.ico') return send(204, 'image/x-icon', '');
    if (path.startsWith('/thumbs/')) {
      const name = path.slice(path.lastIndexOf('/') + 1);
      if (this.missingThumbs.has(name)) return send(404, 'text/plain', 'not made yet');
      res.writeHead(200, { 'Content-Type': 'image/webp', 'Cache-Control': 'max-age=3600' });
      res.end(this.thumb);
      return;
    }
    if (path.startsWith('/images/')) return send(200, 'image/webp', this.thumb);
    if (path.startsWith('/dist/')) {
      const file = normalize(join(DIST, path.slice('/dist/'.length)));
      if (!file.startsWith(DIST)) return send(403, 'text/plain', 'no');
      try {
        const body = await readFile(file);
        return send(200, TYPES[file.slice(file.lastIndexOf('.'))] ?? 'application/octet-stream', body);
      } catch {
        return send(404, 'text/plain', 'not found');
      }
    }
    send(404, 'text/plain', 'not found');
  }
}

/** A few of the colours VS Code's dark theme sets on a webview's <html>. */
const THEME = `html {
  --vscode-font-family: system-ui, sans-serif;
  --vscode-font-size: 13px;
  --vscode-editor-font-family: monospace;
  --vscode-foreground: #cccccc;
  --vscode-descriptionForeground: #9d9d9d;
  --vscode-errorForeground: #f85149;
  --vscode-editor-background: #1f1f1f;
  --vscode-sideBar-background: #181818;
  --vscode-focusBorder: #0078d4;
  --vscode-panel-border: #2b2b2b;
  --vscode-widget-border: #313131;
  --vscode-input-background: #313131;
  --vscode-input-foreground: #cccccc;
  --vscode-input-border: #3c3c3c;
  --vscode-list-activeSelectionBackground: #04395e;
  --vscode-list-activeSelectionForeground: #ffffff;
  --vscode-list-hoverBackground: #2a2d2e;
  --vscode-badge-background: #616161;
  --vscode-badge-foreground: #f8f8f8;
  --vscode-button-background: #0078d4;
  --vscode-button-foreground: #ffffff;
  --vscode-editorWidget-background: #202020;
  --vscode-progressBar-background: #0078d4;
  background: #1f1f1f;
  color: #cccccc;
}
`;
