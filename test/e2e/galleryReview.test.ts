/**
 * Reviewing model suggestions over many images from the gallery of a real workbench: find them with
 * `has:suggestions`, select six, accept one model's suggestions at or above 0.5 through the batch
 * bar's preview (captions and sidecars checked on disk), then Undo puts back both files' exact bytes.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeSampleWorkspace } from '../vscode/sampleWorkspace.ts';
import type { SampleWorkspace } from '../vscode/sampleWorkspace.ts';
import { openWorkbench, until } from '../vscode/workbench.ts';
import type { Workbench } from '../vscode/workbench.ts';

interface StoredTag {
  name: string;
  source: string;
  status?: string;
  confidence?: number;
}

const wd = 'tagger:wd-vit-tagger-v3';
const IMAGES = 6;

describe('e2e: reviewing suggestions in a batch from the gallery', function () {
  let dataset: SampleWorkspace;
  let workbench: Workbench;
  /** Caption and sidecar file of each image with suggestions. */
  let files: { caption: string; sidecar: string }[] = [];

  const read = (file: string): Buffer => readFileSync(file);
  const statuses = (sidecar: string): Record<string, string> =>
    Object.fromEntries(
      (JSON.parse(readFileSync(sidecar, 'utf8')) as { tags: StoredTag[] }).tags.map((t) => [t.name, t.status ?? '']),
    );

  before(async () => {
    dataset = await makeSampleWorkspace('batch-review', { count: 12 });
    const images = readdirSync(dataset.dir)
      .filter((n) => /^\d+_/.test(n) && statSync(join(dataset.dir, n)).isDirectory())
      .sort()
      .flatMap((folder) =>
        readdirSync(join(dataset.dir, folder))
          .sort()
          .filter((n) => /\.(png|jpe?g)$/i.test(n))
          .map((n) => `${folder}/${n}`),
      )
      .slice(0, IMAGES);
    assert.equal(images.length, IMAGES, 'the sample has enough images');
    files = images.map((image) => {
      const stem = join(dataset.dir, image.replace(/\.[^.]+$/, ''));
      const name = image.slice(image.lastIndexOf('/') + 1);
      writeFileSync(`${stem}.txt`, '1girl, solo\n');
      writeFileSync(
        `${stem}.tagbench.json`,
        JSON.stringify(
          {
            tagbench: 1,
            image: {
              sha256: createHash('sha256')
                .update(readFileSync(join(dataset.dir, image)))
                .digest('hex'),
              file: name,
            },
            tags: [
              { name: '1girl', source: 'user' },
              { name: 'smile', source: `model:${wd}`, category: 'general', confidence: 0.71, status: 'suggested' },
              { name: 'long_hair', source: `model:${wd}`, category: 'general', confidence: 0.55, status: 'suggested' },
              { name: 'blurry', source: `model:${wd}`, category: 'general', confidence: 0.2, status: 'suggested' },
              {
                name: 'horns',
                source: 'model:tagger:eva02-large',
                category: 'general',
                confidence: 0.9,
                status: 'suggested',
              },
            ],
          },
          null,
          2,
        ) + '\n',
      );
      return { caption: `${stem}.txt`, sidecar: `${stem}.tagbench.json` };
    });
    workbench = await openWorkbench(dataset.dir);
    await until('the index', () => existsSync(join(dataset.dir, '.tagbench', 'index.db')));
    await workbench.showNotificationsCenter();
    await workbench.waitForNoNotification(/^Indexing/i, 60_000);
  });

  after(async () => {
    await workbench?.close();
  });

  it("accepts one model's suggestions at or above 0.5 in six images (caption and sidecar), and Undo restores both", async () => {
    const before = files.map((f) => ({ caption: read(f.caption), sidecar: read(f.sidecar) }));
    await workbench.runCommand('Tagbench: Open Gallery');
    const gallery = workbench.webviewFrame();
    const input = gallery.locator('tb-search-bar input[role=combobox]');
    await input.waitFor({ state: 'visible', timeout: 30_000 });
    await input.fill('has:suggestions');
    await input.press('Enter');
    await until(
      'the six results',
      async () => (await gallery.locator('tb-search-bar .count').textContent())?.trim() === `${IMAGES} images`,
    );
    await gallery.locator('tb-virtual-grid #cell-0').click();
    await gallery.locator(`tb-virtual-grid #cell-${IMAGES - 1}`).click({ modifiers: ['Shift'] });
    await until(
      'six selected',
      async () =>
        (await gallery.locator('tb-search-bar .count').textContent())?.includes(`${IMAGES} selected`) ?? false,
    );

    const bar = gallery.locator('tb-batch-bar');
    await bar.locator('vscode-button', { hasText: 'Review suggestions' }).click();
    await bar.locator('#model input').fill(wd);
    await bar.locator('#confidence input').fill('0.5');
    await bar.locator('#confidence input').press('Enter');
    // Six files are more than the default confirmation threshold (5): the host's preview is shown.
    const dialog = gallery.locator('tb-batch-preview dialog');
    await dialog.waitFor({ timeout: 30_000 });
    assert.equal((await dialog.locator('#title').textContent())?.trim(), `Accept suggestions of ${wd} at or above 0.5`);
    assert.equal((await dialog.locator('#summary').textContent())?.trim(), `${IMAGES} of ${IMAGES} files change.`);
    assert.deepEqual(await dialog.locator('.changes > li').first().locator('.reviewed li').allTextContents(), [
      '+ Accepted: smile',
      '+ Accepted: long_hair',
    ]);
    await workbench.screenshot('gallery-review-preview');
    await dialog.locator('vscode-button#apply').click();

    await until('the captions with the accepted tags', () =>
      files.every((f) => readFileSync(f.caption, 'utf8') === '1girl, solo, smile, long hair\n'),
    );
    await until('the statuses in the sidecars', () => files.every((f) => statuses(f.sidecar).smile === 'accepted'));
    for (const f of files) {
      assert.deepEqual(
        statuses(f.sidecar),
        { '1girl': '', smile: 'accepted', long_hair: 'accepted', blurry: 'suggested', horns: 'suggested' },
        f.sidecar,
      );
    }
    const status = bar.locator('.status');
    await until('the outcome', async () => /accept/i.test((await status.textContent()) ?? ''));
    const detailsCaption = gallery.locator('tb-details-panel .caption');
    await until(
      'the refreshed details',
      async () => (await detailsCaption.textContent())?.trim() === '1girl, solo, smile, long hair',
    );
    await workbench.screenshot('gallery-review-applied');

    await status.locator('vscode-button', { hasText: 'Undo' }).click();
    await until('the captions and sidecars as they were', () =>
      files.every((f, i) => read(f.caption).equals(before[i]!.caption) && read(f.sidecar).equals(before[i]!.sidecar)),
    );
    await until('the undo outcome', async () => /^Undid/.test((await status.textContent())?.trim() ?? ''));
    await until('the details as they were', async () => (await detailsCaption.textContent())?.trim() === '1girl, solo');
    await until(
      'the six results again',
      async () =>
        (await gallery.locator('tb-search-bar .count').textContent())?.trim().startsWith(`${IMAGES} images`) ?? false,
    );
  });
});
