/**
 * Moving images to the Tagbench trash from the gallery of a real workbench: the extension host asks
 * with its own modal dialog before it moves anything, whatever the webview does. A webview that
 * skips every confirmation (it sends previewBatch and applyBatch itself over its real channel) moves
 * nothing until the user answers the host's dialog; the Trash button gets the same dialog.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator } from 'playwright-core';
import { makeSampleWorkspace } from '../vscode/sampleWorkspace.ts';
import type { SampleWorkspace } from '../vscode/sampleWorkspace.ts';
import { openWorkbench, until } from '../vscode/workbench.ts';
import type { Workbench } from '../vscode/workbench.ts';

/** What the page-side script reports back about its own applyBatch. */
type Answer = 'applied' | `refused: ${string}`;

describe('e2e: moving images to the trash from the gallery', function () {
  let dataset: SampleWorkspace;
  let workbench: Workbench;

  before(async () => {
    dataset = await makeSampleWorkspace('trash', { count: 8 });
    workbench = await openWorkbench(dataset.dir);
    await until('the index', () => existsSync(join(dataset.dir, '.tagbench', 'index.db')), 90_000);
    await workbench.showNotificationsCenter();
    await workbench.waitForNoNotification(/^Indexing/i, 60_000);
  });

  after(async () => {
    await workbench?.close();
  });

  /** The workbench's modal dialog. */
  const modal = (): Locator => workbench.page.locator('.monaco-dialog-box');
  const trashed = (): string[] => {
    const dir = join(dataset.dir, '.tagbench', 'trash');
    return existsSync(dir)
      ? readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((n) =>
          /\.(png|jpe?g|webp|gif|bmp|tiff?|avif)$/i.test(n),
        )
      : [];
  };

  it("moves nothing for a webview that skips the confirmation until the host's dialog is answered, then only on Move to Trash", async () => {
    await workbench.runCommand('Tagbench: Open Gallery');
    const gallery = workbench.webviewFrame();
    const bar = gallery.locator('tb-batch-bar');
    await gallery.locator('tb-virtual-grid #cell-1').waitFor({ state: 'visible', timeout: 30_000 });

    // The webview's own endpoint, used as a compromised webview would: preview, then apply at once.
    const first = await bar.evaluate(async (el) => {
      const rpc = (
        el as unknown as {
          rpc: { request(method: string, params: unknown): Promise<{ items: { id: number; path: string }[] }> };
        }
      ).rpc;
      return (await rpc.request('search', { query: '', offset: 0, limit: 2 })).items;
    });
    assert.equal(first.length, 2);
    const files = first.map((i) => join(dataset.dir, i.path));
    const skipping = bar.evaluate(
      async (el, ids): Promise<Answer> => {
        const rpc = (
          el as unknown as { rpc: { request(method: string, params: unknown): Promise<{ planId: string }> } }
        ).rpc;
        const preview = await rpc.request('previewBatch', {
          selection: { kind: 'ids', ids },
          action: { kind: 'trash' },
        });
        return rpc.request('applyBatch', { planId: preview.planId }).then(
          () => 'applied' as const,
          (err: { code?: string }) => `refused: ${err.code}` as const,
        );
      },
      first.map((i) => i.id),
    );

    const asked = await Promise.race([
      modal()
        .waitFor({ state: 'visible', timeout: 30_000 })
        .then(() => 'asked' as const),
      skipping.then((answer) => answer),
    ]);
    assert.equal(
      asked,
      'asked',
      `the host applied the trash batch without asking (${asked}); moved: ${JSON.stringify(trashed())}`,
    );
    assert.ok(
      files.every((f) => existsSync(f)),
      'nothing moved while the dialog is open',
    );
    assert.match(
      (await modal().textContent()) ?? '',
      /Move 2 images \(with captions and sidecars\) to the Tagbench trash\?/,
    );
    await workbench.screenshot('gallery-trash-host-confirmation');
    await modal().locator('.monaco-button', { hasText: 'Cancel' }).click();
    assert.equal(await skipping, 'refused: cancelled');
    assert.ok(
      files.every((f) => existsSync(f)),
      'nothing moved after Cancel',
    );
    assert.deepEqual(trashed(), []);

    const madeUp = await bar.evaluate(async (el) => {
      const rpc = (el as unknown as { rpc: { request(method: string, params: unknown): Promise<unknown> } }).rpc;
      return rpc.request('applyBatch', { planId: 'not-a-plan-of-this-panel' }).then(
        () => 'applied',
        (err: { code?: string }) => `refused: ${err.code}`,
      );
    });
    assert.equal(madeUp, 'refused: unknown-plan');

    // The Trash button: the same dialog from the host, and Move to Trash moves the two images.
    await gallery.locator('tb-virtual-grid #cell-0').click();
    await gallery.locator('tb-virtual-grid #cell-1').click({ modifiers: ['Shift'] });
    await until(
      'two selected',
      async () => (await gallery.locator('tb-search-bar .count').textContent())?.includes('2 selected') ?? false,
    );
    await bar.locator('vscode-button', { hasText: 'Trash' }).click();
    await modal().waitFor({ state: 'visible', timeout: 30_000 });
    assert.ok(
      files.every((f) => existsSync(f)),
      'nothing moved before the answer',
    );
    await modal().locator('.monaco-button', { hasText: 'Move to Trash' }).click();
    await until('the two images in the trash', () => files.every((f) => !existsSync(f)) && trashed().length === 2);

    const status = bar.locator('.status');
    await until('the outcome', async () => /trash/i.test((await status.textContent()) ?? ''));
    await status.locator('vscode-button', { hasText: 'Undo' }).click();
    await until('the images back', () => files.every((f) => existsSync(f)));
  });
});
