/**
 * Keyboard captioning in the image editor of a real workbench: Alt+PageDown saves the caption and
 * opens the next result in place of the current one, whatever was typed (also a character typed and
 * deleted again, which VS Code keeps as two edits). Never a dialog, never a second tab.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { FrameLocator, Locator } from 'playwright-core';
import { makeSampleWorkspace } from '../vscode/sampleWorkspace.ts';
import type { SampleWorkspace } from '../vscode/sampleWorkspace.ts';
import { openWorkbench, until } from '../vscode/workbench.ts';
import type { Workbench } from '../vscode/workbench.ts';

const IMAGE_TAB = /\.(png|jpe?g|webp|gif|bmp|tiff?|avif)$/i;

describe('e2e: walking images with the keyboard in the image editor', function () {
  let dataset: SampleWorkspace;
  let workbench: Workbench;
  let folder = '';
  /** The folder's images in the gallery's order (by name). */
  let names: string[] = [];

  before(async () => {
    dataset = await makeSampleWorkspace('navigation', { count: 16 });
    folder = readdirSync(dataset.dir)
      .filter((n) => /^\d+_/.test(n))
      .sort()[0]!;
    workbench = await openWorkbench(dataset.dir);
    await until('the index', () => existsSync(join(dataset.dir, '.tagbench', 'index.db')));
    await workbench.showNotificationsCenter();
    await workbench.waitForNoNotification(/^Indexing/i, 60_000);
  });

  after(async () => {
    await workbench?.close();
  });

  /** The image editor tabs open in the window. */
  const imageTabs = (): Locator => workbench.page.locator('.tabs-container .tab', { hasText: IMAGE_TAB });
  /** The newest image editor's content. */
  const editor = (): FrameLocator =>
    workbench.page.locator('iframe.webview.ready').last().contentFrame().locator('#active-frame').contentFrame();
  const captionOf = (name: string): string => {
    const file = join(dataset.dir, folder, name.replace(/\.[^.]+$/, '.txt'));
    return existsSync(file) ? readFileSync(file, 'utf8') : '';
  };

  /** Fails at once when a modal dialog is up: keyboard captioning must never stop on one. */
  async function noDialog(): Promise<void> {
    const dialog = workbench.page.locator('.monaco-dialog-box');
    if (await dialog.isVisible()) {
      const text = (await dialog.textContent())?.trim() ?? '';
      await workbench.screenshot('navigation-dialog');
      throw new Error(`a dialog appeared: ${text}`);
    }
  }

  /** Waits until the editor shows `name` in the only image tab, clean, with no dialog on the way. */
  async function showing(name: string): Promise<void> {
    await until(`the editor on ${name}`, async () => {
      await noDialog();
      const path =
        (
          await editor()
            .locator('tb-image-facts dd')
            .first()
            .textContent()
            .catch(() => '')
        )?.trim() ?? '';
      return path === `${folder}/${name}`;
    });
    await until(`one image tab (${name})`, async () => {
      await noDialog();
      const tabs = await imageTabs().allTextContents();
      return tabs.length === 1 && tabs[0]!.includes(name);
    });
    assert.equal(await workbench.page.locator('.tab.dirty').count(), 0, 'no tab is left dirty');
    await noDialog();
  }

  it('opens the first result from the gallery', async () => {
    await workbench.runCommand('Tagbench: Open Gallery');
    const gallery = workbench.webviewFrame();
    const input = gallery.locator('tb-search-bar input[role=combobox]');
    await input.waitFor({ state: 'visible', timeout: 30_000 });
    await input.fill(`folder:${folder}`);
    await input.press('Enter');
    await until(
      "the folder's results",
      async () =>
        (await gallery.locator('tb-virtual-grid #cell-2').getAttribute('title'))?.startsWith(`${folder}/`) ?? false,
    );
    names = [];
    for (let i = 0; i < 3; i++)
      names.push((await gallery.locator(`tb-virtual-grid #cell-${i}`).getAttribute('aria-label')) ?? '');
    assert.ok(
      names.every((n) => IMAGE_TAB.test(n)),
      `three results: ${names.join(', ')}`,
    );
    await gallery.locator('tb-virtual-grid #cell-0').dblclick();
    await showing(names[0]!);
  });

  it('Alt+PageDown after typing a character and deleting it opens the next image in the same tab, without a dialog', async () => {
    const before = captionOf(names[0]!);
    const captionFile = join(dataset.dir, folder, names[0]!.replace(/\.[^.]+$/, '.txt'));
    const mtime = existsSync(captionFile) ? statSync(captionFile).mtimeMs : null;
    const box = editor().locator('tb-caption-panel textarea');
    await box.waitFor({ state: 'visible', timeout: 30_000 });
    await box.click();
    await box.press('Control+End');
    await box.press('x');
    // The pause sends the character as its own edit: VS Code now counts the document as changed.
    await until('the dirty marker', async () => (await workbench.page.locator('.tab.active.dirty').count()) === 1);
    await box.press('Backspace');
    await box.press('Alt+PageDown');
    await showing(names[1]!);
    assert.equal(captionOf(names[0]!), before, 'the caption is as typed: unchanged');
    assert.equal(
      existsSync(captionFile) ? statSync(captionFile).mtimeMs : null,
      mtime,
      'saving an unchanged caption wrote nothing',
    );
    await workbench.screenshot('navigation-after-backspace');
  });

  it('Alt+PageDown right after typing saves the caption as typed and opens the next image in the same tab', async () => {
    const before = captionOf(names[1]!);
    const box = editor().locator('tb-caption-panel textarea');
    await box.waitFor({ state: 'visible', timeout: 30_000 });
    await until(
      'focus in the caption',
      async () =>
        await box.evaluate(
          (el) => el.getRootNode() instanceof ShadowRoot && (el.getRootNode() as ShadowRoot).activeElement === el,
        ),
    );
    await box.press('Control+End');
    await box.pressSequentially(', walked on');
    await box.press('Alt+PageDown');
    await showing(names[2]!);
    const ending = /\r?\n$/.exec(before)?.[0] ?? '';
    assert.equal(
      captionOf(names[1]!),
      `${before.slice(0, before.length - ending.length)}, walked on${ending}`,
      'the typed text was saved',
    );

    // Back with Alt+PageUp: the saved caption is shown, still one tab.
    await editor().locator('tb-caption-panel textarea').press('Alt+PageUp');
    await showing(names[1]!);
    await until('the saved caption in the box', async () =>
      (await editor().locator('tb-caption-panel textarea').inputValue()).endsWith(', walked on'),
    );
  });
});
