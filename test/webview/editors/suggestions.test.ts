/** The image editor's review of model suggestions in Chromium: chips, keyboard accept/reject, threshold, per model, held sentence. */
import assert from 'node:assert/strict';
import type { SidecarTag } from '../../../src/core/sidecar/sidecar.ts';
import { EditorHarness } from './editorHarness.ts';
import type { EditorPage, InitParams } from './editorHarness.ts';

const wd = 'model:tagger:wd-vit-tagger-v3';
const eva = 'model:tagger:wd-eva02-large-tagger-v3';
const suggested = (name: string, confidence: number, source = wd): SidecarTag => ({
  name,
  source,
  category: 'general',
  confidence,
  status: 'suggested',
});

/** A hand-written caption and the sidecar a review-mode run left. */
const caption = '1girl, solo, kiyohime \\(fate\\)\n';
const sidecarTags = (): SidecarTag[] => [
  { name: '1girl', source: 'user' },
  { name: 'solo', source: wd, confidence: 0.98, status: 'accepted' },
  { name: 'kiyohime (fate)', source: 'user' },
  suggested('smile', 0.71),
  suggested('long hair', 0.55),
  suggested('horns (ornament)', 0.42, eva),
  suggested('open mouth', 0.31, eva),
  { name: 'watermark', source: wd, confidence: 0.9, status: 'rejected' },
];
const sentence = { model: 'openai:gpt-4.1-mini', kind: 'caption', result: { caption: 'A girl with horns, smiling.' } };

describe('image editor: suggestions', function () {
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

  async function open(init: Partial<InitParams> = {}, annotations: unknown[] = []): Promise<EditorPage> {
    editor = await harness.open('image', { caption, ...init }, { sidecar: { tags: sidecarTags(), annotations } });
    await editor.page.locator('tb-suggestions [role=option]').first().waitFor();
    return editor;
  }

  async function chipsAre(e: EditorPage, expected: string[], what: string): Promise<void> {
    await e.until(
      async () => JSON.stringify(await e.suggestionChips()) === JSON.stringify(expected),
      `${what}: ${JSON.stringify(expected)}, got ${JSON.stringify(await e.suggestionChips())}`,
    );
  }

  it('lists pending suggestions with their confidence and model, and the review buttons', async function () {
    const e = await open();
    assert.deepEqual(await e.suggestionChips(), [
      'smile 71%',
      'long hair 55%',
      'horns (ornament) 42%',
      'open mouth 31%',
    ]);
    const first = e.page.locator('tb-suggestions [role=option]').first();
    assert.match((await first.getAttribute('title')) ?? '', /smile \(71%\)\nsuggested by tagger:wd-vit-tagger-v3/);
    assert.equal(await first.getAttribute('aria-label'), 'smile, 71%, from tagger:wd-vit-tagger-v3');
    assert.equal((await e.page.locator('tb-suggestions .heading .muted').textContent())?.trim(), '4 suggestions');
    assert.equal((await e.page.locator('tb-suggestions .accept-above').textContent())?.trim(), 'Accept all ≥ 0.5');
    assert.equal(await e.page.locator('tb-suggestions .threshold-input').inputValue(), '0.5');
    assert.deepEqual(
      (await e.page.locator('tb-suggestions .accept-model').allTextContents()).map((t) => t.trim()),
      ['Accept all from wd-vit-tagger-v3', 'Accept all from wd-eva02-large-tagger-v3'],
    );
    assert.equal(await e.page.locator('tb-suggestions .reject-rest').count(), 1);
    assert.equal(await e.page.locator('tb-suggestions .sentence').count(), 0, 'no held sentence');
    assert.deepEqual(e.reviews, []);
    assert.deepEqual(e.edits, []);
  });

  it('hides suggestions the caption already has, and the whole section when nothing is pending', async function () {
    const e = await open();
    e.setCaption('1girl, solo, kiyohime \\(fate\\), Smile, long_hair\n');
    await chipsAre(e, ['horns (ornament) 42%', 'open mouth 31%'], 'the rest');
    e.setSidecarTags(sidecarTags().map((t) => (t.status === 'suggested' ? { ...t, status: 'rejected' as const } : t)));
    await e.until(async () => (await e.page.locator('tb-suggestions .heading').count()) === 0, 'the section to go');
  });

  it('accepts with Enter and +, rejects with Delete and -, focus staying in the list', async function () {
    const e = await open();
    await e.page.locator('tb-suggestions [role=option]').first().focus();
    await e.page.keyboard.press('Enter');
    await chipsAre(e, ['long hair 55%', 'horns (ornament) 42%', 'open mouth 31%'], 'smile accepted');
    assert.deepEqual(e.reviews, [{ action: 'accept', keys: ['smile'] }]);
    assert.equal(e.documentCaption, '1girl, solo, kiyohime \\(fate\\), smile\n');
    await e.until(async () => (await e.text()) === '1girl, solo, kiyohime \\(fate\\), smile', 'the caption box');
    assert.ok((await e.chips()).includes('smile'), 'a tag chip for the accepted suggestion');
    assert.equal((await e.focused()).className, 'chip', 'focus on the next suggestion');
    assert.match((await e.focused()).text, /^long hair/);

    await e.page.keyboard.press('Delete');
    await chipsAre(e, ['horns (ornament) 42%', 'open mouth 31%'], 'long hair rejected');
    assert.deepEqual(e.reviews[1], { action: 'reject', keys: ['long hair'] });
    assert.equal(e.sidecarTags.find((t) => t.name === 'long hair')?.status, 'rejected');
    assert.equal(e.documentCaption, '1girl, solo, kiyohime \\(fate\\), smile\n', 'a rejection leaves the caption');

    await e.page.keyboard.press('ArrowRight');
    assert.match((await e.focused()).text, /^open mouth/);
    await e.page.keyboard.press('+');
    await chipsAre(e, ['horns (ornament) 42%'], 'open mouth accepted');
    await e.page.keyboard.press('-');
    await e.until(async () => (await e.page.locator('tb-suggestions [role=option]').count()) === 0, 'horns rejected');
    assert.equal(e.documentCaption, '1girl, solo, kiyohime \\(fate\\), smile, open mouth\n');
    await e.until(
      async () => (await e.focused()).tag === 'textarea',
      'focus in the caption once nothing is left to review',
    );
    assert.deepEqual(e.reviewLabels, [
      'Accept suggestion smile',
      'Reject suggestion long hair',
      'Accept suggestion open mouth',
      'Reject suggestion horns (ornament)',
    ]);
    assert.deepEqual(e.edits, [], 'no caption edits of its own: the host changes the caption');
  });

  it('accepts everything at or above the threshold, which can be changed', async function () {
    const e = await open();
    const input = e.page.locator('tb-suggestions .threshold-input');
    await input.fill('0.4');
    await input.press('Enter');
    await chipsAre(e, ['open mouth 31%'], 'the ones at or above 0.4 accepted');
    assert.deepEqual(e.reviews, [{ action: 'acceptAbove', threshold: 0.4 }]);
    assert.equal(e.documentCaption, '1girl, solo, kiyohime \\(fate\\), smile, long hair, horns \\(ornament\\)\n');
    assert.equal((await e.page.locator('tb-suggestions .accept-above').textContent())?.trim(), 'Accept all ≥ 0.4');
    assert.equal(
      await e.page.locator('tb-suggestions .accept-above').getAttribute('disabled'),
      '',
      'nothing left above it',
    );
  });

  it('accepts the default threshold with the button, one model with its button, and rejects the rest', async function () {
    const e = await open();
    await e.page.locator('tb-suggestions .accept-above').click();
    await chipsAre(e, ['horns (ornament) 42%', 'open mouth 31%'], 'at or above 0.5 accepted');
    assert.deepEqual(e.reviews, [{ action: 'acceptAbove', threshold: 0.5 }]);
    assert.deepEqual(
      (await e.page.locator('tb-suggestions .accept-model').allTextContents()).map((t) => t.trim()),
      ['Accept all from wd-eva02-large-tagger-v3'],
    );

    e.setSidecarTags(sidecarTags());
    e.setCaption(caption);
    await chipsAre(e, ['smile 71%', 'long hair 55%', 'horns (ornament) 42%', 'open mouth 31%'], 'as before (undo)');
    await e.page.locator('tb-suggestions .accept-model[data-model="tagger:wd-eva02-large-tagger-v3"]').click();
    await chipsAre(e, ['smile 71%', 'long hair 55%'], 'the eva02 suggestions accepted');
    assert.deepEqual(e.reviews[1], { action: 'acceptModel', model: 'tagger:wd-eva02-large-tagger-v3' });
    assert.equal(e.documentCaption, '1girl, solo, kiyohime \\(fate\\), horns \\(ornament\\), open mouth\n');

    await e.page.locator('tb-suggestions .reject-rest').click();
    await e.until(
      async () => (await e.page.locator('tb-suggestions [role=option]').count()) === 0,
      'the rest rejected',
    );
    assert.deepEqual(e.reviews[2], { action: 'rejectRest' });
    assert.deepEqual(
      e.sidecarTags.filter((t) => t.status === 'rejected').map((t) => t.name),
      ['smile', 'long hair', 'watermark'],
    );
    assert.equal(e.documentCaption, '1girl, solo, kiyohime \\(fate\\), horns \\(ornament\\), open mouth\n');
  });

  it('sends typing not yet sent before a review', async function () {
    const e = await open();
    const box = e.page.locator('tb-caption-panel textarea');
    await box.focus();
    await box.press('End');
    await box.pressSequentially(', red eyes');
    await e.page.locator('tb-suggestions [role=option]').first().click();
    await e.page.keyboard.press('Enter');
    await chipsAre(e, ['long hair 55%', 'horns (ornament) 42%', 'open mouth 31%'], 'smile accepted');
    assert.deepEqual(
      e.log.filter((l) => l.startsWith('edit:') || l.startsWith('review:')),
      ['edit:1girl, solo, kiyohime \\(fate\\), red eyes\n', 'review:accept'],
    );
    assert.equal(e.documentCaption, '1girl, solo, kiyohime \\(fate\\), red eyes, smile\n');
  });

  it('shows a held sentence and uses it', async function () {
    const e = await open({}, [sentence]);
    const held = e.page.locator('tb-suggestions .sentence');
    assert.match((await held.textContent()) ?? '', /Caption from openai:gpt-4\.1-mini\s+A girl with horns, smiling\./);
    await held.locator('.use-sentence').click();
    await e.until(async () => (await held.count()) === 0, 'the sentence taken');
    assert.deepEqual(e.reviews, [{ action: 'useSentence', model: 'openai:gpt-4.1-mini' }]);
    assert.equal(e.documentCaption, '1girl, solo, kiyohime \\(fate\\), A girl with horns, smiling.\n');
    assert.deepEqual(e.reviewLabels, ['Use model caption']);
  });

  it('shows suggestions of a read-only caption without review controls', async function () {
    const e = await open({ readOnly: true, readOnlyReason: 'Not UTF-8.' });
    assert.equal(await e.page.locator('tb-suggestions .chip button').count(), 0);
    await e.page.locator('tb-suggestions [role=option]').first().focus();
    await e.page.keyboard.press('Enter');
    await e.quiet();
    assert.deepEqual(e.reviews, []);
  });
});
