/** The image editor webview in Chromium: zoom, facts, next/previous and the keyboard tagging flow. */
import assert from 'node:assert/strict';
import { EditorHarness, imageFacts, noCrop } from './editorHarness.ts';
import type { EditorPage, InitParams } from './editorHarness.ts';

describe('image editor webview', function () {
  let harness: EditorHarness;
  let editor: EditorPage | undefined;

  before(async function () {
    harness = await EditorHarness.start();
  });

  after(async function () {
    await harness?.close();
  });

  afterEach(async function () {
    if (editor) {
      const problems = [...editor.problems];
      await editor.close();
      editor = undefined;
      assert.deepEqual(problems, [], 'no CSP violations, page errors or console errors');
    }
  });

  async function open(init: Partial<InitParams> = {}, size?: { width: number; height: number }): Promise<EditorPage> {
    editor = await harness.open('image', { caption: '1girl, solo, kiyohime \\(fate\\)\n', ...init }, size);
    return editor;
  }

  /** The image's shown size and the view's scroll position. */
  async function imageBox(
    e: EditorPage,
  ): Promise<{ width: number; height: number; natural: number; scrollWidth: number; clientWidth: number }> {
    return e.page.locator('tb-image-view img').evaluate((img: HTMLImageElement) => {
      const view = img.parentElement!;
      return {
        width: img.getBoundingClientRect().width,
        height: img.getBoundingClientRect().height,
        natural: img.naturalWidth,
        scrollWidth: view.scrollWidth,
        clientWidth: view.clientWidth,
      };
    });
  }

  async function loaded(e: EditorPage): Promise<void> {
    await e.until(async () => (await imageBox(e)).natural === 640, 'the image to load');
  }

  it('fits the image, then zooms with the buttons and with 0 / 1 / + / - on the focused image', async function () {
    const e = await open({}, { width: 900, height: 600 });
    await loaded(e);
    const fit = await imageBox(e);
    assert.ok(fit.width < 640 && fit.width > 100, `fit scales the image down (${fit.width})`);
    assert.ok(Math.abs(fit.width / fit.height - 640 / 480) < 0.02, 'fit keeps the aspect ratio');
    assert.match((await e.page.locator('tb-image-view .scale').textContent()) ?? '', /^Fit \(\d+%\)$/);

    await e.page.locator('tb-image-view vscode-toolbar-button[label^="Actual size"]').click();
    await e.until(async () => (await imageBox(e)).width === 640, '100%');
    await e.page.locator('tb-image-view vscode-toolbar-button[icon="zoom-in"]').click();
    await e.until(async () => (await imageBox(e)).width === 800, 'zoom in to 125%');
    assert.equal((await e.page.locator('tb-image-view .scale').textContent())?.trim(), '125%');
    const zoomed = await imageBox(e);
    assert.ok(zoomed.scrollWidth > zoomed.clientWidth, 'a larger image scrolls');
    await e.page.locator('tb-image-view vscode-toolbar-button[icon="zoom-out"]').click();
    await e.until(async () => (await imageBox(e)).width === 640, 'zoom out to 100%');

    await e.page.locator('tb-image-view .viewport').focus();
    await e.page.keyboard.press('0');
    await e.until(async () => (await imageBox(e)).width === fit.width, 'fit again');
    await e.page.keyboard.press('1');
    await e.until(async () => (await imageBox(e)).width === 640, '1 -> 100%');
    await e.page.keyboard.press('+');
    await e.until(async () => (await imageBox(e)).width === 800, '+ zooms in');
    await e.page.keyboard.press('-');
    await e.page.keyboard.press('-');
    await e.until(async () => (await imageBox(e)).width === 480, '- twice: 75%');

    const view = e.page.locator('tb-image-view .viewport');
    const rect = (await view.boundingBox())!;
    await e.page.mouse.move(rect.x + rect.width / 2, rect.y + rect.height / 2);
    await e.page.keyboard.down('Control');
    await e.page.mouse.wheel(0, -100);
    await e.page.keyboard.up('Control');
    await e.until(async () => (await imageBox(e)).width === 640, 'Ctrl+wheel zooms in');
    assert.deepEqual(e.edits, []);
  });

  it('shows the facts, the problems and the position', async function () {
    const e = await open({
      image: {
        uri: harness.imageUri(),
        facts: imageFacts(2, 120, '10_kiyohime/portrait.png'),
        problems: [{ kind: 'small', severity: 'warning', message: 'Smaller than 768 px on the short side.' }],
        ...noCrop(),
      },
    });
    const facts = e.page.locator('tb-image-facts');
    const rows = await facts.locator('dt').allTextContents();
    const values = await facts.locator('dd').allTextContents();
    const table = Object.fromEntries(rows.map((r, i) => [r, values[i]]));
    assert.deepEqual(table, {
      Path: '10_kiyohime/portrait.png',
      Dimensions: '640 × 480',
      Format: 'PNG',
      'File size': '240 KB',
      Channels: '4',
      Alpha: 'Yes',
      'Bit depth': '8-bit',
      'Colour space': 'srgb',
      Frames: '1',
      Position: '2 of 120',
    });
    assert.match((await facts.locator('li').textContent()) ?? '', /Smaller than 768 px/);
    assert.equal((await e.page.locator('tb-image-editor .position').textContent())?.trim(), '2 of 120');
  });

  it('puts focus in the caption box, caret at the end, when focusCaption is set', async function () {
    const e = await open({ focusCaption: true });
    await e.until(async () => (await e.focused()).tag === 'textarea', 'focus in the text box');
    const box = e.page.locator('tb-caption-panel textarea');
    const { start, length } = await box.evaluate((el: HTMLTextAreaElement) => ({
      start: el.selectionStart,
      length: el.value.length,
    }));
    assert.equal(start, length);
  });

  it('Alt+PageDown in the caption box sends the pending edit, then navigate {step: 1}', async function () {
    const e = await open({ focusCaption: true });
    await e.until(async () => (await e.focused()).tag === 'textarea', 'focus in the text box');
    await e.page.keyboard.type(', smile');
    await e.page.keyboard.press('Alt+PageDown');
    await e.until(() => e.log.some((m) => m.startsWith('navigate')), 'navigate');
    assert.deepEqual(e.log, ['ready', 'edit:1girl, solo, kiyohime \\(fate\\), smile\n', 'navigate:1']);
    assert.deepEqual(e.edits, [{ caption: '1girl, solo, kiyohime \\(fate\\), smile\n', label: 'Edit caption' }]);
    assert.equal(await e.text(), '1girl, solo, kiyohime \\(fate\\), smile', 'no key leaked into the text');
    await e.page.keyboard.press('Control+Alt+ArrowLeft');
    await e.until(() => e.log.includes('navigate:-1'), 'Ctrl+Alt+Left: previous');
    await e.page.keyboard.press('Alt+PageUp');
    await e.until(() => e.log.filter((m) => m === 'navigate:-1').length === 2, 'Alt+PageUp: previous');
    await e.quiet();
    assert.equal(e.edits.length, 1, 'no further edit');
  });

  it('takes a key pressed while the previous navigation is still under way', async function () {
    const e = await open();
    e.onNavigate = () => new Promise((resolve) => setTimeout(() => resolve({ moved: true }), 300));
    await e.page.locator('tb-image-view .viewport').focus();
    await e.page.keyboard.press('Alt+PageDown');
    await e.until(() => e.log.includes('navigate:1'), 'the first navigate');
    await e.page.keyboard.press('Alt+PageUp');
    await e.until(() => e.log.includes('navigate:-1'), 'the second navigate, after the first');
    assert.deepEqual(
      e.log.filter((m) => m.startsWith('navigate')),
      ['navigate:1', 'navigate:-1'],
    );
  });

  it('says why when there is no next image', async function () {
    const e = await open();
    e.onNavigate = () => ({ moved: false, reason: 'This is the last of 3 images.' });
    await e.page.locator('tb-image-view .viewport').focus();
    await e.page.keyboard.press('Alt+PageDown');
    await e.until(
      async () => ((await e.page.locator('tb-image-editor .status').textContent()) ?? '').includes('last of 3'),
      'the reason',
    );
    assert.equal((await e.focused()).className.includes('viewport'), true, 'focus stays');
  });

  it('tags three images with the keyboard only: type, Alt+PageDown, type, ...', async function () {
    const captions = ['1girl, solo\n', 'solo, kiyohime \\(fate\\)\n', ''];
    let shown = 0;
    const initFor = (n: number): InitParams => ({
      caption: captions[n]!,
      readOnly: false,
      readOnlyReason: '',
      focusCaption: true,
      image: { uri: harness.imageUri(n + 1), facts: imageFacts(n + 1, 3), problems: [], ...noCrop() },
    });
    const e = await open(initFor(0));
    e.onNavigate = (step) => {
      const next = shown + step;
      if (next < 0 || next >= captions.length) return { moved: false, reason: 'No more images.' };
      shown = next;
      setTimeout(() => e.init(initFor(next)), 10);
      return { moved: true };
    };
    const typeAndNext = async (text: string, expectChips: string[]): Promise<void> => {
      await e.until(async () => (await e.focused()).tag === 'textarea', 'focus in the text box');
      await e.page.keyboard.type(text);
      assert.deepEqual(await e.chips(), expectChips);
      await e.page.keyboard.press('Alt+PageDown');
    };
    await typeAndNext(', smile', ['1girl', 'solo', 'smile']);
    await e.until(
      async () => (await e.page.locator('tb-image-editor .position').textContent())?.trim() === '2 of 3',
      'image 2',
    );
    await typeAndNext(', blue eyes', ['solo', 'kiyohime (fate)', 'blue eyes']);
    await e.until(
      async () => (await e.page.locator('tb-image-editor .position').textContent())?.trim() === '3 of 3',
      'image 3',
    );
    // An empty caption: tags go in through the add box too (Shift+Tab from the text box).
    await e.until(async () => (await e.focused()).tag === 'textarea', 'focus in the text box');
    await e.page.keyboard.press('Shift+Tab');
    assert.equal((await e.focused()).label, 'Add tag');
    await e.page.keyboard.type('1gi');
    await e.page.locator('tb-tag-combobox [role=option]').first().waitFor();
    await e.page.keyboard.press('Tab');
    await e.page.keyboard.type('outdoors,');
    await e.until(() => e.edits.length === 4, 'two adds');
    await e.page.keyboard.press('Alt+PageDown');
    await e.until(
      async () => ((await e.page.locator('tb-image-editor .status').textContent()) ?? '').includes('No more images'),
      'the end',
    );
    assert.deepEqual(
      e.log.filter((m) => !m.startsWith('suggest')),
      [
        'ready',
        'edit:1girl, solo, smile\n',
        'navigate:1',
        'edit:solo, kiyohime \\(fate\\), blue eyes\n',
        'navigate:1',
        'edit:1girl',
        'edit:1girl, outdoors',
        'navigate:1',
      ],
    );
    assert.deepEqual(
      e.edits.map((x) => x.label),
      ['Edit caption', 'Edit caption', 'Add tag', 'Add tag'],
    );
  });

  it('fits a narrow editor: the image above the caption', async function () {
    const e = await open({}, { width: 480, height: 800 });
    await loaded(e);
    const image = (await e.page.locator('tb-image-view').boundingBox())!;
    const panel = (await e.page.locator('tb-caption-panel').boundingBox())!;
    assert.ok(panel.y >= image.y + image.height - 1, 'caption below the image');
    assert.ok(panel.width > 400, 'caption uses the full width');
    assert.ok((await imageBox(e)).width <= 480, 'the image fits');
  });
});
