/**
 * The gallery's batch review of model suggestions in headless Chromium: the form (decision, model,
 * confidence that reads "at or above" to accept and "below" to reject), its validation, the exact
 * action sent, the preview of accepted and rejected suggestions, apply and undo.
 */
import assert from 'node:assert/strict';
import type { Database } from 'better-sqlite3';
import { galleryRequestChecks } from '../../src/protocol/galleryProtocol.ts';
import { searchImages } from '../../src/core/index/search.ts';
import { removeTempDirs } from '../helpers/tempDir.ts';
import { GalleryBrowser } from './support/galleryPage.ts';
import type { GalleryPage } from './support/galleryPage.ts';
import { syntheticDatabase } from './support/syntheticDb.ts';

describe('gallery webview: reviewing suggestions in a batch', function () {
  this.timeout(30_000);
  let browser: GalleryBrowser;
  let db: Database;
  let gallery: GalleryPage | undefined;

  before(async () => {
    db = syntheticDatabase(200);
    browser = await GalleryBrowser.launch();
  });

  after(async () => {
    await browser?.close();
    db?.close();
    removeTempDirs();
  });

  afterEach(async () => {
    if (!gallery) return;
    const { errors, host } = gallery;
    await gallery.close();
    gallery = undefined;
    assert.deepEqual(errors, [], 'no CSP violations, page errors or console errors');
    assert.deepEqual(host.problems, [], 'every message passes the protocol checks');
  });

  /** Opens the gallery with the first three images selected and the review form open. */
  const openReview = async (): Promise<{ g: GalleryPage; ids: number[] }> => {
    const g = (gallery = await browser.open(db));
    await g.waitForThumbnails();
    await g.page.locator('tb-virtual-grid #cell-0').click();
    await g.page.locator('tb-virtual-grid #cell-2').click({ modifiers: ['Shift'] });
    await g.page.locator('tb-batch-bar vscode-button', { hasText: 'Review suggestions' }).click();
    await g.page.locator('tb-batch-bar form[aria-label="Review suggestions"]').waitFor();
    return { g, ids: searchImages(db, '', { limit: 3 }).items.map((it) => it.id) };
  };
  const bar = (g: GalleryPage) => g.page.locator('tb-batch-bar');
  const actionsSent = (g: GalleryPage): unknown[] =>
    g.host.callsOf('previewBatch').map((c) => (c.params as { action: unknown }).action);

  it('accepts at or above a confidence of one model: validation, the action sent, the preview of accepted and rejected tags', async () => {
    const { g, ids } = await openReview();
    const confidence = bar(g).locator('#confidence input');
    const problem = bar(g).locator('form [role=alert]');
    assert.equal(await bar(g).locator('.threshold span').first().textContent(), 'Confidence at or above');
    assert.equal(
      await g.page.evaluate(
        () =>
          document.querySelector('tb-gallery')!.shadowRoot!.querySelector('tb-batch-bar')!.shadowRoot!.activeElement
            ?.id,
      ),
      'decision',
      'the decision has focus',
    );

    for (const typed of ['1.5', 'abc', '-0.1', '0x1']) {
      await confidence.fill(typed);
      await confidence.press('Enter');
      assert.equal(
        await problem.textContent(),
        'The confidence must be a number from 0 to 1 (e.g. 0.5), or empty for any.',
        typed,
      );
    }
    assert.equal(g.host.callsOf('previewBatch').length, 0, 'nothing is sent while the confidence is invalid');

    g.host.previewChanges = [
      {
        path: '10_alice/a.png',
        before: '1girl, solo',
        after: '1girl, solo, red scarf, smile',
        accepted: ['red scarf', 'smile'],
      },
      { path: '10_alice/b.png', before: '1girl', after: '1girl', rejected: ['blurry'] },
    ];
    await bar(g).locator('#model input').fill('model:tagger:wd-vit-tagger-v3');
    await confidence.fill(' 0.5 ');
    await confidence.press('Enter');
    const dialog = g.page.locator('tb-batch-preview dialog');
    await dialog.waitFor();
    assert.equal(await problem.count(), 0, 'the problem is gone');
    assert.deepEqual(g.host.callsOf('previewBatch')[0]!.params, {
      selection: { kind: 'ids', ids },
      action: { kind: 'reviewSuggestions', decision: 'accept', model: 'tagger:wd-vit-tagger-v3', minConfidence: 0.5 },
    });
    assert.equal(
      await dialog.locator('#title').textContent(),
      'Accept suggestions of tagger:wd-vit-tagger-v3 at or above 0.5',
    );
    const changes = dialog.locator('.changes > li');
    assert.equal(await changes.count(), 2);
    assert.deepEqual(await changes.nth(0).locator('.reviewed li').allTextContents(), [
      '+ Accepted: red scarf',
      '+ Accepted: smile',
    ]);
    assert.equal(
      await changes.nth(0).locator('.after').textContent(),
      'After: 1girl, solo, red scarf, smile',
      'an accept shows the new caption',
    );
    assert.deepEqual(await changes.nth(1).locator('.reviewed li').allTextContents(), ['✕ Rejected: blurry']);
    assert.equal(
      await changes.nth(1).locator('.before, .after').count(),
      0,
      'an unchanged caption is not shown as a change',
    );

    await dialog.locator('vscode-button#apply').click();
    await g.until(() => g.host.callsOf('applyBatch').length === 1, 'applyBatch');
    const status = bar(g).locator('.status');
    await g.until(async () => (await status.textContent())?.includes('Added 1 tag to 3 captions'), 'the outcome');
    assert.equal(await bar(g).locator('form').count(), 0, 'the form closes once applied');
    await status.locator('vscode-button', { hasText: 'Undo' }).click();
    await g.until(() => g.host.callsOf('undoBatch').length === 1, 'undoBatch');
    await g.until(async () => (await status.textContent())?.includes('Undid'), 'the undo outcome');
  });

  it('rejects below a confidence (the field follows the decision), any model; empty confidence means any; Escape closes', async () => {
    const { g, ids } = await openReview();
    g.host.needsConfirmation = false;
    await bar(g).locator('#decision').click();
    await bar(g).locator('#decision li', { hasText: 'Reject' }).click();
    await g.until(
      async () => (await bar(g).locator('.threshold span').first().textContent()) === 'Confidence below',
      'the "below" label',
    );
    assert.equal(
      await bar(g).locator('#confidence').getAttribute('label'),
      'Confidence below, from 0 to 1 (empty: any)',
    );
    const confidence = bar(g).locator('#confidence input');
    await confidence.fill('.3');
    await confidence.press('Enter');
    await g.until(() => g.host.callsOf('applyBatch').length === 1, 'applyBatch');
    assert.deepEqual(g.host.callsOf('previewBatch')[0]!.params, {
      selection: { kind: 'ids', ids },
      action: { kind: 'reviewSuggestions', decision: 'reject', belowConfidence: 0.3 },
    });

    await bar(g).locator('vscode-button', { hasText: 'Review suggestions' }).click();
    await bar(g).locator('#model input').press('Enter');
    await g.until(() => g.host.callsOf('applyBatch').length === 2, 'the second applyBatch');
    assert.deepEqual(
      actionsSent(g)[1],
      { kind: 'reviewSuggestions', decision: 'accept' },
      'the form opens on Accept again; no filter means every pending suggestion',
    );

    await bar(g).locator('vscode-button', { hasText: 'Review suggestions' }).click();
    await bar(g).locator('#model input').press('Escape');
    await g.until(async () => (await bar(g).locator('form').count()) === 0, 'the form to close');
    assert.equal(g.host.callsOf('previewBatch').length, 2);
  });

  it('the host refuses malformed review actions', () => {
    const selection = { kind: 'ids', ids: [1] };
    const check = (action: unknown) => galleryRequestChecks.previewBatch({ selection, action });
    assert.equal(
      check({
        kind: 'reviewSuggestions',
        decision: 'accept',
        model: 'tagger:wd',
        minConfidence: 0,
        belowConfidence: 1,
        underscores: 'keep',
      }),
      undefined,
    );
    assert.ok(check({ kind: 'reviewSuggestions', decision: 'maybe' }));
    assert.ok(check({ kind: 'reviewSuggestions', decision: 'accept', minConfidence: 1.5 }));
    assert.ok(check({ kind: 'reviewSuggestions', decision: 'reject', belowConfidence: Number.NaN }));
    assert.ok(check({ kind: 'reviewSuggestions', decision: 'reject', model: 'x'.repeat(201) }));
    assert.ok(check({ kind: 'reviewSuggestions', decision: 'reject', underscores: 'drop' }));
    assert.ok(check({ kind: 'reviewSuggestions', decision: 'reject', extra: true }));
  });
});
