/**
 * The Tagbench activity bar item, its Datasets view and indexing from the command palette, in a real
 * workbench; then the tree as a user meets it: problem files shown where they are, images opened in
 * preview tabs like the Explorer's, and an image's hover with its thumbnail, size and caption.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator } from 'playwright-core';
import { makeSampleWorkspace } from '../vscode/sampleWorkspace.ts';
import type { SampleWorkspace } from '../vscode/sampleWorkspace.ts';
import { vscodeSession } from '../vscode/session.ts';
import { openWorkbench, until } from '../vscode/workbench.ts';
import type { Workbench } from '../vscode/workbench.ts';

/** Tabs of the editor area: their labels, and whether each is a preview (italic) tab. */
async function tabs(workbench: Workbench): Promise<{ label: string; preview: boolean }[]> {
  return workbench.page.locator('.tabs-container .tab').evaluateAll((els) =>
    els.map((el) => ({
      label: el.getAttribute('data-resource-name') ?? '',
      preview: el.querySelector('.monaco-icon-label')?.classList.contains('italic') ?? false,
    })),
  );
}

describe('e2e: Tagbench in the workbench', function () {
  let dataset: SampleWorkspace;
  let workbench: Workbench;

  before(async function () {
    dataset = await makeSampleWorkspace('e2e');
    // Index from the palette rather than on open, so the whole run is visible to the test.
    mkdirSync(join(dataset.dir, '.vscode'));
    writeFileSync(join(dataset.dir, '.vscode', 'settings.json'), JSON.stringify({ 'tagbench.indexOnOpen': false }));
    // A broken image in a folder of its own (so the index has no image there) and one beside good ones.
    mkdirSync(join(dataset.dir, 'broken_only'));
    writeFileSync(join(dataset.dir, 'broken_only', 'bad.png'), 'this is not a png');
    writeFileSync(join(dataset.dir, '5_bob', 'corrupt.jpg'), 'this is not a jpeg either');
    workbench = await openWorkbench(dataset.dir);
    console.log(`      workbench loaded in ${Math.round(workbench.loadMs)} ms`);
  });

  after(async () => {
    await workbench?.close();
  });

  it('shows the Tagbench view container and its Datasets view', async () => {
    await workbench.activityBarItem('Tagbench').waitFor({ state: 'visible', timeout: 30_000 });
    const sideBar = await workbench.openViewContainer('Tagbench');
    await sideBar.locator('.composite.title h2', { hasText: 'Tagbench' }).waitFor({ state: 'visible' });
    await workbench.view('Datasets').waitFor({ state: 'attached' });
    await workbench.view('Jobs').waitFor({ state: 'attached' });
  });

  it('indexes the dataset with "Tagbench: Index Workspace" from the command palette', async () => {
    await workbench.showNotificationsCenter();
    await workbench.runCommand('Tagbench: Index Workspace');
    const progress = await workbench.waitForNotification(/^Indexing/i, 30_000);
    console.log(`      progress notification: ${progress}`);
    await workbench.waitForNoNotification(/^Indexing/i, 60_000);
    assert.ok(existsSync(join(dataset.dir, '.tagbench', 'index.db')), 'no index.db was written');
    const cli = join(vscodeSession().extensionDir, 'dist', 'cli.cjs');
    const stats = spawnSync(process.execPath, [cli, 'stats', dataset.dir, '--json'], { encoding: 'utf8' });
    assert.equal(stats.status, 0, stats.stderr);
    assert.equal((JSON.parse(stats.stdout) as { images: number }).images, dataset.images);
  });

  /** A row of the Datasets tree by its label. */
  const row = (label: string): Locator =>
    workbench
      .view('Datasets')
      .locator('.monaco-list-row')
      .filter({
        has: workbench.page.locator('.label-name', {
          hasText: new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`),
        }),
      });

  it('shows problem files in the tree: a Problems node, and each file under its folder with its message', async () => {
    const problems = row('Problems (2)');
    await problems.waitFor({ state: 'visible', timeout: 30_000 });
    assert.match(await problems.innerText(), /2 errors/);
    await row('broken_only').click();
    const bad = row('bad.png');
    await bad.waitFor({ state: 'visible', timeout: 15_000 });
    assert.match(await bad.innerText(), /not|image/i, "the problem's message is its description");
    assert.equal(await bad.locator('.codicon-error').count(), 1, 'an error icon');
    await row('broken_only').click();
    await row('5_bob').click();
    const corrupt = row('corrupt.jpg');
    await corrupt.waitFor({ state: 'visible', timeout: 15_000 });
    assert.equal(await corrupt.locator('.codicon-error').count(), 1);
    await workbench.screenshot('datasets-problems');
    await row('5_bob').click();
  });

  it('opens images in a preview tab on a single click, replaced by the next one, and keeps one on a double click', async () => {
    const images = readdirSync(join(dataset.dir, '10_alice'))
      .filter((n) => /\.(png|jpe?g|webp|bmp|gif)$/i.test(n))
      .sort((a, b) => a.localeCompare(b, undefined, { numeric: true, sensitivity: 'base' }));
    const showing = (expected: { label: string; preview: boolean }[]) => async (): Promise<boolean> =>
      JSON.stringify(await tabs(workbench)) === JSON.stringify(expected);
    const [first, second, third] = images;
    assert.ok(first && second && third);
    await row('10_alice').click();
    await row(first).click();
    await until('a preview tab of the first image', showing([{ label: first, preview: true }]), 30_000);
    await row(second).click();
    await until(
      'the second image replacing the first in the preview tab',
      showing([{ label: second, preview: true }]),
      30_000,
    );
    await row(second).dblclick();
    await until('the second image kept open (not a preview)', showing([{ label: second, preview: false }]), 30_000);
    await row(third).click();
    const both = [
      { label: second, preview: false },
      { label: third, preview: true },
    ];
    await until('the third image in a new preview tab beside it', showing(both), 30_000);
    await workbench.screenshot('datasets-preview-tabs');
  });

  it("shows an image's thumbnail, size in pixels and bytes, and caption when the pointer rests on it", async () => {
    const folder = join(dataset.dir, '10_alice');
    const captioned = (n: string): boolean =>
      /\.(png|jpe?g)$/i.test(n) && existsSync(join(folder, n.replace(/\.[^.]+$/, '.txt')));
    const name = readdirSync(folder).filter(captioned).sort()[0]!;
    const caption = readFileSync(join(folder, name.replace(/\.[^.]+$/, '.txt')), 'utf8').trim();
    const bytes = statSync(join(folder, name)).size;
    await row(name).hover();
    const hover = workbench.page.locator('.monaco-hover .hover-contents').last();
    await until(
      "the hover with the image's facts",
      async () => / px · /.test((await hover.innerText().catch(() => '')) ?? ''),
      15_000,
    );
    const text = await hover.innerText();
    assert.ok(text.includes(`10_alice/${name}`), text);
    assert.match(text, /[\d,]+ × [\d,]+ px · [\d.,]+ (KB|MB|bytes)/);
    assert.ok(text.includes(caption.slice(0, 40)), `the caption is in the hover: ${text}`);
    const kb = bytes < 1024 ? `${bytes} bytes` : (bytes / 1024).toFixed(bytes / 1024 < 10 ? 1 : 0);
    assert.ok(text.includes(kb), `${kb} in ${text}`);
    const image = hover.locator('img');
    const loaded = async (): Promise<boolean> =>
      (await image.count()) === 1 &&
      (await image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0));
    await until('the thumbnail to load', loaded, 15_000);
    await workbench.screenshot('datasets-image-hover');
  });

  it('has a distinctive activity bar icon (the media/tagbench.svg glyph; the screenshot is kept)', async () => {
    const item = workbench.activityBarItem('Tagbench');
    const mask = await item.evaluate((el) => getComputedStyle(el).maskImage || getComputedStyle(el).webkitMaskImage);
    assert.match(mask, /media%2Ftagbench\.svg|media\/tagbench\.svg/);
    const dir = vscodeSession().resultsDir;
    const bar = workbench.page.locator('.activitybar');
    await bar.screenshot({ path: join(dir, 'activity-bar.png') });
    await item.screenshot({ path: join(dir, 'activity-bar-tagbench.png') });
  });
});
