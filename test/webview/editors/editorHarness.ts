/**
 * Runs the image and caption editor webviews in headless Chromium with the Node test process as
 * the extension host. The two bundles are built fresh (as .ci/build.mjs builds them) into a temp
 * folder served by a tiny HTTP server, on a page with the panel's content security policy; the
 * page's acquireVsCodeApi bridges to an RpcEndpoint here that answers `suggest` (the dataset's tags,
 * then the aliases of a small tag database, as a configured database completes) and `navigate` and
 * records every message (crop changes and reviews of suggestions included; reviews are applied to
 * the sidecar tags given to `open` as the extension does, and answered with setCaption and setSuggestions). CSP violations, page errors, console errors and warnings, and messages the
 * protocol checks refuse are collected as problems for the test to assert empty.
 */
import { createServer } from 'node:http';
import type { Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { copyFile, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { RpcEndpoint } from '../../../src/protocol/rpc.ts';
import type { WireMessage } from '../../../src/protocol/rpc.ts';
import { editorRequestChecks } from '../../../src/protocol/editorProtocol.ts';
import type { TagSuggestion } from '../../../src/protocol/galleryProtocol.ts';
import type {
  CropChange,
  CropView,
  EditorHost,
  EditorView,
  ImageFactsView,
  SuggestionReview,
} from '../../../src/protocol/editorProtocol.ts';
import type { SidecarTag } from '../../../src/core/sidecar/sidecar.ts';
import { tagKey } from '../../../src/shared/tags.ts';
import { cropPresets } from '../../../src/vscode/editors/cropPresets.ts';
import { reviewStep } from '../../../src/vscode/editors/suggestionReview.ts';
import { suggestionsView } from '../../../src/core/sidecar/suggestionSidecar.ts';
import { encodeBmp } from '../../fixtures/bmpWriter.ts';
import { launchChromium } from '../../helpers/chromium.ts';

/** What `init` carries. */
export type InitParams = EditorView['notifications']['init'];
/** A navigate answer. */
export type NavigateResult = EditorHost['requests']['navigate']['result'];

const root = join(import.meta.dirname, '..', '..', '..');
const types: Record<string, string> = {
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.ttf': 'font/ttf',
  '.map': 'application/json',
  '.bmp': 'image/bmp',
};

/** The dataset's tags the test host suggests from, most used first (display form, as the index keeps them). */
export const datasetTags: { tag: string; count: number }[] = [
  { tag: 'solo', count: 950 },
  { tag: '1girl', count: 900 },
  { tag: 'smile', count: 640 },
  { tag: 'short hair', count: 410 },
  { tag: 'skirt', count: 380 },
  { tag: 'simple background', count: 300 },
  { tag: 'kiyohime (fate)', count: 120 },
  { tag: 'blue eyes', count: 90 },
  { tag: 'long hair', count: 80 },
  { tag: 'open mouth', count: 70 },
];

/**
 * Aliases of the test tag database, as the data worker offers them: the target tag with the alias
 * typed, its dataset count (0 when no caption has it) and the database's post count and category.
 */
export const tagAliases: TagSuggestion[] = [
  { tag: 'smile', count: 640, postCount: 1_520_000, category: 'general', alias: 'beaming' },
  { tag: 'glasses', count: 0, postCount: 410_000, category: 'general', alias: 'bespectacled' },
];

/** Facts of a 640 × 480 test image. */
export function imageFacts(position: number, total: number, path = `10_kiyohime/img_${position}.png`): ImageFactsView {
  return {
    path,
    width: 640,
    height: 480,
    format: 'png',
    size: 245_760,
    channels: 4,
    hasAlpha: true,
    bitDepth: 8,
    space: 'srgb',
    frames: 1,
    position,
    total,
  };
}

/** The crop part of `init.image` for an image without a crop: no crop, and the presets the host sends. */
export function noCrop(): { crop: null; cropPresets: ReturnType<typeof cropPresets> } {
  return { crop: null, cropPresets: cropPresets() };
}

let bundleDir: Promise<string> | undefined;

/** Builds the two editor bundles once per test run (removed when the process exits). */
function bundles(): Promise<string> {
  bundleDir ??= (async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tagbench-editors-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    await build({
      bundle: true,
      platform: 'browser',
      target: 'chrome120',
      format: 'esm',
      sourcemap: false,
      minify: false,
      logLevel: 'warning',
      absWorkingDir: root,
      entryPoints: {
        imageEditor: 'webview/editors/imageEditorMain.ts',
        captionEditor: 'webview/editors/captionEditorMain.ts',
      },
      outdir: dir,
    });
    await copyFile(join(root, 'node_modules/@vscode/codicons/dist/codicon.css'), join(dir, 'codicon.css'));
    await copyFile(join(root, 'node_modules/@vscode/codicons/dist/codicon.ttf'), join(dir, 'codicon.ttf'));
    return dir;
  })();
  return bundleDir;
}

/** A browser and server shared by the tests of one file. */
export class EditorHarness {
  private readonly browser: Browser;
  private readonly server: Server;
  private readonly dir: string;
  private readonly image: Buffer;
  private readonly pages = new Map<string, string>();
  readonly origin: string;

  private constructor(browser: Browser, server: Server, dir: string, image: Buffer) {
    this.browser = browser;
    this.server = server;
    this.dir = dir;
    this.image = image;
    this.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  /** Builds the bundles, starts the server and launches Chromium. */
  static async start(): Promise<EditorHarness> {
    const [dir, browser] = await Promise.all([bundles(), launchChromium()]);
    const started: { harness?: EditorHarness } = {};
    const server = createServer((req, res) => void started.harness!.answer(req.url ?? '/', res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    started.harness = new EditorHarness(browser, server, dir, testImage());
    return started.harness;
  }

  /** The URL of the test image. */
  imageUri(n = 1): string {
    return `${this.origin}/images/${n}.bmp`;
  }

  /**
   * Opens an editor page, waits for `ready` and sends `init` (the image editor gets the test image when `init.image` is left out).
   * `sidecar` gives the image's sidecar tags and annotations: their suggestions go into `init.image`, and reviews are applied to them.
   */
  async open(
    kind: 'image' | 'caption',
    init: Partial<InitParams> = {},
    options: { width?: number; height?: number; sidecar?: { tags: SidecarTag[]; annotations?: unknown[] } } = {},
  ): Promise<EditorPage> {
    const context = await this.browser.newContext({
      viewport: { width: options.width ?? 1100, height: options.height ?? 700 },
      locale: 'en-US',
    });
    const page = await context.newPage();
    const editor = new EditorPage(page, kind);
    await page.exposeFunction('tbToHost', (message: unknown) => editor.rpc.receive(message));
    await page.exposeFunction('tbProblem', (text: string) => editor.problems.push(text));
    // Only for EditorPage.quiet(): its call reaching here proves every earlier message did.
    await page.exposeFunction('tbBarrier', () => true);
    // The page's timers on a clock the test can run forward (time flows as usual until it does).
    await context.clock.install();
    page.on('pageerror', (err) => editor.problems.push(`page error: ${err.message}`));
    page.on('console', (msg) => {
      if (msg.type() === 'error' || msg.type() === 'warning')
        editor.problems.push(`console ${msg.type()}: ${msg.text()}`);
    });
    await page.goto(this.page(kind));
    await editor.ready;
    const params: InitParams = {
      caption: '',
      readOnly: false,
      readOnlyReason: '',
      focusCaption: false,
      image: kind === 'image' ? { uri: this.imageUri(), facts: imageFacts(1, 3), problems: [], ...noCrop() } : null,
      ...init,
    };
    if (options.sidecar) {
      editor.sidecarTags = options.sidecar.tags;
      editor.sidecarAnnotations = options.sidecar.annotations ?? [];
      if (params.image && !params.image.suggestions)
        params.image = { ...params.image, suggestions: suggestionsView(editor.sidecarTags, editor.sidecarAnnotations) };
    }
    editor.init(params);
    await page.locator('tb-caption-panel textarea').waitFor();
    return editor;
  }

  /** Closes the browser and the server. */
  async close(): Promise<void> {
    await this.browser.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private page(kind: 'image' | 'caption'): string {
    const id = randomBytes(6).toString('hex');
    const nonce = randomBytes(18).toString('base64');
    const element = kind === 'image' ? 'tb-image-editor' : 'tb-caption-editor';
    const script = kind === 'image' ? 'imageEditor' : 'captionEditor';
    const csp = [
      "default-src 'none'",
      `img-src ${this.origin} data:`,
      `style-src ${this.origin}`,
      `font-src ${this.origin}`,
      `script-src 'nonce-${nonce}'`,
    ].join('; ');
    // The bridge stands in for VS Code: messages go to the Node test process through exposed functions.
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
<title>Editor test</title>
<script nonce="${nonce}">
  document.addEventListener('securitypolicyviolation', (e) => window.tbProblem('CSP violation: ' + e.violatedDirective + ' ' + (e.blockedURI || e.sample || '') + ' at ' + e.sourceFile + ':' + e.lineNumber + ':' + e.columnNumber));
  // Like VS Code's webview host: undo/redo/save go to the workbench and never to the page's own undo.
  window.addEventListener('keydown', (e) => {
    if (!(e.ctrlKey || e.metaKey) || !['z', 'y', 's'].includes(e.key.toLowerCase())) return;
    if (e.defaultPrevented) window.tbProblem('the page handled ' + e.key + ' itself');
    e.preventDefault();
  });
  let acquired = false;
  window.acquireVsCodeApi = () => {
    if (acquired) throw new Error('An instance of the VS Code API has already been acquired');
    acquired = true;
    let state;
    return { postMessage: (message) => window.tbToHost(message), getState: () => state, setState: (next) => (state = next) };
  };
</script>
</head>
<body>
<${element}></${element}>
<script type="module" nonce="${nonce}" src="${this.origin}/dist/${script}.js"></script>
</body>
</html>`,
    );
    return `${this.origin}/page/${id}`;
  }

  private async answer(url: string, res: ServerResponse): Promise<void> {
    const path = decodeURIComponent(new URL(url, this.origin).pathname);
    const send = (status: number, type: string, body: string | Buffer): void => {
      res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store' });
      res.end(body);
    };
    if (path.startsWith('/page/')) {
      const html = this.pages.get(path.slice('/page/'.length));
      return html ? send(200, 'text/html; charset=utf-8', html) : send(404, 'text/plain', 'no such page');
    }
    if (path === '/theme.css') return send(200, 'text/css', theme);
    if (path === '/favicon.ico') return send(204, 'image/x-icon', '');
    if (path.startsWith('/images/')) return send(200, types['.bmp']!, this.image);
    const name = path.startsWith('/dist/') ? path.slice('/dist/'.length) : '';
    if (/^[A-Za-z]+\.(js|css|ttf)$/.test(name)) {
      try {
        return send(200, types[name.slice(name.lastIndexOf('.'))]!, await readFile(join(this.dir, name)));
      } catch {
        return send(404, 'text/plain', 'not found');
      }
    }
    send(404, 'text/plain', 'not found');
  }
}

/** One open editor page and the host side of its channel. */
export class EditorPage {
  readonly page: Page;
  readonly kind: 'image' | 'caption';
  readonly rpc: RpcEndpoint<EditorHost, EditorView>;
  /** `edit` notifications, in order. */
  readonly edits: { caption: string; label: string }[] = [];
  /** `crop` notifications, in order. */
  readonly crops: CropChange[] = [];
  /** Every message from the webview in order: `edit:<caption>`, `crop:<state>`, `navigate:<step>`, `suggest:<prefix>`, `ready`. */
  readonly log: string[] = [];
  /** CSP violations, page errors, console errors and warnings, refused messages. */
  readonly problems: string[] = [];
  /** `review` notifications, in order. */
  readonly reviews: SuggestionReview[] = [];
  /** The undo labels of the reviews that changed something, in order. */
  readonly reviewLabels: string[] = [];
  /** The sidecar's tag entries as the stand-in host keeps them (reviews change them). */
  sidecarTags: SidecarTag[] = [];
  /** The sidecar's annotations (held sentences). */
  sidecarAnnotations: unknown[] = [];
  /** The caption as the stand-in host's document has it (init, edits, reviews, setCaption). */
  documentCaption = '';
  /** Answers `navigate` (default: moved). */
  onNavigate: (step: 1 | -1) => NavigateResult | Promise<NavigateResult> = () => ({ moved: true });
  readonly ready: Promise<void>;

  constructor(page: Page, kind: 'image' | 'caption') {
    this.page = page;
    this.kind = kind;
    this.rpc = new RpcEndpoint<EditorHost, EditorView>((message: WireMessage) => {
      page.evaluate((m) => window.postMessage(m, '*'), message).catch(() => {});
    });
    this.rpc.onProblem = (problem) => this.problems.push(`refused: ${problem}`);
    let resolveReady: () => void = () => {};
    this.ready = new Promise((resolve) => (resolveReady = resolve));
    this.rpc.on(
      'ready',
      () => {
        this.log.push('ready');
        resolveReady();
      },
      editorRequestChecks.ready,
    );
    this.rpc.on(
      'edit',
      (params) => {
        this.log.push(`edit:${params.caption}`);
        this.edits.push(params);
        this.documentCaption = params.caption;
      },
      editorRequestChecks.edit,
    );
    this.rpc.on(
      'review',
      (params) => {
        this.log.push(`review:${params.action}`);
        this.reviews.push(params);
        const step = reviewStep(
          this.documentCaption,
          this.sidecarTags,
          suggestionsView(this.sidecarTags, this.sidecarAnnotations),
          params,
        );
        if (!step) return;
        this.reviewLabels.push(step.label);
        this.sidecarTags = step.tags;
        this.setCaption(step.caption);
        this.rpc.notify('setSuggestions', { suggestions: suggestionsView(this.sidecarTags, this.sidecarAnnotations) });
      },
      editorRequestChecks.review,
    );
    this.rpc.on(
      'crop',
      (params) => {
        this.log.push(`crop:${params.state}`);
        this.crops.push(params);
      },
      editorRequestChecks.crop,
    );
    this.rpc.handle(
      'suggest',
      ({ prefix, limit }) => {
        this.log.push(`suggest:${prefix}`);
        const key = tagKey(prefix);
        const aliased = tagAliases.filter((t) => tagKey(t.alias!).startsWith(key));
        return [...datasetTags.filter((t) => tagKey(t.tag).startsWith(key)), ...aliased].slice(0, limit);
      },
      editorRequestChecks.suggest,
    );
    this.rpc.handle(
      'navigate',
      ({ step }) => {
        this.log.push(`navigate:${step}`);
        return this.onNavigate(step);
      },
      editorRequestChecks.navigate,
    );
  }

  /** Sends `init`. */
  init(params: InitParams): void {
    this.documentCaption = params.caption;
    this.rpc.notify('init', params);
  }

  /** Sends `setCaption`. */
  setCaption(caption: string): void {
    this.documentCaption = caption;
    this.rpc.notify('setCaption', { caption });
  }

  /** Sets the sidecar's tag entries (as an undo would) and sends `setSuggestions`. */
  setSidecarTags(tags: SidecarTag[]): void {
    this.sidecarTags = tags;
    this.rpc.notify('setSuggestions', { suggestions: suggestionsView(tags, this.sidecarAnnotations) });
  }

  /** The pending suggestion chips as shown (name and confidence). */
  async suggestionChips(): Promise<string[]> {
    return this.page
      .locator('tb-suggestions [role=option]')
      .evaluateAll((chips) =>
        chips.map((chip) =>
          [...chip.querySelectorAll('.label, .confidence')].map((part) => part.textContent?.trim() ?? '').join(' '),
        ),
      );
  }

  /** Sends `setCrop`. */
  setCrop(crop: CropView | null): void {
    this.rpc.notify('setCrop', { crop });
  }

  /** The chips' labels as shown. */
  async chips(): Promise<string[]> {
    return (await this.page.locator('tb-tag-chips [role=option]').allTextContents()).map((t) => t.trim());
  }

  /** The caption text box's value. */
  async text(): Promise<string> {
    return this.page.locator('tb-caption-panel textarea').inputValue();
  }

  /** The focused element, looking into shadow roots: its tag, and its class or aria-label. */
  async focused(): Promise<{ tag: string; label: string; className: string; text: string }> {
    return this.page.evaluate(() => {
      let active: Element | null = document.activeElement;
      while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement;
      return {
        tag: active?.tagName.toLowerCase() ?? '',
        label: active?.getAttribute('aria-label') ?? '',
        className: active?.getAttribute('class') ?? '',
        text: (active?.textContent ?? '').trim(),
      };
    });
  }

  /** Waits until `check` is truthy (polling), or fails naming `what`. */
  async until<T>(check: () => T | Promise<T>, what: string, timeout = 5000): Promise<T> {
    const end = Date.now() + timeout;
    for (;;) {
      const value = await check();
      if (value) return value;
      if (Date.now() > end) throw new Error(`Timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 15));
    }
  }

  /** Waits until `count` edits arrived. */
  async edited(count: number): Promise<void> {
    await this.until(() => this.edits.length >= count, `${count} edit(s), got ${JSON.stringify(this.edits)}`);
  }

  /**
   * Makes sure nothing more is on its way, for asserting that a message did not come (e.g. no edit
   * after setCaption): runs the page's clock past every pending timer (the typing pause, highlights)
   * at once, then waits until a call made after them has reached this side, so every message the page
   * sent before it has arrived. Not a sleep: it does not depend on how busy the machine is.
   */
  async quiet(): Promise<void> {
    await this.page.clock.runFor(5_000);
    await this.page.evaluate(() => (window as unknown as { tbBarrier: () => Promise<boolean> }).tbBarrier());
  }

  /** Closes the page and its context. */
  async close(): Promise<void> {
    await this.page.context().close();
  }
}

/** A 640 × 480 image: a gradient with a block in the middle. */
function testImage(): Buffer {
  const width = 640;
  const height = 480;
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      const block = x > 220 && x < 420 && y > 140 && y < 340;
      data[i] = block ? 230 : (x * 255) / width;
      data[i + 1] = block ? 180 : (y * 255) / height;
      data[i + 2] = block ? 60 : 160;
    }
  }
  return encodeBmp({ width, height, channels: 3, data });
}

/** A few of the colours VS Code's dark theme sets on a webview's <html>. */
const theme = `html {
  --vscode-font-family: system-ui, sans-serif;
  --vscode-font-size: 13px;
  --vscode-foreground: #cccccc;
  --vscode-descriptionForeground: #9d9d9d;
  --vscode-errorForeground: #f85149;
  --vscode-editor-background: #1f1f1f;
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
  --vscode-editorWidget-background: #202020;
  --vscode-editorWarning-foreground: #cca700;
  background: #1f1f1f;
  color: #cccccc;
}
`;
