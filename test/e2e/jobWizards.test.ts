/**
 * The questions before an export and a process job in a real workbench: every step's counter is right
 * (never a step past its total), the export folder starts next to the dataset and is checked as it is
 * typed with the reason shown at once, and the process command's first question says what each
 * choice gives and how many images.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Locator } from 'playwright-core';
import { makeSampleWorkspace } from '../vscode/sampleWorkspace.ts';
import type { SampleWorkspace } from '../vscode/sampleWorkspace.ts';
import { openWorkbench, until } from '../vscode/workbench.ts';
import type { Workbench } from '../vscode/workbench.ts';

describe('e2e: the export and process questions', function () {
  let dataset: SampleWorkspace;
  let workbench: Workbench;
  let widget: Locator;
  const titles: string[] = [];

  /** The quick input's title once it reads `pattern`; every title seen is recorded. */
  const step = async (pattern: RegExp): Promise<string> => {
    const title = widget.locator('.quick-input-title');
    let text = '';
    await until(
      `a step titled ${pattern}`,
      async () => {
        text = (await widget.isVisible()) ? ((await title.textContent()) ?? '') : '';
        return pattern.test(text);
      },
      20_000,
    );
    titles.push(text);
    return text;
  };
  const input = (): Locator => widget.locator('.quick-input-box input');
  const message = async (): Promise<string> =>
    ((await widget.locator('.quick-input-message').textContent()) ?? '').trim();
  /** Runs a command from the palette whose first question opens at once (so the palette never closes in between). */
  const startCommand = async (title: string): Promise<void> => {
    if (await widget.isVisible()) await workbench.page.keyboard.press('Escape');
    await workbench.page.keyboard.press('F1');
    await input().waitFor({ state: 'visible', timeout: 10_000 });
    await input().fill(`>${title}`);
    await widget
      .locator('.monaco-list-row.focused')
      .filter({ hasText: title })
      .waitFor({ state: 'visible', timeout: 10_000 });
    await input().press('Enter');
  };

  before(async () => {
    dataset = await makeSampleWorkspace('wizards', { count: 24 });
    workbench = await openWorkbench(dataset.dir);
    widget = workbench.page.locator('.quick-input-widget');
    await until('the index', () => existsSync(join(dataset.dir, '.tagbench', 'index.db')), 120_000);
    await workbench.showNotificationsCenter();
    await workbench.waitForNoNotification(/^Indexing/i, 60_000);
  });

  after(async () => {
    await workbench?.close();
  });

  it('exports with a step counter that holds, a sibling folder by default, and the folder checked as it is typed', async () => {
    const sibling = join(dirname(dataset.dir), `${basename(dataset.dir)}-export`);
    await startCommand('Tagbench: Export Training Set...');
    await step(/^Export Training Set \(1\/7\): which images\?/);
    const first = widget.locator('.monaco-list-row').first();
    assert.match((await first.textContent()) ?? '', /All images.*\d+ images/);
    await input().press('Enter');
    await step(/\(2\/7\): format/);
    await input().fill('kohya');
    await input().press('Enter');
    await step(/\(3\/7\): output folder/);
    await until('the default folder', async () => (await input().inputValue()) === sibling);
    // Inside the dataset: the reason shows at once, and Enter does not go on.
    await input().fill(join(dataset.dir, 'out'));
    await until('the refusal', async () => /inside the dataset/.test(await message()));
    await input().press('Enter');
    await workbench.page.waitForTimeout(300);
    assert.match((await widget.locator('.quick-input-title').textContent()) ?? '', /\(3\/7\): output folder/);
    await input().fill('/');
    await until('the refusal of /', async () => /root of the filesystem/.test(await message()));
    await input().fill(sibling);
    await until('no refusal', async () => !/inside|root|not empty/.test(await message()));
    await input().press('Enter');
    await step(/\(4\/7\): concept folders/);
    assert.match(
      (await widget.locator('.monaco-list-row').first().textContent()) ?? '',
      /Keep the \d+ concept folders/,
    );
    await input().press('Enter');
    await step(/\(5\/7\): folder for the \d+ images? outside concept folders/);
    await input().fill('abc');
    await until('the folder name check', async () => /<repeats>_<name>/.test(await message()));
    await input().fill('10_loose');
    await input().press('Enter');
    await step(/\(6\/7\): trigger word/);
    await input().fill('ohwx');
    await input().press('Enter');
    await step(/\(7\/7\): resize while exporting\?/);
    await input().press('Enter');
    await until('the export', () => existsSync(join(sibling, 'dataset.toml')), 120_000);
    const done = await workbench.waitForNotification(/Export .* done/i, 60_000);
    assert.match(done, /subsets/);
    const folders = readdirSync(sibling).sort();
    for (const f of ['10_alice', '10_loose', '3_forest_style', '5_bob', 'dataset.toml', 'reg'])
      assert.ok(folders.includes(f), `${f} in ${folders.join(', ')}`);
    assert.deepEqual(readdirSync(join(sibling, 'reg')), ['1_regularization']);
    for (const title of titles) {
      const [, n, total] = /\((\d+)\/(\d+)\)/.exec(title) ?? [];
      assert.ok(Number(n) <= Number(total), `"${title}" counts past its total`);
    }
  });

  it("asks the process command's images by what each choice gives, with counts", async () => {
    await workbench.runCommand('Tagbench: Open Gallery');
    const gallery = workbench.webviewFrame();
    const search = gallery.locator('tb-search-bar input[role=combobox]');
    await search.waitFor({ state: 'visible', timeout: 30_000 });
    await search.fill('folder:5_bob');
    await search.press('Enter');
    let shown = '';
    await until('the gallery count', async () =>
      /^\d+ images?$/.test((shown = ((await gallery.locator('tb-search-bar .count').textContent()) ?? '').trim())),
    );
    await startCommand('Tagbench: Process Images (Crop, Resize, Upscale)...');
    await step(/^Process Images \(1\/4\): which images\?/);
    const rows = await widget.locator('.monaco-list-row').allTextContents();
    assert.match(rows[0] ?? '', /All images.*\d+ images/, 'Enter takes all images, and says so');
    assert.ok(
      rows.some((r) => r.includes("The gallery's results") && r.includes(`${shown}: folder:5_bob`)),
      JSON.stringify(rows),
    );
    await input().fill('Another query');
    await input().press('Enter');
    await until('the query box', async () => (await input().inputValue()) === 'folder:5_bob');
    assert.match(await message(), new RegExp(`the gallery's query gives ${shown}`));
    await input().fill('folder:5_bo');
    await input().fill('folder:5_bob');
    await until('the count of the query', async () => new RegExp(`^${shown} match\\.`).test(await message()));
    await input().fill('width>>3');
    await until('the query error', async () => (await message()).length > 0 && !/match\./.test(await message()));
    await input().press('Escape');
  });
});
