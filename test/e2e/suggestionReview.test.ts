/**
 * Reviewing model suggestions in the image editor of a real workbench: find the image by
 * `has:suggestions` in the gallery, open it, accept one suggestion with Enter and reject another with
 * Delete, save with Ctrl+S (caption and sidecar checked on disk), then undo the rejection.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeSampleWorkspace } from '../vscode/sampleWorkspace.ts';
import type { SampleWorkspace } from '../vscode/sampleWorkspace.ts';
import { openWorkbench, until } from '../vscode/workbench.ts';
import type { Workbench } from '../vscode/workbench.ts';

interface StoredTag {
  name: string;
  source: string;
  status?: string;
  confidence?: number;
}

describe('e2e: reviewing suggestions in the image editor', function () {
  let dataset: SampleWorkspace;
  let workbench: Workbench;
  let image = '';
  const wd = 'model:tagger:wd-vit-tagger-v3';

  before(async () => {
    dataset = await makeSampleWorkspace('suggestions', { count: 12 });
    const folder = readdirSync(dataset.dir).find((n) => /^\d+_/.test(n))!;
    const name = readdirSync(join(dataset.dir, folder))
      .sort()
      .find((n) => /\.(png|jpe?g)$/i.test(n))!;
    image = `${folder}/${name}`;
    const stem = join(dataset.dir, image.replace(/\.[^.]+$/, ''));
    writeFileSync(`${stem}.txt`, '1girl, solo\n');
    writeFileSync(
      `${stem}.tagbench.json`,
      JSON.stringify(
        {
          tagbench: 1,
          image: {
            sha256: createHash('sha256')
              .update(readFileSync(join(dataset.dir, image)))
              .digest('hex'),
            file: name,
          },
          tags: [
            { name: '1girl', source: 'user' },
            { name: 'solo', source: wd, category: 'general', confidence: 0.97, status: 'accepted' },
            { name: 'smile', source: wd, category: 'general', confidence: 0.71, status: 'suggested' },
            { name: 'long hair', source: wd, category: 'general', confidence: 0.55, status: 'suggested' },
          ],
        },
        null,
        2,
      ) + '\n',
    );
    workbench = await openWorkbench(dataset.dir);
    await until('the index', () => existsSync(join(dataset.dir, '.tagbench', 'index.db')));
    await workbench.showNotificationsCenter();
    await workbench.waitForNoNotification(/^Indexing/i, 60_000);
  });

  after(async () => {
    await workbench?.close();
  });

  it('accepts a suggestion with Enter, rejects one with Delete, saves both with Ctrl+S, and undoes the rejection', async () => {
    await workbench.runCommand('Tagbench: Open Gallery');
    const gallery = workbench.webviewFrame();
    const input = gallery.locator('tb-search-bar input[role=combobox]');
    await input.waitFor({ state: 'visible', timeout: 30_000 });
    await input.fill('has:suggestions');
    await input.press('Enter');
    await until(
      'one result',
      async () => (await gallery.locator('tb-search-bar .count').textContent())?.trim() === '1 image',
    );
    await gallery.locator('tb-virtual-grid #cell-0').dblclick();
    await until(
      'the image editor tab',
      async () => (await workbench.page.locator('.tab.active', { hasText: /\.(png|jpe?g)$/i }).count()) === 1,
    );
    const editor = workbench.page
      .locator('iframe.webview.ready')
      .last()
      .contentFrame()
      .locator('#active-frame')
      .contentFrame();
    const chips = editor.locator('tb-suggestions [role=option]');
    await chips.first().waitFor({ state: 'visible', timeout: 30_000 });
    assert.equal((await editor.locator('tb-image-facts dd').first().textContent())?.trim(), image);
    assert.deepEqual(
      (await chips.locator('.label').allTextContents()).map((t) => t.trim()),
      ['smile', 'long hair'],
    );

    await chips.first().focus();
    await workbench.page.keyboard.press('Enter');
    const box = editor.locator('tb-caption-panel textarea');
    await until('the accepted tag in the caption', async () => (await box.inputValue()) === '1girl, solo, smile');
    await until('one suggestion left', async () => (await chips.count()) === 1);
    await workbench.page.keyboard.press('Delete');
    await until('no suggestion left', async () => (await chips.count()) === 0);
    await until('the dirty marker', async () => (await workbench.page.locator('.tab.active.dirty').count()) === 1);
    await workbench.screenshot('image-editor-suggestions-reviewed');

    const stem = join(dataset.dir, image.replace(/\.[^.]+$/, ''));
    const statuses = (): Record<string, string> =>
      Object.fromEntries(
        (JSON.parse(readFileSync(`${stem}.tagbench.json`, 'utf8')) as { tags: StoredTag[] }).tags.map((t) => [
          t.name,
          t.status ?? '',
        ]),
      );
    await workbench.page.keyboard.press('Control+s');
    await until('the caption on disk', () => readFileSync(`${stem}.txt`, 'utf8') === '1girl, solo, smile\n');
    await until('the statuses in the sidecar', () => statuses()['long hair'] === 'rejected');
    await until('a clean tab', async () => (await workbench.page.locator('.tab.active.dirty').count()) === 0);
    assert.deepEqual(statuses(), { '1girl': '', solo: 'accepted', smile: 'accepted', 'long hair': 'rejected' });
    const smile = (JSON.parse(readFileSync(`${stem}.tagbench.json`, 'utf8')) as { tags: StoredTag[] }).tags.find(
      (t) => t.name === 'smile',
    )!;
    assert.deepEqual(
      smile,
      { name: 'smile', source: wd, category: 'general', confidence: 0.71, status: 'accepted' },
      'the model and its confidence are kept',
    );

    // Undo brings the rejected suggestion back (unsaved); the caption keeps the accepted tag.
    await workbench.page.keyboard.press('Control+z');
    await until('the suggestion back', async () => (await chips.count()) === 1);
    assert.equal((await chips.locator('.label').textContent())?.trim(), 'long hair');
    assert.equal(await box.inputValue(), '1girl, solo, smile');
    await until(
      'the dirty marker after undo',
      async () => (await workbench.page.locator('.tab.active.dirty').count()) === 1,
    );
    await workbench.runCommand('File: Revert File');
    await until('no suggestion after revert', async () => (await chips.count()) === 0);
    await until(
      'a clean tab after revert',
      async () => (await workbench.page.locator('.tab.active.dirty').count()) === 0,
    );
    assert.equal(statuses()['long hair'], 'rejected', 'undo and revert left the sidecar alone');
  });
});
