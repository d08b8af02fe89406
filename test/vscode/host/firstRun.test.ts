/** The first-run hint after the first index run (once per user, remembered in the global state) and the welcome context key. */
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { hostContext } from '../hostContext.ts';
import { activeTagbench } from './extensionUnderTest.ts';
import type { TagbenchApi } from '../../../src/extension.ts';

describe('first run', function () {
  this.timeout(60_000);
  let api: TagbenchApi;

  before(async () => {
    api = (await activeTagbench()).exports;
  });

  it('tells the welcome view that the workspace has an indexed dataset', async () => {
    const session = api.registry.sessionFor(vscode.workspace.workspaceFolders![0]!);
    await session.index({ notify: false });
    assert.equal(await api.firstRun.update(), 'ready');
    assert.deepEqual(api.tree.listed(), [session]);
  });

  it('showed "Tagbench indexed N images" once, after the first index run, and not again', async function () {
    // The profile is fresh for each test run; another window of the same run may have shown it first.
    if (api.firstRun.shownBefore) this.skip();
    const { dataset, datasetImages } = hostContext();
    const folder = dataset.split('/').pop()!;
    assert.equal(api.firstRun.hintsShown.length, 1, JSON.stringify(api.firstRun.hintsShown));
    assert.match(api.firstRun.hintsShown[0]!, new RegExp(`^Tagbench indexed ${datasetImages} images in ${folder}: `));
    const session = api.registry.sessionFor(vscode.workspace.workspaceFolders![0]!);
    await session.index({ notify: false, force: true });
    await session.index({ notify: false });
    assert.equal(api.firstRun.hintsShown.length, 1, 'shown once only');
    assert.equal(api.firstRun.remembered(), true, 'remembered in the global state');
  });
});
