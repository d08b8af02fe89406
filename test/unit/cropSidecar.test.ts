/** The image editor's crop in the sidecar: reading it, and saving a changed crop. */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseSidecar } from '../../src/core/sidecar/sidecar.ts';
import { readStoredCrop, sameCrop, writeStoredCrop } from '../../src/core/sidecar/cropSidecar.ts';
import { makeTempDir, removeTempDirs } from '../helpers/tempDir.ts';

describe('image editor crop in the sidecar', function () {
  let dir: string;
  let image: string;
  let sidecar: string;
  const bytes = Buffer.from('not really a PNG, but hashed all the same');
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const size = { width: 640, height: 480 };
  const rect = { left: 10, top: 20, width: 300, height: 200 };

  beforeEach(function () {
    dir = makeTempDir();
    image = join(dir, 'a.png');
    sidecar = join(dir, 'a.tagbench.json');
    writeFileSync(image, bytes);
  });

  after(removeTempDirs);

  it('creates a sidecar only for a crop to store, naming the image by its hash', async function () {
    assert.equal(await writeStoredCrop(sidecar, image, null, size), false);
    assert.equal(existsSync(sidecar), false, 'no crop, no sidecar');
    assert.equal(await writeStoredCrop(sidecar, image, { state: 'manual', rect }, size), true);
    const written = parseSidecar(readFileSync(sidecar));
    assert.deepEqual(written, { tagbench: 1, image: { sha256, file: 'a.png' }, crop: { state: 'manual', rect } });
    assert.deepEqual(readStoredCrop(sidecar), { crop: { state: 'manual', rect }, problem: '' });
  });

  it('changes only the crop (and the image hash) of an existing sidecar, and removes it again', async function () {
    const tags = [{ name: 'solo', source: 'model:wd14', confidence: 0.9 }];
    writeFileSync(
      sidecar,
      JSON.stringify({
        tagbench: 1,
        image: { sha256: '0'.repeat(64), file: 'old.png' },
        tags,
        crop: { state: 'auto', rect: { left: 0, top: 0, width: 10, height: 10 } },
        extra: { kept: true },
      }),
    );
    assert.deepEqual(readStoredCrop(sidecar).crop, { state: 'auto', rect: { left: 0, top: 0, width: 10, height: 10 } });
    await writeStoredCrop(sidecar, image, { state: 'approved', rect }, size);
    const written = parseSidecar(readFileSync(sidecar));
    assert.deepEqual(written, {
      tagbench: 1,
      image: { sha256, file: 'old.png' },
      tags,
      crop: { state: 'approved', rect },
      extra: { kept: true },
    });
    await writeStoredCrop(sidecar, image, null, size);
    const removed = parseSidecar(readFileSync(sidecar));
    assert.equal('crop' in removed, false);
    assert.deepEqual(removed.tags, tags);
    assert.deepEqual(readStoredCrop(sidecar), { crop: null, problem: '' });
  });

  it('refuses a rect outside the image and an unusable sidecar, leaving the file alone', async function () {
    await assert.rejects(
      writeStoredCrop(sidecar, image, { state: 'manual', rect: { left: 400, top: 0, width: 300, height: 100 } }, size),
      /reaches outside the 640x480 image/,
    );
    assert.equal(existsSync(sidecar), false);
    writeFileSync(sidecar, '{ "tagbench": 1, ');
    assert.match(readStoredCrop(sidecar).problem, /not valid JSON/);
    await assert.rejects(
      writeStoredCrop(sidecar, image, { state: 'manual', rect }, size),
      /cannot be used .*Fix or remove it first/,
    );
    assert.equal(readFileSync(sidecar, 'utf8'), '{ "tagbench": 1, ');
  });

  it('reads a crop without a rect, or in state none, as no crop', function () {
    writeFileSync(sidecar, JSON.stringify({ tagbench: 1, image: { sha256 }, crop: { state: 'manual' } }));
    assert.deepEqual(readStoredCrop(sidecar), { crop: null, problem: '' });
    writeFileSync(sidecar, JSON.stringify({ tagbench: 1, image: { sha256 }, crop: { state: 'none' } }));
    assert.deepEqual(readStoredCrop(sidecar), { crop: null, problem: '' });
    assert.equal(sameCrop(null, null), true);
    assert.equal(sameCrop({ state: 'auto', rect }, { state: 'approved', rect }), false);
    assert.equal(sameCrop({ state: 'auto', rect }, { state: 'auto', rect: { ...rect } }), true);
  });
});
