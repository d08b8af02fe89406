/** The editors' add box with a tag database: a match through an alias reads `alias → tag`, and picking it adds the tag. */
import assert from 'node:assert/strict';
import { EditorHarness } from './editorHarness.ts';
import type { EditorPage } from './editorHarness.ts';

describe('caption editor webview: tag aliases in the add box', function () {
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

  it("shows alias → tag with the dataset count (or the database's posts), and adds the target tag", async function () {
    const e = (editor = await harness.open('caption', { caption: '1girl, solo\n' }));
    await e.until(async () => (await e.chips()).length === 2, 'chips');
    const input = e.page.locator('tb-tag-combobox input');
    const options = e.page.locator('tb-tag-combobox [role=option]');
    await input.focus();
    await e.page.keyboard.type('be');
    await options.first().waitFor();
    assert.deepEqual(await options.locator('.label').allTextContents(), ['beaming → smile', 'bespectacled → glasses']);
    assert.deepEqual(
      await options.locator('.detail').allTextContents(),
      ['640', '410,000 posts'],
      'a tag no caption has shows its posts',
    );
    assert.deepEqual(await options.evaluateAll((els) => els.map((el) => el.getAttribute('aria-label'))), [
      'beaming, alias of smile, 640 captions',
      'bespectacled, alias of glasses, 410,000 posts',
    ]);

    await e.page.keyboard.press('Enter');
    await e.edited(1);
    assert.deepEqual(
      e.edits[0],
      { caption: '1girl, solo, smile\n', label: 'Add tag' },
      "the alias's target is added, not the alias",
    );

    await e.page.keyboard.type('bes');
    await options.first().waitFor();
    await e.page.keyboard.press('Tab');
    await e.edited(2);
    assert.deepEqual(e.edits[1], { caption: '1girl, solo, smile, glasses\n', label: 'Add tag' });
    assert.deepEqual(await e.chips(), ['1girl', 'solo', 'smile', 'glasses']);

    await e.page.keyboard.type('beam');
    await options.first().waitFor();
    assert.equal(await options.first().getAttribute('class'), 'present', 'an alias of a tag already there is marked');
    assert.equal(
      await options.first().getAttribute('aria-label'),
      'beaming, alias of smile, 640 captions, already added',
    );
  });
});
