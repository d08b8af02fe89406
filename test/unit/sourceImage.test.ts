import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { openSource } from '../../src/core/imaging/sourceImage.ts';
import { ImageError } from '../../src/core/imaging/imageError.ts';
import { writeEdgeCases } from '../fixtures/edgeCases.ts';
import type { EdgeCase } from '../fixtures/edgeCases.ts';
import { BMP_VARIANTS, encodeBmp, twoColourImage } from '../fixtures/bmpWriter.ts';
import { makeTempDir, removeTempDirs } from '../helpers/tempDir.ts';

/** Problem kinds that are about an image's content (the others are about files, links and captions). */
const IMAGE_KINDS = new Set([
  'empty-file',
  'not-an-image',
  'unsupported-image',
  'corrupt-image',
  'truncated-image',
  'too-many-pixels',
]);

/** Opens and fully decodes bytes as every pipeline does; the problem kind when that fails. */
async function decodeKind(bytes: Buffer): Promise<{ kind?: string; width?: number; height?: number }> {
  try {
    const source = await openSource(bytes);
    const { info } = await source.render((image) => image.toColourspace('srgb').raw({ depth: 'uchar' }));
    assert.deepEqual([info.width, info.height], [source.width, source.height], 'the decode has the displayed size');
    return { width: source.width, height: source.height };
  } catch (err) {
    assert.ok(err instanceof ImageError, String(err));
    return { kind: err.kind };
  }
}

describe('the one decode path (openSource)', () => {
  let dir: string;
  let cases: EdgeCase[];

  before(async () => {
    dir = makeTempDir('tagbench-source-');
    cases = await writeEdgeCases(dir);
  });
  after(() => removeTempDirs());

  it("decodes every image the index accepts at its displayed size, and refuses every bad one with the index's problem kind", async () => {
    const checked: string[] = [];
    for (const c of cases) {
      const imageProblem = c.problem !== undefined && IMAGE_KINDS.has(c.problem);
      if (!c.image && !imageProblem) continue;
      const got = await decodeKind(await readFile(join(dir, ...c.path.split('/'))));
      if (c.image) assert.deepEqual(got, { width: c.image.width, height: c.image.height }, c.path);
      else assert.deepEqual(got, { kind: c.problem }, c.path);
      checked.push(c.path);
    }
    assert.ok(
      checked.includes('truncated.jpg') &&
        checked.includes('bomb.png') &&
        checked.includes('cmyk.jpg') &&
        checked.includes('bitmap.bmp'),
    );
  });

  it('reads every BMP layout as the pixels it stores', async () => {
    for (const variant of BMP_VARIANTS) {
      const image = twoColourImage(10, 6, [0, 0, 255], [255, 255, 255], variant.alpha ? 4 : 3, 128);
      const source = await openSource(encodeBmp(image, variant.options));
      assert.deepEqual(
        [source.format, source.width, source.height, source.hasAlpha],
        ['bmp', 10, 6, variant.alpha],
        variant.name,
      );
      const { data } = await source.render((pipeline) => pipeline.raw());
      assert.deepEqual([...data], [...image.data], variant.name);
    }
  });

  it('refuses an image over the pixel limit before decoding it', async () => {
    const bmp = encodeBmp(twoColourImage(40, 30, [0, 0, 0], [255, 255, 255]));
    await assert.rejects(
      openSource(bmp, 1000),
      (err: Error) => err instanceof ImageError && err.kind === 'too-many-pixels',
    );
    const png = await readFile(join(dir, 'alpha.png'));
    await assert.rejects(
      openSource(png, 1000),
      (err: Error) =>
        err instanceof ImageError &&
        err.kind === 'too-many-pixels' &&
        /^100x75 is 7500 pixels, over the limit of 1000 pixels/.test(err.message),
    );
  });
});
