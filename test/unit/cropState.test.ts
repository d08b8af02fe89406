import assert from 'node:assert/strict';
import { approveCrop, cropOf, shouldAutoCrop, withCrop } from '../../src/core/processing/cropState.ts';
import { formatSidecar, hasContent, parseSidecar } from '../../src/core/sidecar/sidecar.ts';
import type { Sidecar } from '../../src/core/sidecar/sidecar.ts';

const SHA = 'a'.repeat(64);
const bare: Sidecar = { tagbench: 1, image: { sha256: SHA } };
const rect = { left: 0, top: 64, width: 1024, height: 1024 };

describe('crop state in sidecars', () => {
  it('reads none when there is no crop', () => {
    assert.deepEqual(cropOf(bare), { state: 'none' });
    assert.deepEqual(cropOf({ ...bare, crop: { state: 'none' } }), { state: 'none' });
    assert.deepEqual(cropOf({ ...bare, crop: { state: 'manual', rect } }), { state: 'manual', rect });
  });

  it('sets a crop without touching the rest, in a form the schema accepts', () => {
    const tagged: Sidecar = { ...bare, tags: [{ name: 'smile', source: 'user' }], custom: { kept: true } };
    const auto = withCrop(tagged, 'auto', rect, { width: 1024, height: 1152 });
    assert.deepEqual(auto.crop, { state: 'auto', rect });
    assert.deepEqual(auto.tags, tagged.tags);
    assert.deepEqual(auto.custom, { kept: true });
    assert.equal(tagged.crop, undefined, 'the input is not changed');
    assert.deepEqual(parseSidecar(Buffer.from(formatSidecar(auto))), auto);
  });

  it('drops the field for none, so an otherwise empty sidecar need not be written', () => {
    const none = withCrop(withCrop(bare, 'manual', rect), 'none');
    assert.equal('crop' in none, false);
    assert.equal(hasContent(none), false);
  });

  it('refuses unusable rects and states', () => {
    assert.throws(() => withCrop(bare, 'auto'), /needs a rect/);
    assert.throws(() => withCrop(bare, 'auto', { ...rect, extra: 1 } as typeof rect), /unknown field "extra"/);
    assert.throws(() => withCrop(bare, 'manual', { ...rect, width: 0 }), /width must be at least 1/);
    assert.throws(
      () => withCrop(bare, 'manual', rect, { width: 1024, height: 1000 }),
      /reaches outside the 1024x1000 image/,
    );
    assert.throws(() => withCrop(bare, 'cropped' as 'auto', rect), /Unknown crop state "cropped"/);
  });

  it('lets batch runs redo none and auto crops, never approved or manual ones', () => {
    assert.equal(shouldAutoCrop(bare), true);
    assert.equal(shouldAutoCrop(withCrop(bare, 'auto', rect)), true);
    assert.equal(shouldAutoCrop(withCrop(bare, 'approved', rect)), false);
    assert.equal(shouldAutoCrop(withCrop(bare, 'manual', rect)), false);
  });

  it('approves an auto crop and leaves other states alone', () => {
    assert.deepEqual(approveCrop(withCrop(bare, 'auto', rect)).crop, { state: 'approved', rect });
    const manual = withCrop(bare, 'manual', rect);
    assert.equal(approveCrop(manual), manual);
    assert.equal(approveCrop(bare), bare);
  });
});
