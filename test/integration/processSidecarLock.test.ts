/** Processing writes its recipe into the sidecar under the edit lock, keeping what another writer put there while it ran. */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { processImage } from '../../src/core/processing/processImage.ts';
import { formatSidecar, parseSidecar } from '../../src/core/sidecar/sidecar.ts';
import { closeEditLocks } from '../../src/core/edits/editLock.ts';
import { makeTempDir, removeTempDirs } from '../helpers/tempDir.ts';

describe('processing and the sidecar', function () {
  this.timeout(60_000);
  after(() => {
    closeEditLocks();
    removeTempDirs();
  });

  it('keeps a sidecar change made while the image was processed (a review, an editor save), and adds its recipe', async () => {
    const root = makeTempDir();
    await sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 200, g: 30, b: 30 } } })
      .png()
      .toFile(join(root, 'a.png'));
    writeFileSync(
      join(root, 'a.tagbench.json'),
      formatSidecar({
        tagbench: 1,
        image: { sha256: '0'.repeat(64) },
        tags: [{ name: 'hat', source: 'model:wd', status: 'suggested' }],
      }),
    );
    const running = processImage(
      { root, maxPixels: 1e8 },
      { crop: 'none', resize: null, upscale: null, format: 'png', quality: 90, flatten: null },
      'a.png',
    );
    // The job has read the sidecar; another writer changes it before the job writes its recipe.
    const edited = parseSidecar(readFileSync(join(root, 'a.tagbench.json')));
    writeFileSync(
      join(root, 'a.tagbench.json'),
      formatSidecar({ ...edited, tags: [{ name: 'hat', source: 'model:wd', status: 'rejected' }] }),
    );
    const done = await running;
    assert.equal(done.state, 'done');
    const after = parseSidecar(readFileSync(join(root, 'a.tagbench.json')));
    assert.deepEqual(
      after.tags,
      [{ name: 'hat', source: 'model:wd', status: 'rejected' }],
      'the rejection made meanwhile is kept',
    );
    assert.equal((after.recipes as { output: string }[]).map((r) => r.output).join(), '.tagbench/derived/a.png');
    assert.notEqual(after.image.sha256, '0'.repeat(64), 'and the image hash is brought up to date');
  });
});
