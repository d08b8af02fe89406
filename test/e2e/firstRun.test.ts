/**
 * What a new user sees in the Tagbench side bar before there is a dataset to show, in a real
 * workbench: the Datasets view's welcome explains Tagbench and offers the next step (Open Folder in an
 * empty window or a folder without images; Index Workspace and Open Gallery for images not indexed yet).
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator } from 'playwright-core';
import { makeSampleWorkspace } from '../vscode/sampleWorkspace.ts';
import { vscodeSession } from '../vscode/session.ts';
import { openWorkbench, until } from '../vscode/workbench.ts';
import type { Workbench } from '../vscode/workbench.ts';

/** The Datasets view's welcome content, once the Tagbench side bar is open. */
async function welcome(workbench: Workbench): Promise<Locator> {
  await workbench.activityBarItem('Tagbench').waitFor({ state: 'visible', timeout: 60_000 });
  await workbench.openViewContainer('Tagbench');
  const content = workbench.view('Datasets').locator('.welcome-view-content');
  await content.waitFor({ state: 'visible', timeout: 30_000 });
  return content;
}

/** The buttons of a welcome content, by label. */
async function buttons(content: Locator): Promise<string[]> {
  return (await content.locator('.monaco-button').allInnerTexts()).map((t) => t.trim());
}

describe('e2e: first run', function () {
  let workbench: Workbench | undefined;

  // Each test closes the window of the one before (after the after-each screenshot), the last one here.
  beforeEach(async () => {
    await workbench?.close();
    workbench = undefined;
  });

  after(async () => {
    await workbench?.close();
  });

  it('explains Tagbench and offers Open Folder in a window without a folder', async () => {
    workbench = await openWorkbench(null);
    const content = await welcome(workbench);
    await until('the empty-window welcome', async () => /dataset for LoRA/.test(await content.innerText()));
    assert.deepEqual(await buttons(content), ['Open Folder']);
    assert.match(await content.innerText(), /Read the guide/);
    await workbench.screenshot('first-run-no-folder');
  });

  it('says that a folder has no images, and what Tagbench reads', async () => {
    const dir = join(vscodeSession().scratch, 'datasets', 'no-images');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'README.md'), '# not a dataset');
    workbench = await openWorkbench(dir);
    const content = await welcome(workbench);
    await until(
      'the no-images welcome',
      async () => /no images in this workspace/.test(await content.innerText()),
      30_000,
    );
    assert.deepEqual(await buttons(content), ['Open Folder']);
    await workbench.screenshot('first-run-no-images');
  });

  it('offers Index Workspace and Open Gallery for images not indexed yet, and shows the dataset once indexed', async () => {
    const dataset = await makeSampleWorkspace('first-run', { count: 8 });
    mkdirSync(join(dataset.dir, '.vscode'));
    writeFileSync(join(dataset.dir, '.vscode', 'settings.json'), JSON.stringify({ 'tagbench.indexOnOpen': false }));
    workbench = await openWorkbench(dataset.dir);
    const content = await welcome(workbench);
    await until('the not-indexed welcome', async () => /not indexed yet/.test(await content.innerText()), 30_000);
    assert.deepEqual(await buttons(content), ['Index Workspace', 'Open Gallery']);
    await workbench.screenshot('first-run-not-indexed');
    await content.locator('.monaco-button', { hasText: 'Index Workspace' }).click();
    const root = workbench.view('Datasets').locator('.monaco-list-row[aria-level="1"]');
    const label = async (): Promise<string> =>
      (await root
        .first()
        .getAttribute('aria-label')
        .catch(() => '')) ?? '';
    await until('the dataset in the tree', async () => /8 images/.test(await label()), 60_000);
    assert.equal(await workbench.view('Datasets').locator('.welcome-view-content').isVisible(), false);
    await workbench.screenshot('first-run-indexed');
  });
});
