/**
 * The gallery's query box in headless Chromium against a real 1,000-image index: completion as VS
 * Code's suggest widget does it (tags with counts, field names and values, `-`, `OR`), queries as
 * users type them (a tag with spaces, `AND`), and the closest tags for a term no image has.
 */
import assert from 'node:assert/strict';
import type { Database } from 'better-sqlite3';
import { searchImages, tagStats } from '../../src/core/index/search.ts';
import { removeTempDirs } from '../helpers/tempDir.ts';
import { GalleryBrowser } from './support/galleryPage.ts';
import type { GalleryPage } from './support/galleryPage.ts';
import { syntheticDatabase } from './support/syntheticDb.ts';

describe('gallery query box', function () {
  this.timeout(30_000);
  let browser: GalleryBrowser;
  let db: Database;
  let gallery: GalleryPage | undefined;

  before(async () => {
    db = syntheticDatabase(1000);
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

  const open = async (): Promise<GalleryPage> => {
    gallery = await browser.open(db);
    await gallery.waitForThumbnails();
    return gallery;
  };
  const total = (query: string): number => searchImages(db, query, { limit: 0 }).total;
  const countOf = (query: string): string => `${total(query).toLocaleString('en-US')} images`;
  const options = (g: GalleryPage) => g.page.locator('tb-search-bar ul.suggestions [role=option]');
  const searchedFor = (g: GalleryPage, query: string): boolean =>
    g.host.callsOf('search').some((c) => (c.params as { query: string }).query === query);
  /** Types `text` at the end of the query box and waits for the suggestions it opens. */
  const typeAndWait = async (g: GalleryPage, text: string): Promise<string[]> => {
    await g.queryInput.focus();
    await g.queryInput.press('End');
    await g.queryInput.pressSequentially(text);
    await options(g).first().waitFor();
    return options(g).locator('.label').allTextContents();
  };

  it('completes tags with their counts; Enter accepts the highlighted one and runs the query', async () => {
    const g = await open();
    const labels = await typeAndWait(g, 'outd');
    assert.equal(labels[0], 'outdoors');
    const outdoors = tagStats(db).tags.find((t) => t.tag === 'outdoors')!;
    assert.equal(
      (await options(g).first().locator('.detail').textContent())?.trim(),
      outdoors.count.toLocaleString('en-US'),
    );
    assert.equal(await g.queryInput.getAttribute('aria-expanded'), 'true');
    assert.equal(
      await g.queryInput.getAttribute('aria-activedescendant'),
      'option-0',
      'the first suggestion is highlighted',
    );
    await g.queryInput.press('Enter');
    assert.equal(await g.queryInput.inputValue(), 'outdoors ', 'the highlighted tag, not the typed "outd"');
    await g.until(() => searchedFor(g, 'outdoors '), 'the query on Enter');
    await g.until(async () => (await g.countText()) === countOf('outdoors'), 'its results');
    assert.equal(await options(g).count(), 0, 'the list closed');
  });

  it('Escape closes the list, and then Enter runs what is typed', async () => {
    const g = await open();
    await typeAndWait(g, 'outd');
    await g.queryInput.press('Escape');
    assert.equal(await options(g).count(), 0);
    assert.equal(await g.queryInput.getAttribute('aria-expanded'), 'false');
    await g.queryInput.press('Enter');
    await g.until(() => searchedFor(g, 'outd'), 'the typed query');
    await g.until(async () => (await g.countText()) === '0 images', 'no results for the fragment');
    await g.queryInput.press('Control+Space');
    await options(g).first().waitFor();
    assert.equal(
      await options(g).first().locator('.label').textContent(),
      'outdoors',
      'Ctrl+Space opens the list again',
    );
  });

  it('offers field names, then their values (Tab accepts), keeps a "-" and offers OR after a term', async () => {
    const g = await open();
    assert.equal((await typeAndWait(g, 'so'))[0], 'sort:', 'two letters of a field put it first');
    await g.queryInput.press('Tab');
    assert.equal(await g.queryInput.inputValue(), 'sort:');
    await options(g).first().waitFor();
    assert.deepEqual(await options(g).locator('.label').allTextContents(), [
      'name',
      'mtime',
      'width',
      'height',
      'tags',
      'random',
    ]);
    await g.queryInput.press('ArrowDown');
    await g.queryInput.press('Enter');
    assert.equal(await g.queryInput.inputValue(), 'sort:mtime ');
    await g.until(
      async () =>
        (await g.page
          .locator('tb-search-bar vscode-single-select')
          .evaluate((el) => (el as HTMLInputElement).value)) === 'mtime',
      'the sort control follows',
    );

    await g.queryInput.fill('');
    assert.equal((await typeAndWait(g, 'folder:10'))[0], '10_alice');
    await g.queryInput.press('Enter');
    assert.equal(await g.queryInput.inputValue(), 'folder:10_alice ');
    await g.until(async () => (await g.countText()) === countOf('folder:10_alice'), "the folder's results");

    await g.queryInput.fill('smile ');
    const labels = await typeAndWait(g, '-lon');
    assert.equal(labels[0], 'long hair');
    await g.queryInput.press('Enter');
    assert.equal(await g.queryInput.inputValue(), 'smile -long_hair ');
    await g.until(async () => (await g.countText()) === countOf('smile -long_hair'), "the exclusion's results");

    assert.ok((await typeAndWait(g, 'O')).includes('OR'), 'OR after a term');
    await g.queryInput.press('Escape');
  });

  it('reads a tag typed with spaces, as the chips show it, and AND in capitals', async () => {
    const g = await open();
    assert.ok(total('blonde_hair') > 0 && total('blonde_hair smile') > 0);
    await g.queryInput.fill('blonde hair');
    await g.until(async () => (await g.countText()) === countOf('blonde_hair'), 'the results of the tag');
    await g.queryInput.fill('blonde_hair AND smile');
    await g.until(async () => (await g.countText()) === countOf('blonde_hair smile'), 'AND as an operator');
    assert.equal(await g.page.locator('tb-search-bar .hint').count(), 0, 'every term matched');
  });

  it('names the closest tags when a term matches nothing, and puts one in its place on click', async () => {
    const g = await open();
    const blonde = tagStats(db).tags.find((t) => t.tag === 'blonde hair')!;
    await g.queryInput.fill('smile blo');
    const hint = g.page.locator('tb-search-bar .hint');
    await hint.waitFor();
    assert.match(
      (await hint.textContent())!.replace(/\s+/g, ' '),
      new RegExp(`No images have "blo"; did you mean .*blonde hair \\(${blonde.count.toLocaleString('en-US')}\\)`),
    );
    assert.match(
      (await g.page.locator('tb-virtual-grid [slot=empty]').textContent())!,
      /^No images have "blo"; did you mean "blonde hair"/,
    );
    await g.queryInput.press('Escape'); // the completion list, open for "blo", covers the hint
    await hint.locator('button', { hasText: 'blonde hair' }).click();
    assert.equal(await g.queryInput.inputValue(), 'smile blonde_hair');
    await g.until(async () => (await g.countText()) === countOf('smile blonde_hair'), 'the results with the tag');
    assert.equal(await hint.count(), 0);
  });
});
