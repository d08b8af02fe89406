/** The image editor's crop tool in Chromium: mouse, keyboard, aspect presets, approve/remove, setCrop. */
import assert from 'node:assert/strict';
import type { CropRectView, CropView } from '../../../src/protocol/editorProtocol.ts';
import { EditorHarness, imageFacts, noCrop } from './editorHarness.ts';
import type { EditorPage } from './editorHarness.ts';

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

describe('image editor crop', function () {
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

  /** Opens the editor on the 640 × 480 test image with this stored crop, shown at 100%, the image focused. */
  async function open(crop: CropView | null = null): Promise<EditorPage> {
    editor = await harness.open('image', {
      caption: '1girl, solo\n',
      image: { uri: harness.imageUri(), facts: imageFacts(1, 3), problems: [], ...noCrop(), crop },
    });
    const e = editor;
    await e.until(
      () => e.page.locator('tb-image-view img').evaluate((img: HTMLImageElement) => img.naturalWidth === 640),
      'the image to load',
    );
    await e.page.locator('tb-image-view .viewport').focus();
    await e.page.keyboard.press('1');
    await e.until(async () => (await imageBox(e)).width === 640, '100%');
    return e;
  }

  async function imageBox(e: EditorPage): Promise<Box> {
    return (await e.page.locator('tb-image-view img').boundingBox())!;
  }

  /** The crop frame's box in image pixels (measured on screen), or null when none is shown. */
  async function shownRect(e: EditorPage): Promise<CropRectView | null> {
    const frame = e.page.locator('tb-crop-layer .frame');
    if ((await frame.count()) === 0) return null;
    const [f, img] = [(await frame.boundingBox())!, await imageBox(e)];
    const scale = img.width / 640;
    return {
      left: Math.round((f.x - img.x) / scale),
      top: Math.round((f.y - img.y) / scale),
      width: Math.round(f.width / scale),
      height: Math.round(f.height / scale),
    };
  }

  async function sizeText(e: EditorPage): Promise<string> {
    return ((await e.page.locator('tb-crop-bar .size').textContent()) ?? '').trim();
  }

  /** Drags with the mouse between two points given in image pixels (at 100%). */
  async function drag(e: EditorPage, from: [number, number], to: [number, number]): Promise<void> {
    const img = await imageBox(e);
    await e.page.mouse.move(img.x + from[0], img.y + from[1]);
    await e.page.mouse.down();
    await e.page.mouse.move(img.x + (from[0] + to[0]) / 2, img.y + (from[1] + to[1]) / 2, { steps: 3 });
    await e.page.mouse.move(img.x + to[0], img.y + to[1], { steps: 3 });
    await e.page.mouse.up();
  }

  const near = (a: CropRectView | null, b: CropRectView, what: string): void => {
    assert.ok(a, `${what}: a rect`);
    for (const key of ['left', 'top', 'width', 'height'] as const) {
      assert.ok(
        Math.abs(a[key] - b[key]) <= 1,
        `${what}: ${key} ${a[key]} is not about ${b[key]} (${JSON.stringify(a)})`,
      );
    }
  };

  it('draws a rectangle with the mouse, moves and resizes it, and Enter sends it as a manual crop', async function () {
    const e = await open();
    await e.page.keyboard.press('c');
    await e.page.locator('tb-crop-layer[editing]').waitFor();
    assert.equal(
      await e.page
        .locator('tb-image-view vscode-toolbar-button.crop-toggle')
        .evaluate((b: HTMLElement & { checked: boolean }) => b.checked),
      true,
    );
    assert.match(await sizeText(e), /Drag over the image/);

    await drag(e, [100, 80], [420, 320]);
    near(await shownRect(e), { left: 100, top: 80, width: 320, height: 240 }, 'drawn');
    assert.match(await sizeText(e), /^3\d\d × 2\d\d px, /);

    await drag(e, [200, 200], [250, 180]);
    near(await shownRect(e), { left: 150, top: 60, width: 320, height: 240 }, 'moved by dragging inside');

    const handle = (await e.page.locator('tb-crop-layer .handle.se').boundingBox())!;
    await e.page.mouse.move(handle.x + handle.width / 2, handle.y + handle.height / 2);
    await e.page.mouse.down();
    await e.page.mouse.move(handle.x + 60, handle.y + 40, { steps: 4 });
    await e.page.mouse.up();
    const resized = (await shownRect(e))!;
    near(resized, { left: 150, top: 60, width: 375, height: 275 }, 'resized by the bottom-right handle');

    assert.equal(e.crops.length, 0, 'nothing sent before Enter');
    assert.equal((await e.focused()).className.includes('viewport'), true, 'the image keeps focus');
    const shown = await sizeText(e);
    await e.page.keyboard.press('Enter');
    await e.until(() => e.crops.length === 1, 'the crop');
    const sent = e.crops[0]!;
    assert.equal(sent.state, 'manual');
    assert.equal(sent.label, 'Crop');
    near(sent.rect, resized, 'the crop sent');
    assert.equal(
      shown,
      `${sent.rect!.width} × ${sent.rect!.height} px, ${shown.split(', ')[1]}`,
      'the size shown is the size sent',
    );
    await e.page.locator('tb-crop-layer:not([editing])').waitFor();
    assert.equal(await e.page.locator('tb-crop-layer').getAttribute('kind'), 'manual', 'the crop is shown as stored');
    assert.equal((await e.page.locator('tb-crop-bar .state').textContent())?.trim(), 'Manual crop');
    assert.deepEqual(e.edits, [], 'the caption is untouched');
  });

  it('adjusts the rectangle with the keyboard only: arrows move, Shift by 10, Alt+arrows resize', async function () {
    const e = await open({ state: 'manual', rect: { left: 100, top: 100, width: 200, height: 100 } });
    await e.page.keyboard.press('c');
    await e.page.locator('tb-crop-layer[editing]').waitFor();
    await e.page.keyboard.press('ArrowRight');
    await e.page.keyboard.press('ArrowDown');
    await e.page.keyboard.press('Shift+ArrowRight');
    await e.page.keyboard.press('Alt+ArrowRight');
    await e.page.keyboard.press('Alt+Shift+ArrowDown');
    await e.page.keyboard.press('Alt+ArrowUp');
    await e.until(async () => (await sizeText(e)).startsWith('201 × 109 px'), `the size (${await sizeText(e)})`);
    assert.deepEqual(await shownRect(e), { left: 111, top: 101, width: 201, height: 109 });
    assert.match(
      (await e.page.locator('tb-image-view .viewport').getAttribute('aria-label')) ?? '',
      /201 × 109 pixels at 111, 101/,
    );
    await e.page.keyboard.press('Shift+ArrowLeft');
    for (let i = 0; i < 30; i++) await e.page.keyboard.press('Shift+ArrowUp');
    await e.page.keyboard.press('Enter');
    await e.until(() => e.crops.length === 1, 'the crop');
    assert.deepEqual(
      e.crops[0],
      { state: 'manual', rect: { left: 101, top: 0, width: 201, height: 109 }, label: 'Crop' },
      'stopped at the top edge',
    );
  });

  it('with no crop yet, the first arrow key puts a rectangle of the preset over the image', async function () {
    const e = await open();
    await e.page.keyboard.press('c');
    await e.page.keyboard.press('ArrowLeft');
    await e.until(async () => (await sizeText(e)).startsWith('640 × 480'), 'the whole image');
    for (let i = 0; i < 4; i++) await e.page.keyboard.press('Alt+Shift+ArrowLeft');
    await e.page.keyboard.press('Enter');
    await e.until(() => e.crops.length === 1, 'the crop');
    assert.deepEqual(e.crops[0]!.rect, { left: 0, top: 0, width: 600, height: 480 });
  });

  it('constrains drawing, resizing and key resizing to the aspect preset, including buckets', async function () {
    const e = await open();
    await e.page.keyboard.press('c');
    await e.page.locator('tb-crop-bar vscode-single-select').click();
    await e.page.locator('tb-crop-bar vscode-single-select [role=option]', { hasText: /^\s*16:9\s*$/ }).click();
    await drag(e, [50, 50], [450, 100]);
    let r = (await shownRect(e))!;
    assert.ok(Math.abs(r.width / r.height - 16 / 9) < 0.02, `16:9 while drawing (${JSON.stringify(r)})`);
    assert.ok(r.width >= 398, 'the wider drag decides the size');
    assert.match(await sizeText(e), /, 16:9$|, 1\.7\d:1$/);

    const handle = (await e.page.locator('tb-crop-layer .handle.e').boundingBox())!;
    await e.page.mouse.move(handle.x + handle.width / 2, handle.y + handle.height / 2);
    await e.page.mouse.down();
    await e.page.mouse.move(handle.x - 100, handle.y + 30, { steps: 4 });
    await e.page.mouse.up();
    r = (await shownRect(e))!;
    assert.ok(
      Math.abs(r.width / r.height - 16 / 9) < 0.02 && r.width < 320,
      `16:9 while resizing by an edge (${JSON.stringify(r)})`,
    );

    // A bucket: the rectangle is refitted to its aspect around its centre at once.
    await e.page.locator('tb-crop-bar vscode-single-select').click();
    await e.page.locator('tb-crop-bar vscode-single-select [role=option]', { hasText: '832 × 1216 bucket' }).click();
    await e.until(async () => {
      const s = await shownRect(e);
      return s !== null && Math.abs(s.width / s.height - 832 / 1216) < 0.02;
    }, 'the bucket aspect');
    await e.page.locator('tb-image-view .viewport').focus();
    await e.page.keyboard.press('Alt+Shift+ArrowDown');
    await e.page.keyboard.press('Alt+Shift+ArrowDown');
    await e.page.keyboard.press('Enter');
    await e.until(() => e.crops.length === 1, 'the crop');
    const sent = e.crops[0]!.rect!;
    assert.ok(
      Math.abs(sent.width / sent.height - 832 / 1216) < 0.02,
      `the crop sent keeps the bucket aspect (${JSON.stringify(sent)})`,
    );
  });

  it('shows an auto crop with Approve, which sends it as approved; Remove crop sends none', async function () {
    const rect = { left: 40, top: 30, width: 500, height: 400 };
    const e = await open({ state: 'auto', rect });
    const bar = e.page.locator('tb-crop-bar');
    assert.equal((await bar.locator('.state').textContent())?.trim(), 'Auto crop, not reviewed');
    assert.equal(await sizeText(e), '500 × 400 px, 5:4');
    assert.equal(await e.page.locator('tb-crop-layer').getAttribute('kind'), 'auto');
    assert.deepEqual(await shownRect(e), rect, 'the auto crop is drawn over the image');
    await bar.locator('vscode-button', { hasText: 'Approve' }).click();
    await e.until(() => e.crops.length === 1, 'approve');
    assert.deepEqual(e.crops[0], { state: 'approved', rect, label: 'Approve crop' });
    await e.until(
      async () => (await e.page.locator('tb-crop-layer').getAttribute('kind')) === 'approved',
      'shown as approved',
    );
    assert.equal(await bar.locator('vscode-button', { hasText: 'Approve' }).count(), 0, 'nothing left to approve');

    await bar.locator('vscode-button', { hasText: 'Remove crop' }).click();
    await e.until(() => e.crops.length === 2, 'remove');
    assert.deepEqual(e.crops[1], { state: 'none', rect: null, label: 'Remove crop' });
    await e.until(async () => (await e.page.locator('tb-crop-layer').count()) === 0, 'no overlay');
    assert.equal(await e.page.locator('tb-crop-bar').count(), 0, 'no crop bar without a crop');
  });

  it('setCrop updates the overlay, in and out of the crop tool; Escape leaves without sending', async function () {
    const e = await open();
    assert.equal(await e.page.locator('tb-crop-layer').count(), 0);
    e.setCrop({ state: 'manual', rect: { left: 10, top: 20, width: 300, height: 200 } });
    await e.until(async () => (await shownRect(e))?.width === 300, 'the overlay');
    assert.deepEqual(await shownRect(e), { left: 10, top: 20, width: 300, height: 200 });
    assert.equal(await sizeText(e), '300 × 200 px, 3:2');

    // Zoomed in, the overlay still covers the same image pixels.
    await e.page.keyboard.press('+');
    await e.page.keyboard.press('+');
    await e.until(async () => (await imageBox(e)).width > 900, 'zoomed in');
    assert.deepEqual(await shownRect(e), { left: 10, top: 20, width: 300, height: 200 });
    await e.page.keyboard.press('1');

    await e.page.keyboard.press('c');
    await e.page.keyboard.press('ArrowRight');
    e.setCrop({ state: 'auto', rect: { left: 0, top: 0, width: 320, height: 240 } });
    await e.until(async () => (await sizeText(e)).startsWith('320 × 240'), 'the draft follows setCrop');
    await e.page.keyboard.press('Escape');
    await e.page.locator('tb-crop-layer:not([editing])').waitFor();
    assert.equal(await e.page.locator('tb-crop-layer').getAttribute('kind'), 'auto');

    e.setCrop(null);
    await e.until(async () => (await e.page.locator('tb-crop-layer').count()) === 0, 'the overlay gone');
    await e.quiet();
    assert.deepEqual(e.crops, []);
  });

  it('C starts cropping with focus nowhere in particular, but types a c in the caption', async function () {
    const e = await open();
    await e.page.locator('tb-caption-panel textarea').focus();
    await e.page.keyboard.press('End');
    await e.page.keyboard.type('c');
    assert.equal(await e.page.locator('tb-crop-layer').count(), 0, 'no crop tool while typing');
    await e.page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await e.page.keyboard.press('c');
    await e.page.locator('tb-crop-layer[editing]').waitFor();
    await e.until(async () => (await e.focused()).className.includes('viewport'), 'focus on the image');
    await e.page.keyboard.press('c');
    await e.until(async () => (await e.page.locator('tb-crop-layer').count()) === 0, 'C again leaves');
    assert.deepEqual(e.crops, []);
  });
});
