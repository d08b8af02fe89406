/**
 * The gallery and the image editor in a real workbench: search, select, add a tag to several captions
 * (checked on disk), undo the batch, then edit a caption in the image editor, save it with Ctrl+S,
 * undo an edit and revert another.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { makeSampleWorkspace } from '../vscode/sampleWorkspace.ts';
import type { SampleWorkspace } from '../vscode/sampleWorkspace.ts';
import { openWorkbench, until } from '../vscode/workbench.ts';
import type { Workbench } from '../vscode/workbench.ts';

const HOLDER = fileURLToPath(new URL('../fixtures/locks/holdEditLock.ts', import.meta.url));

/** Caption texts of a folder, by file name. */
function captions(dir: string): Map<string, string> {
  return new Map(
    readdirSync(dir)
      .filter((n) => n.endsWith('.txt'))
      .map((n) => [n, readFileSync(join(dir, n), 'utf8')]),
  );
}

describe('e2e: the gallery and the image editor', function () {
  let dataset: SampleWorkspace;
  let workbench: Workbench;

  before(async () => {
    dataset = await makeSampleWorkspace('gallery');
    workbench = await openWorkbench(dataset.dir);
    await until('the index', () => existsSync(join(dataset.dir, '.tagbench', 'index.db')));
    await workbench.showNotificationsCenter();
    await workbench.waitForNoNotification(/^Indexing/i, 60_000);
  });

  after(async () => {
    await workbench?.close();
  });

  it('opens the gallery from the palette and shows the result count of a query', async () => {
    await workbench.runCommand('Tagbench: Open Gallery');
    const frame = workbench.webviewFrame();
    const input = frame.locator('tb-search-bar input[role=combobox]');
    await input.waitFor({ state: 'visible', timeout: 30_000 });
    await until('all results', async () =>
      /^40 images/.test((await frame.locator('tb-search-bar .count').textContent())?.trim() ?? ''),
    );
    await input.fill('folder:5_bob');
    await input.press('Enter');
    const bobImages = readdirSync(join(dataset.dir, '5_bob')).filter(
      (n) => !n.endsWith('.txt') && !n.includes('.tagbench'),
    ).length;
    await until(
      "the folder's results",
      async () => (await frame.locator('tb-search-bar .count').textContent())?.trim() === `${bobImages} images`,
    );
    await workbench.screenshot('gallery-query');
  });

  it('adds a tag to three selected images, writes their captions, undoes, redoes and undoes it again', async () => {
    const frame = workbench.webviewFrame();
    const folder = join(dataset.dir, '5_bob');
    const before = captions(folder);
    await frame.locator('tb-virtual-grid #cell-0').click();
    await frame.locator('tb-virtual-grid #cell-1').click({ modifiers: ['Control'] });
    await frame.locator('tb-virtual-grid #cell-2').click({ modifiers: ['Control'] });
    await until('3 selected', async () =>
      /3 selected/.test((await frame.locator('tb-search-bar .count').textContent()) ?? ''),
    );
    await frame.locator('tb-batch-bar vscode-button', { hasText: 'Add tags' }).click();
    const tags = frame.locator('tb-tag-input input');
    await tags.fill('e2e_tag');
    await tags.press('Enter');
    await tags.press('Enter');
    await until('the batch outcome', async () =>
      /e2e_tag/.test((await frame.locator('tb-batch-bar .status').textContent()) ?? ''),
    );
    await until(
      'three captions with the tag',
      () => [...captions(folder).values()].filter((t) => t.includes('e2e_tag')).length === 3,
    );
    await workbench.screenshot('gallery-batch-applied');

    await frame.locator('tb-batch-bar .status vscode-button', { hasText: 'Undo' }).click();
    await until('the captions as they were', () => {
      const now = captions(folder);
      return (
        [...before].every(([name, text]) => now.get(name) === text) && [...now.keys()].every((name) => before.has(name))
      );
    });
    await workbench.screenshot('gallery-batch-undone');

    // Redo applies it again; Undo then puts the captions back once more.
    await frame.locator('tb-batch-bar .status vscode-button', { hasText: 'Redo' }).click();
    await until(
      'three captions with the tag again',
      () => [...captions(folder).values()].filter((t) => t.includes('e2e_tag')).length === 3,
    );
    await frame.locator('tb-batch-bar .status vscode-button', { hasText: 'Undo' }).click();
    await until('the captions as they were, again', () => {
      const now = captions(folder);
      return [...before].every(([name, text]) => now.get(name) === text);
    });
  });

  it('edits a caption in the image editor and saves it with Ctrl+S, after a batch edit elsewhere lets go of the dataset', async () => {
    const frame = workbench.webviewFrame();
    await frame.locator('tb-virtual-grid #cell-0').dblclick();
    // Webview iframes live outside the editor groups; the image editor's is the newest one.
    await until(
      'the image editor tab',
      async () =>
        (await workbench.page
          .locator('.tab.active', { hasText: /\.(png|jpe?g|webp|gif|bmp|tiff?|avif)$/i })
          .count()) === 1,
    );
    const editorFrame = workbench.page
      .locator('iframe.webview.ready')
      .last()
      .contentFrame()
      .locator('#active-frame')
      .contentFrame();
    const box = editorFrame.locator('tb-caption-panel textarea');
    await box.waitFor({ state: 'visible', timeout: 30_000 });
    const path = (await editorFrame.locator('tb-image-facts dd').first().textContent())?.trim() ?? '';
    assert.ok(path.startsWith('5_bob/'), `the first result is open (${path})`);
    const captionFile = join(dataset.dir, path.replace(/\.[^.]+$/, '.txt'));
    const original = existsSync(captionFile) ? readFileSync(captionFile, 'utf8') : '';
    await box.click();
    await box.press('Control+End');
    await box.pressSequentially(', typed in the editor');
    await box.press('Enter');
    await until('the dirty marker', async () => (await workbench.page.locator('.tab.active.dirty').count()) === 1);
    // Another process holds the dataset's edit lock (as a batch edit does) for 4 s: the save waits for it.
    const holder = spawn(process.execPath, [HOLDER, dataset.dir, '4000', 'a batch edit in another process'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise((resolve) => holder.stdout.once('data', resolve));
    const heldAt = Date.now();
    await workbench.page.keyboard.press('Control+s');
    while (Date.now() - heldAt < 2_500) {
      assert.equal(
        existsSync(captionFile) ? readFileSync(captionFile, 'utf8') : '',
        original,
        'nothing is written while another writer holds the edit lock',
      );
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await until(
      'the caption on disk',
      () => existsSync(captionFile) && readFileSync(captionFile, 'utf8').includes('typed in the editor'),
    );
    await until('a clean tab', async () => (await workbench.page.locator('.tab.active.dirty').count()) === 0);
    const ending = /\r?\n$/.exec(original)?.[0] ?? '';
    const body = original.slice(0, original.length - ending.length);
    assert.equal(
      readFileSync(captionFile, 'utf8'),
      `${body}, typed in the editor${ending}`,
      'the typed text was added at the end, nothing else changed',
    );
    await workbench.screenshot('image-editor-saved');

    // Undo goes back to the saved text (and a clean tab); revert drops unsaved edits.
    const savedText = readFileSync(captionFile, 'utf8').replace(/\r?\n$/, '');
    await box.press('Control+End');
    await box.pressSequentially(', then undone');
    await box.press('Enter');
    await until(
      'the dirty marker again',
      async () => (await workbench.page.locator('.tab.active.dirty').count()) === 1,
    );
    await workbench.page.keyboard.press('Control+z');
    await until('the undone text', async () => (await box.inputValue()) === savedText);
    await until(
      'a clean tab after undo',
      async () => (await workbench.page.locator('.tab.active.dirty').count()) === 0,
    );
    await box.press('Control+End');
    await box.pressSequentially(', then reverted');
    await box.press('Enter');
    await until(
      'the dirty marker for revert',
      async () => (await workbench.page.locator('.tab.active.dirty').count()) === 1,
    );
    await workbench.runCommand('File: Revert File');
    await until('the reverted text', async () => (await box.inputValue()) === savedText);
    await until(
      'a clean tab after revert',
      async () => (await workbench.page.locator('.tab.active.dirty').count()) === 0,
    );
    assert.equal(
      readFileSync(captionFile, 'utf8').replace(/\r?\n$/, ''),
      savedText,
      'undo and revert left the file alone',
    );
  });

  it('draws a crop in the image editor (C, drag, Enter), saves it to the sidecar with Ctrl+S, undoes and reverts it', async () => {
    const editorFrame = workbench.page
      .locator('iframe.webview.ready')
      .last()
      .contentFrame()
      .locator('#active-frame')
      .contentFrame();
    const view = editorFrame.locator('tb-image-view .viewport');
    await view.waitFor({ state: 'visible', timeout: 30_000 });
    const path = (await editorFrame.locator('tb-image-facts dd').first().textContent())?.trim() ?? '';
    const imageFile = join(dataset.dir, path);
    const sidecarFile = join(dataset.dir, path.replace(/\.[^.]+$/, '.tagbench.json'));
    const sidecarBefore = existsSync(sidecarFile)
      ? (JSON.parse(readFileSync(sidecarFile, 'utf8')) as Record<string, unknown>)
      : null;
    const [width, height] = ((await editorFrame.locator('tb-image-facts dd').nth(1).textContent()) ?? '')
      .split('×')
      .map((n) => Number(n.replace(/[^0-9]/g, '')));
    assert.ok(width! > 0 && height! > 0, `the image's size is known (${width} x ${height})`);

    await view.press('c');
    await editorFrame.locator('tb-crop-layer[editing]').waitFor({ timeout: 10_000 });
    const img = (await editorFrame.locator('tb-image-view img').boundingBox())!;
    await workbench.page.mouse.move(img.x + img.width * 0.2, img.y + img.height * 0.25);
    await workbench.page.mouse.down();
    await workbench.page.mouse.move(img.x + img.width * 0.5, img.y + img.height * 0.5, { steps: 4 });
    await workbench.page.mouse.move(img.x + img.width * 0.7, img.y + img.height * 0.75, { steps: 4 });
    await workbench.page.mouse.up();
    const sizeText = (await editorFrame.locator('tb-crop-bar .size').textContent())?.trim() ?? '';
    const shown = /^([\d,]+) × ([\d,]+) px/.exec(sizeText);
    assert.ok(shown, `the crop's size is shown (${sizeText})`);
    const [shownWidth, shownHeight] = [Number(shown[1]!.replace(/,/g, '')), Number(shown[2]!.replace(/,/g, ''))];
    await workbench.page.keyboard.press('Enter');
    await editorFrame.locator('tb-crop-layer[kind="manual"]:not([editing])').waitFor({ timeout: 10_000 });
    await until(
      'the dirty marker for the crop',
      async () => (await workbench.page.locator('.tab.active.dirty').count()) === 1,
    );
    await workbench.screenshot('image-editor-crop');

    await workbench.page.keyboard.press('Control+s');
    await until(
      'the crop in the sidecar',
      () => existsSync(sidecarFile) && /"manual"/.test(readFileSync(sidecarFile, 'utf8')),
    );
    await until(
      'a clean tab after saving the crop',
      async () => (await workbench.page.locator('.tab.active.dirty').count()) === 0,
    );
    const sidecar = JSON.parse(readFileSync(sidecarFile, 'utf8')) as {
      image: { sha256: string };
      crop: { state: string; rect: { left: number; top: number; width: number; height: number } };
    };
    assert.equal(sidecar.crop.state, 'manual');
    const rect = sidecar.crop.rect;
    assert.equal(rect.width, shownWidth, 'the width shown was saved');
    assert.equal(rect.height, shownHeight, 'the height shown was saved');
    const close = (a: number, b: number, what: string): void =>
      assert.ok(Math.abs(a - b) <= Math.max(3, b * 0.02), `${what}: ${a} is not about ${b}`);
    close(rect.left, width! * 0.2, 'left');
    close(rect.top, height! * 0.25, 'top');
    close(rect.width, width! * 0.5, 'width');
    close(rect.height, height! * 0.5, 'height');
    assert.equal(
      sidecar.image.sha256,
      createHash('sha256').update(readFileSync(imageFile)).digest('hex'),
      'the sidecar names the image by its hash',
    );
    for (const [key, value] of Object.entries(sidecarBefore ?? {})) {
      if (key !== 'crop' && key !== 'image')
        assert.deepEqual((sidecar as unknown as Record<string, unknown>)[key], value, `the sidecar's ${key} is kept`);
    }

    // Undo takes the crop away again (unsaved), and revert brings back the saved one.
    await workbench.page.keyboard.press('Control+z');
    await until('no crop after undo', async () => (await editorFrame.locator('tb-crop-layer').count()) === 0);
    await until(
      'the dirty marker after undo',
      async () => (await workbench.page.locator('.tab.active.dirty').count()) === 1,
    );
    await workbench.runCommand('File: Revert File');
    await editorFrame.locator('tb-crop-layer[kind="manual"]').waitFor({ timeout: 10_000 });
    await until(
      'a clean tab after revert',
      async () => (await workbench.page.locator('.tab.active.dirty').count()) === 0,
    );
    assert.deepEqual(
      (JSON.parse(readFileSync(sidecarFile, 'utf8')) as typeof sidecar).crop,
      { state: 'manual', rect },
      'undo and revert left the sidecar alone',
    );
  });
});
