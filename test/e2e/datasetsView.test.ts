/** The Tagbench activity bar item, its Datasets view, and indexing from the command palette, in a real workbench. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeSampleWorkspace } from '../vscode/sampleWorkspace.ts';
import type { SampleWorkspace } from '../vscode/sampleWorkspace.ts';
import { vscodeSession } from '../vscode/session.ts';
import { openWorkbench } from '../vscode/workbench.ts';
import type { Workbench } from '../vscode/workbench.ts';

describe('e2e: Tagbench in the workbench', function () {
  let dataset: SampleWorkspace;
  let workbench: Workbench;

  before(async function () {
    dataset = await makeSampleWorkspace('e2e');
    // Index from the palette rather than on open, so the whole run is visible to the test.
    mkdirSync(join(dataset.dir, '.vscode'));
    writeFileSync(join(dataset.dir, '.vscode', 'settings.json'), JSON.stringify({ 'tagbench.indexOnOpen': false }));
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
});
