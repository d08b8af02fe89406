/**
 * Driving the VS Code workbench in the browser for end-to-end tests: open a folder, run a command
 * from the palette, open a view container, find a view, reach a webview's content, read the
 * notifications center and take screenshots. With the smoke-test driver on, notifications are not
 * shown as toasts, only in the notifications center.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { FrameLocator, Locator, Page } from 'playwright-core';
import { vscodeSession } from './session.ts';

const open = new Set<Workbench>();

/**
 * Runs in the workbench page from its first script on: records every message the notifications center
 * shows, so a short progress notification is not missed between two polls from the test.
 */
const NOTIFICATION_RECORDER = `(() => {
  if (window !== window.top) return;
  const seen = (window.__tagbenchNotifications = []);
  setInterval(() => {
    const center = document.querySelector('.notifications-center.visible');
    if (!center) return;
    for (const item of center.querySelectorAll('.notification-list-item-message')) {
      const text = (item.textContent || '').trim();
      if (text && !seen.includes(text)) seen.push(text);
    }
  }, 20);
})();`;

/** A workbench window in the session's browser. */
export class Workbench {
  readonly page: Page;
  readonly folder: string | null;
  /** Milliseconds until `.monaco-workbench` appeared. */
  readonly loadMs: number;

  constructor(page: Page, folder: string | null, loadMs: number) {
    this.page = page;
    this.folder = folder;
    this.loadMs = loadMs;
  }

  /** Runs a command by its palette title (e.g. `Tagbench: Index Workspace`), retrying when the palette closes early. */
  async runCommand(title: string, attempts = 4): Promise<void> {
    const widget = this.page.locator('.quick-input-widget');
    const input = widget.locator('input.input');
    let lastError: unknown;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        // Escape only for a palette left open: Escape would also close the notifications center.
        if (await widget.isVisible()) await this.page.keyboard.press('Escape');
        await this.page.keyboard.press('F1');
        await input.waitFor({ state: 'visible', timeout: 5000 });
        await input.fill(`>${title}`);
        const row = widget.locator('.monaco-list-row.focused');
        await row.filter({ hasText: title }).waitFor({ state: 'visible', timeout: 5000 });
        if (!(await input.isVisible())) throw new Error('the command palette closed');
        await input.press('Enter');
        await widget.waitFor({ state: 'hidden', timeout: 5000 });
        return;
      } catch (err) {
        lastError = err;
        await this.page.waitForTimeout(300 * attempt);
      }
    }
    throw new Error(
      `Could not run "${title}" from the command palette: ${lastError instanceof Error ? lastError.message : String(lastError)}`,
    );
  }

  /** Clicks the activity bar item of a view container (e.g. `Tagbench`) and waits for its side bar. */
  async openViewContainer(title: string): Promise<Locator> {
    const item = this.page.locator(`.activitybar a.action-label[aria-label^="${title}"]`);
    await item.click();
    const sideBar = this.page.locator('#workbench\\.parts\\.sidebar');
    await sideBar.locator('.composite.title h2').filter({ hasText: title }).waitFor({ state: 'visible' });
    return sideBar;
  }

  /** The activity bar item of a view container. */
  activityBarItem(title: string): Locator {
    return this.page.locator(`.activitybar a.action-label[aria-label^="${title}"]`);
  }

  /** A view (pane) of the visible side bar by its name (e.g. `Datasets`); its header may be merged into the side bar's title. */
  view(name: string): Locator {
    return this.page
      .locator('#workbench\\.parts\\.sidebar .pane')
      .filter({ has: this.page.locator(`.pane-header[aria-label="${name} Section"]`) });
  }

  /** The content of the active webview (two iframes deep). */
  webviewFrame(): FrameLocator {
    return this.page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
  }

  /**
   * Opens the notifications center (it stays open while commands run from the palette, but VS Code
   * hides it by itself when its last notification goes, so this retries).
   */
  async showNotificationsCenter(attempts = 3): Promise<Locator> {
    const center = this.page.locator('.notifications-center');
    for (let attempt = 1; ; attempt++) {
      if (!(await center.isVisible())) await this.runCommand('Notifications: Show Notifications');
      try {
        await center.waitFor({ state: 'visible', timeout: 3000 });
        return center;
      } catch (err) {
        if (attempt >= attempts) throw err;
      }
    }
  }

  /** The messages in the notifications center (progress ones included), opening it first. */
  async notifications(): Promise<string[]> {
    const center = await this.showNotificationsCenter();
    return center.locator('.notification-list-item-message').allInnerTexts();
  }

  /** Every message the notifications center has shown since the window opened, oldest first. */
  async notificationHistory(): Promise<string[]> {
    return this.page.evaluate('window.__tagbenchNotifications || []') as Promise<string[]>;
  }

  /**
   * Opens the notifications center and waits until it has shown a message matching `pattern`, now or
   * earlier (see notificationHistory); returns that message. VS Code hides the center by itself when
   * its last notification goes, so open it before starting what shows one.
   */
  async waitForNotification(pattern: RegExp, timeoutMs = 30_000): Promise<string> {
    await this.showNotificationsCenter();
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = (await this.notificationHistory()).find((text) => pattern.test(text));
      if (found) return found;
      if (Date.now() > deadline)
        throw new Error(
          `No notification matched ${pattern} within ${timeoutMs} ms; seen: ${JSON.stringify(await this.notificationHistory())}`,
        );
      await this.page.waitForTimeout(100);
    }
  }

  /** Waits until no notification matching `pattern` is left in the notifications center. */
  async waitForNoNotification(pattern: RegExp, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const left = (await this.notifications()).filter((text) => pattern.test(text));
      if (left.length === 0) return;
      if (Date.now() > deadline)
        throw new Error(
          `Notifications matching ${pattern} were still there after ${timeoutMs} ms: ${JSON.stringify(left)}`,
        );
      await this.page.waitForTimeout(200);
    }
  }

  /** Saves a screenshot as test-results/vscode/<name>.png and returns its path. */
  async screenshot(name: string): Promise<string> {
    const dir = vscodeSession().resultsDir;
    mkdirSync(dir, { recursive: true });
    const path = join(dir, `${fileNameOf(name)}.png`);
    await this.page.screenshot({ path });
    return path;
  }

  /** Closes the window. */
  async close(): Promise<void> {
    open.delete(this);
    await this.page.close().catch(() => {});
  }
}

/** Opens a new workbench window on `folder` (null: an empty window, no folder) and waits for the workbench to appear. */
export async function openWorkbench(folder: string | null): Promise<Workbench> {
  const { server, browser } = vscodeSession();
  const page = await browser.newPage();
  await page.addInitScript(NOTIFICATION_RECORDER);
  const started = performance.now();
  await page.goto(folder === null ? `${server.origin}/?ew=true` : server.workbenchUrl(folder), { timeout: 120_000 });
  await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
  const workbench = new Workbench(page, folder, performance.now() - started);
  open.add(workbench);
  return workbench;
}

/** Screenshots of every open workbench, named after `name` (for the after-each hook). */
export async function screenshotOpenWorkbenches(name: string): Promise<string[]> {
  const paths: string[] = [];
  let i = 0;
  for (const workbench of open) {
    paths.push(await workbench.screenshot(open.size > 1 ? `${name}-${++i}` : name).catch(() => ''));
  }
  return paths.filter(Boolean);
}

function fileNameOf(name: string): string {
  return name
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 150);
}

export { until } from '../helpers/processes.ts';
