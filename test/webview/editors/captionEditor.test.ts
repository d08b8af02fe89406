/** The caption editor webview in Chromium: chips and text box, edits sent to a test host. */
import assert from 'node:assert/strict';
import { EditorHarness } from './editorHarness.ts';
import type { EditorPage } from './editorHarness.ts';

const caption = '1girl, solo, kiyohime \\(fate\\), smile\n';

describe('caption editor webview', function () {
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

  async function open(
    text = caption,
    extra: { readOnly?: boolean; readOnlyReason?: string; focusCaption?: boolean } = {},
  ): Promise<EditorPage> {
    editor = await harness.open('caption', { caption: text, ...extra });
    await editor.until(
      async () => (await editor!.chips()).length === text.split(',').filter((p) => p.trim()).length,
      'chips',
    );
    return editor;
  }

  /** Tabs from the start of the page into the chip list, then moves right `index` times. */
  async function focusChip(e: EditorPage, index: number): Promise<void> {
    await e.page.keyboard.press('Tab');
    assert.equal((await e.focused()).className.includes('chip'), true, 'Tab enters the chip list');
    await e.page.keyboard.press('Home');
    for (let i = 0; i < index; i++) await e.page.keyboard.press('ArrowRight');
  }

  it('shows one chip per part, unescaped, and the caption without its final line break in the text box', async function () {
    const e = await open();
    assert.deepEqual(await e.chips(), ['1girl', 'solo', 'kiyohime (fate)', 'smile']);
    assert.equal(await e.text(), '1girl, solo, kiyohime \\(fate\\), smile');
    assert.deepEqual(e.log, ['ready']);
  });

  it('adds tags from the suggestions with the keyboard only (arrows + Enter, Tab), showing counts', async function () {
    const e = await open('1girl, solo, kiyohime \\(fate\\)\n');
    await e.page.keyboard.press('Tab'); // the chip list
    await e.page.keyboard.press('Tab'); // the add box
    assert.equal((await e.focused()).label, 'Add tag');
    await e.page.keyboard.type('s');
    const options = e.page.locator('tb-tag-combobox [role=option]');
    await options.first().waitFor();
    assert.deepEqual(await options.locator('.label').allTextContents(), [
      'solo',
      'smile',
      'short hair',
      'skirt',
      'simple background',
    ]);
    assert.deepEqual(await options.locator('.detail').allTextContents(), ['950', '640', '410', '380', '300']);
    const input = e.page.locator('tb-tag-combobox input');
    assert.equal(
      await input.getAttribute('aria-activedescendant'),
      'option-0',
      'the first suggestion is highlighted as the list opens',
    );
    await e.page.keyboard.press('ArrowDown');
    await e.page.keyboard.press('ArrowDown');
    await e.page.keyboard.press('ArrowDown');
    await e.page.keyboard.press('ArrowUp');
    assert.equal(await input.getAttribute('aria-activedescendant'), 'option-2');
    await e.page.keyboard.press('Enter');
    await e.edited(1);
    assert.deepEqual(e.edits[0], { caption: '1girl, solo, kiyohime \\(fate\\), short hair\n', label: 'Add tag' });
    assert.equal((await e.focused()).label, 'Add tag', 'focus stays in the add box');
    await e.page.keyboard.type('ski');
    await e.page.locator('tb-tag-combobox [role=option]').first().waitFor();
    await e.page.keyboard.press('Tab');
    await e.edited(2);
    assert.deepEqual(e.edits[1], {
      caption: '1girl, solo, kiyohime \\(fate\\), short hair, skirt\n',
      label: 'Add tag',
    });
    assert.deepEqual(await e.chips(), ['1girl', 'solo', 'kiyohime (fate)', 'short hair', 'skirt']);
    assert.equal(await e.text(), '1girl, solo, kiyohime \\(fate\\), short hair, skirt');
  });

  it("follows VS Code's suggest widget: Enter and Tab add the highlighted suggestion, Escape closes the list, then Enter adds what is typed", async function () {
    const e = await open('1girl\n');
    const input = e.page.locator('tb-tag-combobox input');
    const options = e.page.locator('tb-tag-combobox [role=option]');
    await input.focus();
    await e.page.keyboard.type('op');
    await options.first().waitFor();
    assert.equal(await input.getAttribute('aria-expanded'), 'true');
    assert.equal(await options.first().getAttribute('aria-selected'), 'true', 'the first suggestion is highlighted');
    await e.page.keyboard.press('Enter');
    await e.edited(1);
    assert.deepEqual(
      e.edits[0],
      { caption: '1girl, open mouth\n', label: 'Add tag' },
      'Enter adds the highlighted suggestion, not the typed "op"',
    );

    await e.page.keyboard.type('sk');
    await options.first().waitFor();
    await e.page.keyboard.press('Tab');
    await e.edited(2);
    assert.equal(e.edits[1]!.caption, '1girl, open mouth, skirt\n', 'Tab adds it too');
    assert.equal((await e.focused()).label, 'Add tag', 'focus stays in the add box');

    await e.page.keyboard.type('sho');
    await options.first().waitFor();
    await e.page.keyboard.press('Escape');
    assert.equal(await options.count(), 0, 'Escape closes the list');
    assert.equal(await input.inputValue(), 'sho', 'and keeps what is typed');
    await e.page.keyboard.press('Enter');
    await e.edited(3);
    assert.equal(
      e.edits[2]!.caption,
      '1girl, open mouth, skirt, sho\n',
      'with the list closed Enter adds what is typed',
    );

    await e.page.keyboard.type('s');
    await options.first().waitFor();
    await e.page.keyboard.press('Escape');
    await e.page.keyboard.press('ArrowDown');
    await options.first().waitFor();
    await e.page.keyboard.press('Escape');
    await e.page.keyboard.press('Control+Space');
    await options.first().waitFor();
    assert.equal(await options.count(), 5, 'ArrowDown and Ctrl+Space open the list again');
  });

  it('adds what is typed on "," or Enter, escaping parentheses like the caption does', async function () {
    const e = await open();
    await e.page.locator('tb-tag-combobox input').focus();
    await e.page.keyboard.type('blue eyes,');
    await e.edited(1);
    assert.deepEqual(e.edits[0], { caption: '1girl, solo, kiyohime \\(fate\\), smile, blue eyes\n', label: 'Add tag' });
    assert.equal(await e.page.locator('tb-tag-combobox input').inputValue(), '');
    await e.page.keyboard.type('saber (fate)');
    await e.page.keyboard.press('Escape'); // no suggestions open: Escape empties the box
    assert.equal(await e.page.locator('tb-tag-combobox input').inputValue(), '');
    await e.page.keyboard.type('saber (fate)');
    await e.page.keyboard.press('Enter');
    await e.edited(2);
    assert.equal(e.edits[1]!.caption, '1girl, solo, kiyohime \\(fate\\), smile, blue eyes, saber \\(fate\\)\n');
    assert.deepEqual((await e.chips()).slice(-1), ['saber (fate)']);
  });

  it('adding a tag that is already there changes nothing and highlights the existing chip', async function () {
    const e = await open();
    await e.page.locator('tb-tag-combobox input').focus();
    await e.page.keyboard.type('Kiyohime_(fate)');
    await e.page.keyboard.press('Enter');
    const chip = e.page.locator('tb-tag-chips [role=option]').nth(2);
    await e.until(async () => (await chip.getAttribute('class'))?.includes('highlight'), 'the highlight');
    assert.equal((await e.page.locator('tb-tag-chips .highlight').allTextContents()).length, 1);
    await e.quiet();
    assert.deepEqual(e.edits, []);
    assert.deepEqual(await e.chips(), ['1girl', 'solo', 'kiyohime (fate)', 'smile']);
  });

  it('removes a focused chip with Delete or Backspace and keeps focus in the list', async function () {
    const e = await open();
    await focusChip(e, 1);
    assert.equal((await e.focused()).text, 'solo');
    await e.page.keyboard.press('Delete');
    await e.edited(1);
    assert.deepEqual(e.edits[0], { caption: '1girl, kiyohime \\(fate\\), smile\n', label: 'Remove tag' });
    assert.equal((await e.focused()).text, 'kiyohime (fate)', 'Delete moves focus to the next chip');
    await e.page.keyboard.press('ArrowRight');
    await e.page.keyboard.press('Backspace');
    await e.edited(2);
    assert.deepEqual(e.edits[1], { caption: '1girl, kiyohime \\(fate\\)\n', label: 'Remove tag' });
    assert.equal((await e.focused()).text, 'kiyohime (fate)', 'Backspace moves focus to the previous chip');
    assert.equal(await e.text(), '1girl, kiyohime \\(fate\\)');
  });

  it('keeps a caption of several lines in its lines, with their own line endings, when a chip is removed', async function () {
    const text = 'alice, 1girl\r\nsolo, smile\nforest\n';
    editor = await harness.open('caption', { caption: text });
    const e = editor;
    await e.until(async () => (await e.chips()).length === 5, 'chips');
    assert.deepEqual(await e.chips(), ['alice', '1girl', 'solo', 'smile', 'forest']);
    await focusChip(e, 3);
    assert.equal((await e.focused()).text, 'smile');
    await e.page.keyboard.press('Delete');
    await e.edited(1);
    assert.deepEqual(e.edits[0], { caption: 'alice, 1girl\r\nsolo\nforest\n', label: 'Remove tag' });
  });

  it('is one Tab stop: Tab enters the chip list at the last focused chip and leaves it', async function () {
    const e = await open();
    await focusChip(e, 2);
    await e.page.keyboard.press('Tab');
    assert.equal((await e.focused()).label, 'Add tag');
    await e.page.keyboard.press('Shift+Tab');
    assert.equal((await e.focused()).text, 'kiyohime (fate)');
    assert.equal(await e.page.locator('tb-tag-chips [role=option][tabindex="0"]').count(), 1);
    await e.page.keyboard.press('End');
    assert.equal((await e.focused()).text, 'smile');
    await e.page.keyboard.press('ArrowRight');
    assert.equal((await e.focused()).text, 'smile', 'Right on the last chip stays');
    await e.page.keyboard.press('Tab');
    await e.page.keyboard.press('Backspace');
    assert.equal((await e.focused()).text, 'smile', 'Backspace in the empty add box goes back to the last chip');
    assert.deepEqual(e.edits, []);
  });

  it('moves a chip with Alt+Right and Alt+Left, keeping every part as written', async function () {
    const e = await open();
    await focusChip(e, 0);
    await e.page.keyboard.press('Alt+ArrowRight');
    await e.edited(1);
    assert.deepEqual(e.edits[0], { caption: 'solo, 1girl, kiyohime \\(fate\\), smile\n', label: 'Move tag' });
    assert.equal((await e.focused()).text, '1girl', 'focus follows the moved chip');
    await e.page.keyboard.press('Alt+ArrowRight');
    await e.edited(2);
    assert.equal(e.edits[1]!.caption, 'solo, kiyohime \\(fate\\), 1girl, smile\n');
    await e.page.keyboard.press('ArrowLeft');
    await e.page.keyboard.press('Alt+ArrowLeft');
    await e.edited(3);
    assert.equal(e.edits[2]!.caption, 'kiyohime \\(fate\\), solo, 1girl, smile\n');
  });

  it('reorders by drag and drop', async function () {
    const e = await open();
    const chips = e.page.locator('tb-tag-chips [role=option]');
    await chips.nth(3).dragTo(chips.nth(0), { targetPosition: { x: 3, y: 5 } });
    await e.edited(1);
    assert.deepEqual(e.edits[0], { caption: 'smile, 1girl, solo, kiyohime \\(fate\\)\n', label: 'Move tag' });
  });

  it('edits a chip in place: Enter commits, Escape cancels, F2 and double click start', async function () {
    const e = await open();
    await focusChip(e, 3);
    await e.page.keyboard.press('Enter');
    assert.equal((await e.focused()).label, 'Edit tag smile');
    await e.page.keyboard.type('grin');
    await e.page.keyboard.press('Enter');
    await e.edited(1);
    assert.deepEqual(e.edits[0], { caption: '1girl, solo, kiyohime \\(fate\\), grin\n', label: 'Edit tag' });
    assert.equal((await e.focused()).text, 'grin', 'focus returns to the chip');
    await e.page.keyboard.press('F2');
    await e.page.keyboard.type('nope');
    await e.page.keyboard.press('Escape');
    assert.equal((await e.focused()).text, 'grin');
    await e.page.locator('tb-tag-chips [role=option]').nth(2).dblclick();
    assert.equal((await e.focused()).label, 'Edit tag kiyohime (fate)');
    await e.page.keyboard.press('End');
    await e.page.keyboard.press('Backspace');
    await e.page.keyboard.type('/grand order)');
    await e.page.keyboard.press('Enter');
    await e.edited(2);
    assert.equal(
      e.edits[1]!.caption,
      '1girl, solo, kiyohime \\(fate/grand order\\), grin\n',
      'escaped like the part it replaces',
    );
    await e.quiet();
    assert.equal(e.edits.length, 2, 'Escape sent nothing');
  });

  it('keeps the text box and the chips in sync both ways; typing is one coalesced edit', async function () {
    const e = await open();
    const box = e.page.locator('tb-caption-panel textarea');
    await box.focus();
    await e.page.keyboard.press('End');
    await e.page.keyboard.type(', open mouth, blue eyes');
    assert.deepEqual(
      await e.chips(),
      ['1girl', 'solo', 'kiyohime (fate)', 'smile', 'open mouth', 'blue eyes'],
      'chips follow the text at once',
    );
    assert.deepEqual(e.edits, [], 'nothing sent while typing');
    await e.edited(1);
    await e.quiet();
    assert.deepEqual(e.edits, [
      { caption: '1girl, solo, kiyohime \\(fate\\), smile, open mouth, blue eyes\n', label: 'Edit caption' },
    ]);
    // Chips -> text.
    await e.page.locator('tb-tag-chips [role=option]').nth(1).locator('.remove').click();
    await e.edited(2);
    assert.equal(await e.text(), '1girl, kiyohime \\(fate\\), smile, open mouth, blue eyes');
    assert.deepEqual(e.edits[1], {
      caption: '1girl, kiyohime \\(fate\\), smile, open mouth, blue eyes\n',
      label: 'Remove tag',
    });
  });

  it('sends typing at once on Enter, on leaving the box, and before Ctrl+Z or Ctrl+S go to VS Code', async function () {
    const e = await open();
    const box = e.page.locator('tb-caption-panel textarea');
    await box.focus();
    await e.page.keyboard.press('End');
    await e.page.keyboard.type(', a');
    await e.page.keyboard.press('Enter');
    await e.until(() => e.edits.length === 1, 'the edit on Enter', 450);
    assert.equal(await e.text(), '1girl, solo, kiyohime \\(fate\\), smile, a', 'Enter adds no line break');
    await e.page.keyboard.type(', b');
    await e.page.keyboard.press('Control+z');
    await e.until(() => e.edits.length === 2, 'the edit before Ctrl+Z', 450);
    assert.equal(e.edits[1]!.caption, '1girl, solo, kiyohime \\(fate\\), smile, a, b\n');
    await e.page.keyboard.type(', c');
    await e.page.keyboard.press('Control+s');
    await e.until(() => e.edits.length === 3, 'the edit before Ctrl+S', 450);
    await e.page.keyboard.type(', d');
    await e.page.keyboard.press('Shift+Tab');
    await e.until(() => e.edits.length === 4, 'the edit on leaving the box', 450);
    assert.equal(e.edits[3]!.caption, '1girl, solo, kiyohime \\(fate\\), smile, a, b, c, d\n');
    assert.ok(e.edits.every((x) => x.label === 'Edit caption'));
  });

  it('shows setCaption without sending an edit, keeping the caret in the text box', async function () {
    const e = await open();
    const box = e.page.locator('tb-caption-panel textarea');
    await box.focus();
    await box.evaluate((el: HTMLTextAreaElement) => el.setSelectionRange(7, 7)); // after "1girl, "
    e.setCaption('1girl, solo, kiyohime \\(fate\\), smile, outdoors\n');
    await e.until(async () => (await e.chips()).includes('outdoors'), 'the new chip');
    assert.equal(await e.text(), '1girl, solo, kiyohime \\(fate\\), smile, outdoors');
    assert.equal(await box.evaluate((el: HTMLTextAreaElement) => el.selectionStart), 7);
    assert.equal((await e.focused()).tag, 'textarea');
    e.setCaption('solo\n');
    await e.until(async () => (await e.chips()).length === 1, 'undo to one tag');
    await e.quiet();
    assert.deepEqual(e.edits, []);
  });

  it('keeps a focused chip focused across setCaption', async function () {
    const e = await open();
    await focusChip(e, 3);
    e.setCaption('1girl, solo\n');
    await e.until(async () => (await e.chips()).length === 2, 'fewer chips');
    assert.equal((await e.focused()).text, 'solo', 'focus moves to the nearest chip');
    await e.quiet();
    assert.deepEqual(e.edits, []);
  });

  it('read-only: shows the reason and edits nothing', async function () {
    const e = await open(caption, { readOnly: true, readOnlyReason: 'The caption is not UTF-8 text.' });
    assert.match((await e.page.locator('tb-caption-panel .notice').textContent()) ?? '', /not UTF-8/);
    assert.equal(await e.page.locator('tb-tag-combobox').isVisible(), false, 'no add box');
    assert.equal(await e.page.locator('tb-tag-chips .remove').count(), 0, 'no remove buttons');
    await focusChip(e, 1);
    await e.page.keyboard.press('Delete');
    await e.page.keyboard.press('Alt+ArrowRight');
    await e.page.keyboard.press('Enter');
    const box = e.page.locator('tb-caption-panel textarea');
    assert.equal(await box.getAttribute('readonly'), '');
    await box.focus();
    await e.page.keyboard.type('xyz');
    await e.quiet();
    assert.deepEqual(e.edits, []);
    assert.deepEqual(await e.chips(), ['1girl', 'solo', 'kiyohime (fate)', 'smile']);
    assert.equal(await e.text(), '1girl, solo, kiyohime \\(fate\\), smile');
  });
});
