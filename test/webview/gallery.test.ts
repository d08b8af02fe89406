/**
 * The gallery webview in headless Chromium, under the real panel's content security policy, against
 * a test host answering from a real 1,000-image SQLite index.
 */
import assert from 'node:assert/strict';
import type { Database } from 'better-sqlite3';
import { ImageStore } from '../../src/core/index/imageStore.ts';
import type { GalleryPage as Page, GalleryItem } from '../../src/protocol/galleryProtocol.ts';
import { HandlerError } from '../../src/protocol/rpc.ts';
import { searchImages, tagStats } from '../../src/core/index/search.ts';
import { tagTerm } from '../../webview/gallery/queryText.ts';
import { removeTempDirs } from '../helpers/tempDir.ts';
import { GalleryBrowser } from './support/galleryPage.ts';
import type { GalleryPage } from './support/galleryPage.ts';
import { syntheticDatabase } from './support/syntheticDb.ts';

const COUNT = 1000;

describe('gallery webview', function () {
  this.timeout(30_000);
  let browser: GalleryBrowser;
  let db: Database;
  let gallery: GalleryPage | undefined;

  before(async () => {
    db = syntheticDatabase(COUNT);
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

  const open = async (options: Parameters<GalleryBrowser['open']>[1] = {}): Promise<GalleryPage> =>
    (gallery = await browser.open(db, options));
  const page = (query: string, offset = 0, limit = 200): Page => {
    const result = searchImages(db, query, { offset, limit });
    return { total: result.total, offset, items: result.items };
  };
  const first = (query: string): GalleryItem => page(query, 0, 1).items[0]!;
  const name = (item: GalleryItem): string => item.path.slice(item.path.lastIndexOf('/') + 1);
  const cellLabel = (index: number) =>
    gallery!.page.locator(`tb-virtual-grid #cell-${index}`).getAttribute('aria-label');
  const grid = () => gallery!.page.locator('tb-virtual-grid .scroller');

  it('renders the first results and the result count', async () => {
    const g = await open();
    await g.waitForThumbnails();
    assert.equal(await g.countText(), '1,000 images');
    assert.deepEqual(g.host.callsOf('search')[0]!.params, { query: '', offset: 0, limit: 200 });
    assert.equal(await cellLabel(0), name(first('')));
    const state = await g.gridState();
    assert.ok(state.cells > 0 && state.cells < 100, `${state.cells} cells in the DOM`);
    const src = await g.page.locator('tb-virtual-grid #cell-0 img').getAttribute('src');
    const sha = first('').sha256;
    assert.equal(src, `${browser.server.thumbBase}/${sha.slice(0, 2)}/${sha}-256.webp`);
  });

  it("shows each cell's file name and the start of its caption, truncated, with path, size and the whole caption on hover", async () => {
    const g = await open();
    await g.waitForThumbnails();
    const items = page('', 0, 200).items;
    const captioned = items.findIndex((it) => (it.caption ?? '').length > 80);
    const bare = items.findIndex((it) => !it.caption?.trim());
    assert.ok(captioned >= 0 && bare >= 0, 'the fixture has a long caption and an empty one among the first results');
    for (const index of [0, captioned, bare]) {
      const item = items[index]!;
      const cell = g.page.locator(`tb-virtual-grid #cell-${index}`);
      await cell.scrollIntoViewIfNeeded();
      await g.until(async () => (await cell.getAttribute('aria-busy')) === 'false', `cell ${index}`);
      assert.equal(await cell.locator('.name').textContent(), name(item));
      const caption = item.caption?.trim() ?? '';
      assert.equal(await cell.locator('.caption').textContent(), caption ? caption.slice(0, 160) : 'No caption');
      assert.equal(
        await cell.getAttribute('title'),
        `${item.path}\n${item.width} × ${item.height}\n\n${caption || 'No caption'}`,
      );
    }
    const text = await g.page.locator(`tb-virtual-grid #cell-${captioned} .caption`).evaluate((el) => {
      const style = getComputedStyle(el);
      return {
        fontSize: parseFloat(style.fontSize),
        lines: Math.round(el.getBoundingClientRect().height / parseFloat(style.lineHeight)),
        cut: el.scrollWidth > el.clientWidth,
        overflow: style.textOverflow,
      };
    });
    assert.deepEqual(
      text,
      { fontSize: 11, lines: 1, cut: true, overflow: 'ellipsis' },
      'one readable line, cut with an ellipsis',
    );
  });

  it('recycles row elements while scrolling: rows that stay keep their elements, rows that come in reuse those that left', async () => {
    const g = await open();
    await g.waitForThumbnails();
    /** The row elements (each tagged once with a number of its own), and the row each shows (0 for a spare one, hidden). */
    const elements = (): Promise<{ tag: number; row: number }[]> =>
      g.page.evaluate(() => {
        const root = document.querySelector('tb-gallery')!.shadowRoot!.querySelector('tb-virtual-grid')!.shadowRoot!;
        const counter = window as unknown as { tbRows?: number };
        return [...root.querySelectorAll<HTMLElement & { tbTag?: number }>('[role=row]')].map((row) => {
          row.tbTag ??= counter.tbRows = (counter.tbRows ?? 0) + 1;
          return { tag: row.tbTag, row: row.hidden ? 0 : Number(row.getAttribute('aria-rowindex')) };
        });
      });
    const rows = async (): Promise<{ tag: number; row: number }[]> => (await elements()).filter((r) => r.row > 0);
    /** Scrolls down by `count` rows (a row is a cell and the gap), and waits for the last row in the DOM to follow. */
    const scrollRows = async (count: number): Promise<void> => {
      const last = Math.max(...(await rows()).map((r) => r.row));
      await g.page.evaluate((n) => {
        const root = document.querySelector('tb-gallery')!.shadowRoot!.querySelector('tb-virtual-grid')!.shadowRoot!;
        const cell = root.querySelector<HTMLElement>('[role=gridcell]')!;
        root.querySelector<HTMLElement>('.scroller')!.scrollTop += n * (cell.offsetHeight + 4);
      }, count);
      await g.until(
        async () => Math.max(...(await rows()).map((r) => r.row)) >= last + count,
        `the rows to move by ${count}`,
      );
    };
    await scrollRows(6);
    const all = await elements();
    const before = await rows();
    await scrollRows(3);
    const after = await rows();
    assert.deepEqual(
      (await elements()).map((r) => r.tag),
      all.map((r) => r.tag),
      'the same row elements in the same order, none made anew',
    );
    for (const row of after) {
      const was = before.find((r) => r.row === row.row);
      if (was) assert.equal(row.tag, was.tag, `row ${row.row} stayed in its element`);
    }
    assert.ok(after.filter((r) => !before.some((b) => b.row === r.row)).length >= 3, 'three rows or more came in');
  });

  it("shows a malformed query's problem under the box with the offending span marked, and no results", async () => {
    const g = await open();
    await g.waitForThumbnails();
    const query = 'smile widht>3';
    await g.queryInput.fill(query);
    const problem = g.page.locator('tb-search-bar .problem');
    await problem.waitFor();
    const expected = (g.host.search(query, 0, 1) as { error: { message: string; position: number; length: number } })
      .error;
    assert.equal(await problem.locator('.message').textContent(), expected.message);
    assert.equal(
      await problem.locator('mark').textContent(),
      query.slice(expected.position, expected.position + expected.length),
    );
    assert.equal(await problem.locator('mark').textContent(), 'widht');
    assert.equal(await g.page.locator('tb-search-bar [role=alert]').count(), 1);
    assert.equal(await g.queryInput.getAttribute('aria-invalid'), 'true');
    await g.until(async () => (await g.gridState()).cells === 0, 'no results under the problem');
    assert.equal(await g.countText(), '0 images', 'the results of the last good query are gone');
    assert.equal(
      (await g.page.locator('tb-virtual-grid [slot=empty]').textContent())?.trim(),
      'Fix the query to see results.',
    );
    await g.queryInput.fill('smile width>3');
    await g.queryInput.press('Enter');
    await problem.waitFor({ state: 'detached' });
    await g.until(
      async () => (await g.countText()) === `${page('smile width>3').total.toLocaleString('en-US')} images`,
      'the new count',
    );
  });

  it("runs the query on Enter at once and after a typing pause (350 ms of the page's clock) otherwise", async () => {
    const g = await open();
    await g.waitForThumbnails();
    // The page's timers run on a clock the test moves: no wall-clock timing to flake on a busy machine.
    await g.page.clock.install();
    await g.page.clock.pauseAt(Date.now() + 1000);
    const searched = (query: string): number =>
      g.host.callsOf('search').filter((c) => {
        const params = c.params as { query: string; offset: number };
        return params.query === query && params.offset === 0;
      }).length;
    /** Lets the page's messages reach the host (each evaluate is a round trip after them). */
    const settle = async (): Promise<void> => {
      for (let i = 0; i < 3; i++)
        await g.page.evaluate(() => new Promise((resolve) => queueMicrotask(() => resolve(0))));
    };
    await g.queryInput.fill('solo');
    await g.page.clock.runFor(349);
    await settle();
    assert.equal(searched('solo'), 0, 'not before the pause');
    await g.page.clock.runFor(1);
    await g.until(() => searched('solo') > 0, 'the query after the pause');
    await g.queryInput.fill('smile');
    await g.queryInput.press('Enter');
    await g.until(() => searched('smile') > 0, 'the query on Enter, with the clock standing still');
    await g.until(
      () => g.host.viewStates.some((s) => s.query === 'smile'),
      'the host told the new query at once (the process and export questions offer it), with the clock standing still',
    );
    await g.page.clock.runFor(1000);
    await settle();
    assert.equal(searched('smile'), 1, 'Enter cancelled the run after the pause');
    await g.until(async () => (await cellLabel(0)) === name(first('smile')), 'the results of smile');
  });

  it('moves focus with the keyboard and selects with Space, Shift, Ctrl+A and Escape; Enter opens', async () => {
    const g = await open();
    await g.waitForThumbnails();
    await grid().focus();
    const { columns } = await g.gridState();
    const press = async (key: string): Promise<void> => grid().press(key);
    await press('ArrowRight');
    assert.equal((await g.gridState()).active, 'cell-1');
    await press('ArrowDown');
    assert.equal((await g.gridState()).active, `cell-${1 + columns}`);
    await press('ArrowLeft');
    await press('ArrowUp');
    assert.equal((await g.gridState()).active, 'cell-0');
    await press('Space');
    assert.deepEqual((await g.gridState()).selected, [0]);
    await press('Shift+ArrowRight');
    await press('Shift+ArrowRight');
    await g.until(async () => (await g.gridState()).selected.length === 3, 'a range of three');
    assert.deepEqual((await g.gridState()).selected, [0, 1, 2]);
    assert.equal(await g.countText(), '1,000 images, 3 selected');
    await press('Space');
    assert.deepEqual((await g.gridState()).selected, [0, 1]);
    await press('PageDown');
    assert.ok(Number((await g.gridState()).active!.slice(5)) > columns, 'PageDown moves a page of rows');
    await press('Escape');
    assert.deepEqual((await g.gridState()).selected, []);
    await press('Control+a');
    assert.equal(await g.countText(), '1,000 images, 1,000 selected');
    const state = await g.gridState();
    assert.equal(state.selected.length, state.cells, 'every cell in view is selected');
    await press('End');
    await g.until(async () => (await g.gridState()).active === `cell-${COUNT - 1}`, 'End');
    await g.until(
      async () => (await cellLabel(COUNT - 1)) === name(page('', COUNT - 1, 1).items[0]!),
      'the last result',
    );
    await press('Home');
    await press('Enter');
    await g.until(() => g.host.callsOf('openImage').length === 1, 'openImage');
    assert.deepEqual(g.host.callsOf('openImage')[0]!.params, { id: first('').id, query: '' });
    await g.page.locator('tb-virtual-grid #cell-2').dblclick();
    await g.until(() => g.host.callsOf('openImage').length === 2, 'openImage on double click');
    assert.deepEqual(g.host.callsOf('openImage')[1]!.params, { id: page('', 2, 1).items[0]!.id, query: '' });
  });

  it('selects a range across pages not loaded yet by fetching their ids', async () => {
    const g = await open();
    await g.waitForThumbnails();
    await g.page.locator('tb-virtual-grid #cell-1').click();
    assert.deepEqual((await g.gridState()).selected, [1]);
    const before = g.host.callsOf('search').length;
    await grid().press('Shift+End');
    await g.until(async () => (await g.countText()) === '1,000 images, 999 selected', 'the whole range');
    const fetched = g.host
      .callsOf('search')
      .slice(before)
      .map((c) => c.params as { offset: number; limit: number });
    assert.ok(
      fetched.some((p) => p.limit > 200),
      `a range fetch of ids: ${JSON.stringify(fetched)}`,
    );
    await g.page.locator(`tb-virtual-grid #cell-${COUNT - 2}`).click({ modifiers: ['Control'] });
    assert.equal(await g.countText(), '1,000 images, 998 selected');
    await g.page.locator('tb-batch-bar vscode-button', { hasText: 'Trash' }).click();
    await g.until(() => g.host.callsOf('previewBatch').length === 1, 'previewBatch');
    const { selection, action } = g.host.callsOf('previewBatch')[0]!.params as {
      selection: { kind: string; ids: number[] };
      action: unknown;
    };
    assert.equal(selection.kind, 'ids');
    const all = page('', 0, 1000).items.map((it) => it.id);
    assert.deepEqual(new Set(selection.ids), new Set(all.filter((_, i) => i !== 0 && i !== COUNT - 2)));
    assert.deepEqual(action, { kind: 'trash' });
    await g.page.keyboard.press('Escape');
  });

  it('leaves the confirmation of a move to the trash to the host, and reports its refusal', async () => {
    const g = await open();
    await g.waitForThumbnails();
    g.host.applyRefusal = new HandlerError('cancelled', 'Cancelled: nothing was moved to the trash.');
    await g.page.locator('tb-virtual-grid #cell-1').click();
    const trash = g.page.locator('tb-batch-bar vscode-button', { hasText: 'Trash' });
    await trash.click();
    await g.until(() => g.host.callsOf('applyBatch').length === 1, 'applyBatch');
    assert.deepEqual(g.host.callsOf('applyBatch')[0]!.params, { planId: 'plan-1' });
    assert.equal(await g.page.locator('tb-batch-preview dialog[open]').count(), 0, "no dialog of the webview's own");
    const status = g.page.locator('tb-batch-bar .status');
    await g.until(async () => (await status.textContent())?.includes('Cancelled: nothing was changed.'), 'the refusal');
    assert.ok(!(await status.getAttribute('class'))?.includes('error'), 'a refusal is not an error');
    g.host.applyRefusal = null;
    await trash.click();
    await g.until(() => g.host.callsOf('applyBatch').length === 2, 'the second applyBatch');
    await g.until(async () => (await status.textContent())?.includes('Added 1 tag to 3 captions'), 'the outcome');
  });

  it('sends Ctrl+A as a query selection, with later Ctrl+click removals as exceptions', async () => {
    const g = await open({ init: { query: 'smile' } });
    await g.waitForThumbnails();
    await grid().focus();
    await grid().press('Control+a');
    await g.page.locator('tb-virtual-grid #cell-1').click({ modifiers: ['Control'] });
    await g.page.locator('tb-batch-bar vscode-button', { hasText: 'Add tags' }).click();
    const input = g.page.locator('tb-tag-input input');
    await input.fill('new tag');
    await input.press('Enter');
    await input.press('Enter');
    await g.until(() => g.host.callsOf('previewBatch').length === 1, 'previewBatch');
    assert.deepEqual(g.host.callsOf('previewBatch')[0]!.params, {
      selection: { kind: 'query', query: 'smile', except: [page('smile', 1, 1).items[0]!.id] },
      action: { kind: 'addTags', tags: ['new tag'], position: 'end' },
    });
    await g.page.locator('tb-batch-preview dialog').waitFor();
    await g.page.keyboard.press('Escape');
  });

  it('adds and excludes tags from the tag panel', async () => {
    const g = await open();
    const tags = tagStats(db, '', { limit: 200 }).tags;
    const rows = g.page.locator('tb-tag-panel li button');
    await rows.first().waitFor();
    assert.equal(await rows.count(), tags.length);
    const spaced = tags.findIndex((t) => t.tag.includes(' '));
    await rows.nth(spaced).click();
    const term = tagTerm(tags[spaced]!.tag);
    assert.ok(term.includes('_'));
    await g.until(async () => (await g.queryInput.inputValue()) === term, 'the tag in the query');
    await g.until(
      async () => (await g.countText()) === `${page(term).total.toLocaleString('en-US')} images`,
      'its results',
    );
    await g.until(
      async () => (await rows.first().getAttribute('aria-label'))?.startsWith(tags[spaced]!.tag),
      'the panel for the new results',
    );
    await rows.nth(1).click({ modifiers: ['Alt'] });
    const excluded = tagTerm(tagStats(db, term, { limit: 200 }).tags[1]!.tag);
    const query = `${term} -${excluded}`;
    await g.until(async () => (await g.queryInput.inputValue()) === query, 'the exclusion in the query');
    await g.until(
      async () => (await g.countText()) === `${page(query).total.toLocaleString('en-US')} images`,
      'its results',
    );
    await rows.first().focus();
    await rows.first().press('ArrowDown');
    await g.page.keyboard.press('Alt+Enter');
    await g.until(async () => (await g.queryInput.inputValue()).split(' ').length === 3, 'a keyboard exclusion');
  });

  it('rewrites the sort term from the sort controls', async () => {
    const g = await open({ init: { query: 'smile' } });
    await g.waitForThumbnails();
    await g.page.locator('tb-search-bar vscode-single-select').click();
    await g.page.locator('tb-search-bar vscode-single-select [role=option]', { hasText: 'Width' }).click();
    await g.until(async () => (await g.queryInput.inputValue()) === 'smile sort:width', 'sort:width');
    await g.until(async () => (await cellLabel(0)) === name(first('smile sort:width')), 'sorted results');
    await g.page.locator('tb-search-bar vscode-button[aria-label="Reverse order"]').click();
    await g.until(async () => (await g.queryInput.inputValue()) === 'smile sort:-width', 'sort:-width');
    await g.until(async () => (await cellLabel(0)) === name(first('smile sort:-width')), 'reversed results');
  });

  it('adds tags in a batch: completion, preview dialog (Escape cancels, focus stays inside), apply, undo, redo', async () => {
    const g = await open();
    await g.waitForThumbnails();
    await g.page.locator('tb-virtual-grid #cell-0').click();
    await g.page.locator('tb-virtual-grid #cell-2').click({ modifiers: ['Shift'] });
    assert.equal(await g.countText(), '1,000 images, 3 selected');
    const ids = page('', 0, 3).items.map((it) => it.id);
    await g.page.locator('tb-batch-bar vscode-button', { hasText: 'Add tags' }).click();
    const input = g.page.locator('tb-tag-input input');
    await input.pressSequentially('smi');
    const option = g.page.locator('tb-tag-input [role=option]').first();
    await option.waitFor();
    assert.equal(await input.getAttribute('aria-expanded'), 'true');
    assert.equal(await input.getAttribute('aria-activedescendant'), 'option-0', 'the first suggestion is highlighted');
    const suggested = (await option.locator('.label').textContent())!;
    assert.ok(suggested.startsWith('smi'));
    await input.press('Enter');
    await input.fill('ohwx style');
    await input.press('Enter');
    assert.deepEqual(
      await g.page
        .locator('tb-tag-input .chip')
        .allInnerTexts()
        .then((t) => t.map((s) => s.replace(/\u00d7$/, '').trim())),
      [suggested, 'ohwx style'],
    );
    const submit = g.page.locator('tb-batch-bar vscode-button', { hasText: 'Preview and apply' });
    await submit.click();
    const dialog = g.page.locator('tb-batch-preview dialog');
    await dialog.waitFor();
    assert.deepEqual(g.host.callsOf('previewBatch')[0]!.params, {
      selection: { kind: 'ids', ids },
      action: { kind: 'addTags', tags: [suggested, 'ohwx style'], position: 'end' },
    });
    assert.equal(await dialog.locator('#summary').textContent(), '3 of 3 files change.');
    assert.equal(await dialog.locator('.changes li').count(), 3);
    for (let i = 0; i < 6; i++) {
      await g.page.keyboard.press('Tab');
      const inside = await g.page.evaluate(() => {
        const shadow = document
          .querySelector('tb-gallery')!
          .shadowRoot!.querySelector('tb-batch-bar')!
          .shadowRoot!.querySelector('tb-batch-preview')!.shadowRoot!;
        const active = shadow.activeElement;
        return active !== null && shadow.querySelector('dialog')!.contains(active);
      });
      assert.ok(inside, 'focus stays in the dialog');
    }
    await g.page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    await g.until(
      async () => (await g.page.locator('tb-batch-bar .status').textContent())?.includes('Cancelled'),
      'cancelled',
    );
    assert.equal(g.host.callsOf('applyBatch').length, 0);
    await submit.click();
    await dialog.waitFor();
    await dialog.locator('vscode-button#apply').click();
    await g.until(() => g.host.callsOf('applyBatch').length === 1, 'applyBatch');
    assert.deepEqual(g.host.callsOf('applyBatch')[0]!.params, { planId: 'plan-2' });
    const status = g.page.locator('tb-batch-bar .status');
    await g.until(async () => (await status.textContent())?.includes('Added 1 tag to 3 captions'), 'the outcome');
    assert.match((await status.locator('summary').textContent())!, /1 conflict/);
    await status.locator('vscode-button', { hasText: 'Undo' }).click();
    await g.until(() => g.host.callsOf('undoBatch').length === 1, 'undoBatch');
    await g.until(async () => (await status.textContent())?.includes('Undid'), 'the undo outcome');
    assert.equal(
      await status.locator('vscode-button', { hasText: 'Undo' }).count(),
      0,
      'an undone batch offers no Undo',
    );
    await status.locator('vscode-button', { hasText: 'Redo' }).click();
    await g.until(() => g.host.callsOf('redoBatch').length === 1, 'redoBatch');
    await g.until(async () => (await status.textContent())?.includes('Redid'), 'the redo outcome');
    assert.equal(
      await status.locator('vscode-button', { hasText: 'Redo' }).count(),
      0,
      'a redone batch offers no Redo',
    );
    assert.equal(await status.locator('vscode-button', { hasText: 'Undo' }).count(), 1, 'and can be undone again');
  });

  it('applies without a dialog when the host does not ask for confirmation, and creates projects', async () => {
    const g = await open();
    g.host.needsConfirmation = false;
    await g.waitForThumbnails();
    await g.page.locator('tb-virtual-grid #cell-4').click();
    await g.page.locator('tb-batch-bar vscode-button', { hasText: 'Set prefix' }).click();
    await g.page.locator('tb-batch-bar #prefix input').fill('ohwx woman');
    await g.page.locator('tb-batch-bar #prefix input').press('Enter');
    await g.until(() => g.host.callsOf('applyBatch').length === 1, 'applyBatch');
    assert.deepEqual(g.host.callsOf('previewBatch')[0]!.params, {
      selection: { kind: 'ids', ids: [page('', 4, 1).items[0]!.id] },
      action: { kind: 'setPrefix', prefix: 'ohwx woman' },
    });
    await g.page.locator('tb-batch-bar vscode-button', { hasText: 'New project' }).click();
    await g.page.locator('tb-batch-bar #name input').fill('alice v2');
    await g.page.locator('tb-batch-bar #name input').press('Enter');
    await g.until(() => g.host.callsOf('createProject').length === 1, 'createProject');
    await g.until(
      async () =>
        (await g.page.locator('tb-batch-bar .status').textContent())?.includes(
          'Created project "alice v2" with 1 image',
        ),
      'the project status',
    );
  });

  it("shows the focused image's details", async () => {
    const g = await open();
    await g.waitForThumbnails();
    await grid().focus();
    await grid().press('ArrowRight');
    await grid().press('ArrowRight');
    const item = page('', 2, 1).items[0]!;
    const panel = g.page.locator('tb-details-panel');
    await g.until(
      async () => (await panel.locator('.path').textContent()) === item.path,
      'the details of the focused image',
    );
    assert.equal(await panel.locator('.chips button').count(), item.tags.length);
    assert.equal(
      await panel.locator('img.preview').getAttribute('src'),
      `${browser.server.origin}/images/${item.id}.webp`,
    );
    assert.match((await panel.locator('dl').textContent())!, new RegExp(`${item.width} x ${item.height} px`));
  });

  it('restores query, selection and scroll position from init, and reports its view state', async () => {
    const results = page('1girl', 0, 40).items;
    const selected = [results[5]!.id, results[30]!.id];
    const g = await open({ init: { query: '1girl', selected, scrollTop: 300 } });
    await g.waitForThumbnails();
    assert.equal(await g.queryInput.inputValue(), '1girl');
    await g.until(async () => (await g.gridState()).scrollTop === 300, 'the restored scroll position');
    assert.equal(await g.countText(), `${page('1girl').total.toLocaleString('en-US')} images, 2 selected`);
    assert.ok((await g.gridState()).selected.includes(5) || (await g.gridState()).selected.includes(30));
    await g.page.evaluate(() => {
      const scroller = document
        .querySelector('tb-gallery')!
        .shadowRoot!.querySelector('tb-virtual-grid')!
        .shadowRoot!.querySelector('.scroller')!;
      scroller.scrollTop = 700;
    });
    await g.until(() => g.host.viewStates.some((s) => s.scrollTop === 700), 'a viewState with the new position');
    const last = g.host.viewStates.at(-1)!;
    assert.deepEqual(
      { ...last, selected: [...last.selected].sort() },
      { query: '1girl', selected: [...selected].sort(), scrollTop: 700 },
    );
    await grid().press('Control+a');
    await g.until(
      () => (g.savedState as { selection?: { kind: string } } | undefined)?.selection?.kind === 'query',
      'the saved select-all',
    );
    const saved = g.savedState;
    await g.close();
    gallery = undefined;
    // Shown again: VS Code gives the saved state back, and the host its last viewState.
    const again = await open({ init: { query: '1girl', selected: [], scrollTop: 700 }, savedState: saved });
    await again.waitForThumbnails();
    const total = page('1girl').total.toLocaleString('en-US');
    await again.until(
      async () => (await again.countText()) === `${total} images, ${total} selected`,
      'the restored select-all',
    );
    await again.until(async () => (await again.gridState()).scrollTop === 700, 'the restored scroll position');
  });

  it('re-runs the query when the index changes, keeping the scroll position and the ids still there', async () => {
    const g = await open();
    await g.waitForThumbnails();
    await g.page.locator('tb-virtual-grid #cell-0').click();
    await g.page.locator('tb-virtual-grid #cell-1').click({ modifiers: ['Control'] });
    await g.page.evaluate(() => {
      document
        .querySelector('tb-gallery')!
        .shadowRoot!.querySelector('tb-virtual-grid')!
        .shadowRoot!.querySelector('.scroller')!.scrollTop = 120;
    });
    await g.until(async () => (await g.gridState()).scrollTop === 120, 'scrolled');
    const gone = first('');
    new ImageStore(db).delete(gone.id);
    const before = g.host.callsOf('search').length;
    g.notify('indexChanged', { images: COUNT - 1 });
    await g.until(
      async () => (await g.countText()) === '999 images, 1 selected',
      'the new count, without the deleted image',
    );
    assert.ok(g.host.callsOf('search').length > before);
    assert.equal((await g.gridState()).scrollTop, 120);
    assert.equal(await cellLabel(0), name(first('')));
  });

  it('runs a query the host sets', async () => {
    const g = await open();
    await g.waitForThumbnails();
    g.notify('setQuery', { query: 'solo -smile' });
    await g.until(async () => (await g.queryInput.inputValue()) === 'solo -smile', 'the query in the box');
    await g.until(
      async () => (await g.countText()) === `${page('solo -smile').total.toLocaleString('en-US')} images`,
      'its count',
    );
  });

  it('asks the host to make a missing thumbnail once, then shows it', async () => {
    const item = first('');
    browser.server.missingThumbs.add(`${item.sha256}-256.webp`);
    const g = await open({ allowResourceErrors: true });
    await g.page.waitForFunction(() => {
      const img = document
        .querySelector('tb-gallery')!
        .shadowRoot!.querySelector('tb-virtual-grid')!
        .shadowRoot!.querySelector<HTMLImageElement>('#cell-0 img');
      return img !== null && img.src.endsWith('?retry=1') && img.complete && img.naturalWidth > 0;
    });
    assert.deepEqual(
      g.host.callsOf('ensureThumbnail').map((c) => c.params),
      [{ id: item.id }],
    );
  });

  it('resizes the cells from the size control, keeping the first visible image in view', async () => {
    const g = await open();
    await g.waitForThumbnails();
    const before = await g.gridState();
    await g.page.evaluate(() => {
      const scroller = document
        .querySelector('tb-gallery')!
        .shadowRoot!.querySelector('tb-virtual-grid')!
        .shadowRoot!.querySelector('.scroller')!;
      scroller.scrollTop = 1800;
    });
    await g.until(async () => (await g.gridState()).scrollTop === 1800, 'scrolled');
    const anchor = (await g.until(async () => {
      const index = await firstVisible();
      return Number.isFinite(index) && index > 0 ? index : null;
    }, 'the rows at the new position')) as number;
    const slider = g.page.locator('tb-search-bar input[type=range]');
    assert.equal(await slider.getAttribute('aria-valuetext'), '160 pixels');
    await slider.focus();
    for (let i = 0; i < 8; i++) await slider.press('ArrowLeft');
    await g.until(async () => (await g.gridState()).columns > before.columns, 'more columns');
    await g.until(
      async () => Math.abs((await firstVisible()) - anchor) < (await g.gridState()).columns,
      'the same images in view',
    );
    await g.until(() => (g.savedState as { cellSize?: number } | undefined)?.cellSize === 96, 'the size saved');

    async function firstVisible(): Promise<number> {
      return g.page.evaluate(() => {
        const root = document.querySelector('tb-gallery')!.shadowRoot!.querySelector('tb-virtual-grid')!.shadowRoot!;
        const top = root.querySelector('.scroller')!.getBoundingClientRect().top;
        const visible = [...root.querySelectorAll<HTMLElement>('[role=gridcell]')].filter(
          (c) => c.getBoundingClientRect().top >= top - 1,
        );
        return Math.min(...visible.map((c) => Number(c.dataset.index)));
      });
    }
  });

  it('fits a narrow panel: side panels start closed, open below the grid and collapse', async () => {
    const g = await open({ width: 420, height: 700 });
    await g.waitForThumbnails();
    assert.equal(await g.page.locator('tb-gallery aside').count(), 0);
    await g.page.locator('tb-search-bar vscode-button[aria-label="Tag frequencies panel"]').click();
    const aside = g.page.locator('tb-gallery aside');
    await aside.waitFor();
    const gridBox = (await g.page.locator('tb-virtual-grid').boundingBox())!;
    const asideBox = (await aside.boundingBox())!;
    assert.ok(asideBox.y >= gridBox.y + gridBox.height - 1, 'the panel is below the grid');
    assert.ok(asideBox.width > 400, 'and as wide as the panel');
    const header = aside.locator('.section-header', { hasText: 'Tags in results' });
    assert.equal(await header.getAttribute('aria-expanded'), 'true');
    await header.click();
    assert.equal(
      await g.page.locator('tb-gallery aside').count(),
      0,
      'collapsing the last open panel hides the column',
    );
    const { columns } = await g.gridState();
    assert.ok(columns >= 2, `${columns} columns`);
  });
});
