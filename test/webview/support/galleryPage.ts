/**
 * Opens the gallery webview in headless Chromium against a TestGalleryHost: the page talks to the
 * host through exposed functions (as the webview talks to VS Code), and every content security
 * policy violation, page error and console error is collected for the test to check.
 */
import type { Browser, Page } from 'playwright-core';
import type { Database } from 'better-sqlite3';
import type { WireMessage } from '../../../src/protocol/rpc.ts';
import type { GalleryView } from '../../../src/protocol/galleryProtocol.ts';
import type { InitOptions } from './testHost.ts';
import { TestGalleryHost } from './testHost.ts';
import { TestServer } from './testServer.ts';
import { launchChromium } from '../../helpers/chromium.ts';

/** A browser and server shared by the tests of one file. */
export class GalleryBrowser {
  readonly server: TestServer;
  private readonly browser: Browser;

  private constructor(browser: Browser, server: TestServer) {
    this.browser = browser;
    this.server = server;
  }

  /** Launches Chromium and the test server. */
  static async launch(): Promise<GalleryBrowser> {
    const [browser, server] = await Promise.all([launchChromium(), TestServer.start()]);
    return new GalleryBrowser(browser, server);
  }

  /** Opens a gallery page on `db`, waits for its `ready`, and returns it with its host. */
  async open(
    db: Database,
    options: {
      init?: InitOptions;
      savedState?: unknown;
      width?: number;
      height?: number;
      initScript?: () => void;
      allowResourceErrors?: boolean;
    } = {},
  ): Promise<GalleryPage> {
    const context = await this.browser.newContext({
      viewport: { width: options.width ?? 1200, height: options.height ?? 800 },
      locale: 'en-US',
    });
    const page = await context.newPage();
    if (options.initScript) await page.addInitScript(options.initScript);
    const gallery = new GalleryPage(page);
    gallery.allowResourceErrors = options.allowResourceErrors ?? false;
    const send = (message: WireMessage): void => {
      page.evaluate((m) => window.postMessage(m, '*'), message).catch(() => {});
    };
    gallery.host = new TestGalleryHost(db, this.server.origin, this.server.thumbBase, send, options.init, (sha) =>
      this.server.missingThumbs.delete(`${sha}-256.webp`),
    );
    await page.exposeFunction('tbToHost', (message: unknown) => gallery.host.rpc.receive(message));
    await page.exposeFunction('tbSetState', (state: unknown) => (gallery.savedState = state));
    await page.exposeFunction('tbViolation', (text: string) => gallery.errors.push(`CSP violation: ${text}`));
    page.on('pageerror', (err) => gallery.errors.push(`page error: ${err.message}`));
    page.on('console', (msg) => {
      if (msg.type() !== 'error') return;
      if (msg.text().startsWith('Failed to load resource') && gallery.allowResourceErrors) return;
      gallery.errors.push(`console error: ${msg.text()}`);
    });
    await page.goto(this.server.page({ savedState: options.savedState }));
    await gallery.host.ready;
    return gallery;
  }

  /** Closes the browser and the server. */
  async close(): Promise<void> {
    await Promise.all([this.browser.close(), this.server.close()]);
  }
}

/** One open gallery page. */
export class GalleryPage {
  readonly page: Page;
  host!: TestGalleryHost;
  /** The last state the webview saved with setState. */
  savedState: unknown = undefined;
  /** CSP violations, page errors and console errors. */
  readonly errors: string[] = [];
  /** Whether failed image loads (404) are expected. */
  allowResourceErrors = false;

  constructor(page: Page) {
    this.page = page;
  }

  /** The query box's input. */
  get queryInput() {
    return this.page.locator('tb-search-bar input[role=combobox]');
  }

  /** Waits until the grid shows at least one loaded thumbnail. */
  async waitForThumbnails(): Promise<void> {
    await this.page.waitForFunction(
      () => {
        const grid = document.querySelector('tb-gallery')?.shadowRoot?.querySelector('tb-virtual-grid');
        return [...(grid?.shadowRoot?.querySelectorAll('img') ?? [])].some(
          (img) => img.complete && img.naturalWidth > 0,
        );
      },
      undefined,
      { polling: 'raf' },
    );
  }

  /** The result count text in the toolbar. */
  async countText(): Promise<string> {
    return (await this.page.locator('tb-search-bar .count').textContent())?.trim() ?? '';
  }

  /** The grid's state: focused index, selected cell indices in the DOM, cell count, scroll offset. */
  async gridState(): Promise<{
    active: string | null;
    selected: number[];
    cells: number;
    scrollTop: number;
    columns: number;
  }> {
    return this.page.evaluate(() => {
      const grid = document.querySelector('tb-gallery')!.shadowRoot!.querySelector('tb-virtual-grid')!;
      const scroller = grid.shadowRoot!.querySelector('.scroller') as HTMLElement;
      const cells = [...grid.shadowRoot!.querySelectorAll<HTMLElement>('[role=gridcell]')];
      return {
        active: scroller.getAttribute('aria-activedescendant'),
        selected: cells.filter((c) => c.getAttribute('aria-selected') === 'true').map((c) => Number(c.dataset.index)),
        cells: cells.length,
        scrollTop: scroller.scrollTop,
        columns: (grid as unknown as { columns: number }).columns,
      };
    });
  }

  /** Sends a notification from the host. */
  notify<M extends keyof GalleryView['notifications'] & string>(
    method: M,
    params: GalleryView['notifications'][M],
  ): void {
    this.host.rpc.notify(method, params);
  }

  /** Polls `check` until it returns a truthy value (or throws after `timeout` ms). */
  async until<T>(check: () => T | Promise<T>, what: string, timeout = 5000): Promise<T> {
    const end = Date.now() + timeout;
    for (;;) {
      const value = await check();
      if (value) return value;
      if (Date.now() > end) throw new Error(`Timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Closes the page and its context. */
  async close(): Promise<void> {
    await this.page.context().close();
  }
}
