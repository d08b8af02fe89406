/**
 * The Explorer in a real workbench (code-server on Linux, a case-sensitive file system) nests each
 * image's caption and sidecar under it, whatever the case of the image's extension: a camera's
 * `IMG_2805.JPG` with `IMG_2805.txt`, as well as `photo.png` and `scan.Png`.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import type { Locator } from 'playwright-core';
import { vscodeSession } from '../vscode/session.ts';
import { openWorkbench, until } from '../vscode/workbench.ts';
import type { Workbench } from '../vscode/workbench.ts';

describe('e2e: Explorer file nesting', function () {
  let workbench: Workbench;

  before(async () => {
    const dir = join(vscodeSession().scratch, 'datasets', 'nesting');
    mkdirSync(dir, { recursive: true });
    const pixels = { create: { width: 32, height: 24, channels: 3 as const, background: '#336699' } };
    writeFileSync(join(dir, 'IMG_2805.JPG'), await sharp(pixels).jpeg().toBuffer());
    writeFileSync(join(dir, 'IMG_2805.txt'), 'camera, outdoors');
    writeFileSync(join(dir, 'IMG_2805.tagbench.json'), JSON.stringify({ tagbench: 1 }));
    writeFileSync(join(dir, 'photo.png'), await sharp(pixels).png().toBuffer());
    writeFileSync(join(dir, 'photo.txt'), 'photo');
    writeFileSync(join(dir, 'scan.Png'), await sharp(pixels).png().toBuffer());
    writeFileSync(join(dir, 'scan.caption'), 'a scan');
    writeFileSync(join(dir, 'notes.md'), '# notes');
    writeFileSync(join(dir, 'notes.txt'), 'not a caption');
    workbench = await openWorkbench(dir);
  });

  after(async () => {
    await workbench?.close();
  });

  /** The Explorer's row for a file name. */
  const row = (name: string): Locator =>
    workbench.page.locator(`.explorer-folders-view .monaco-list-row[aria-label="${name}"]`);

  it('nests IMG_2805.txt and IMG_2805.tagbench.json under IMG_2805.JPG, and each caption under its image', async () => {
    // A nested file's row is indented one step more than its image's (its aria-level is not always updated).
    const rows = async (): Promise<{ name: string; indent: number }[]> =>
      workbench.page.locator('.explorer-folders-view .monaco-list-row').evaluateAll((list) =>
        list.map((r) => ({
          name: r.getAttribute('aria-label') ?? '',
          indent: parseFloat((r.querySelector('.monaco-tl-indent') as HTMLElement | null)?.style.width ?? '0') || 0,
        })),
      );
    // code-server registers the extension's configuration defaults after the Explorer's first listing,
    // which it does not redo by itself: refresh it once they are there (the Tagbench view container is
    // registered at the same time). photo.png holding photo.txt shows that the nesting is in effect.
    await workbench.activityBarItem('Tagbench').waitFor({ state: 'visible', timeout: 60_000 });
    await until(
      'the Explorer to nest photo.txt under photo.png',
      async () => {
        if ((await row('photo.png').getAttribute('aria-expanded')) !== null) return true;
        await workbench.runCommand('Refresh Explorer');
        await workbench.page.waitForTimeout(1000);
        return false;
      },
      60_000,
    );
    for (const parent of ['IMG_2805.JPG', 'photo.png', 'scan.Png']) {
      if ((await row(parent).getAttribute('aria-expanded')) === 'false')
        await row(parent).locator('.monaco-tl-twistie').click();
      await until(
        `${parent} expanded`,
        async () => (await row(parent).getAttribute('aria-expanded')) === 'true',
        10_000,
      );
    }
    const listed = (await rows()).filter((r) => !r.name.startsWith('.'));
    const top = Math.min(...listed.map((r) => r.indent));
    assert.deepEqual(
      listed.map((r) => `${r.indent > top ? '  ' : ''}${r.name}`),
      [
        'IMG_2805.JPG',
        '  IMG_2805.tagbench.json',
        '  IMG_2805.txt',
        'notes.md',
        'notes.txt',
        'photo.png',
        '  photo.txt',
        'scan.Png',
        '  scan.caption',
      ],
    );
    assert.equal(await row('notes.md').getAttribute('aria-expanded'), null, 'notes.md nests nothing');
    await workbench.screenshot('explorer-nesting');
  });
});
