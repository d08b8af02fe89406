/** A kohya export keeps each concept folder of the dataset as its own subset, and regularisation images apart. */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import { parse } from 'smol-toml';
import { indexDataset } from '../../src/core/index/indexer.ts';
import { makeTempDir, removeTempDirs } from '../helpers/tempDir.ts';
import { runCli } from '../helpers/runCli.ts';

interface TomlSubset {
  image_dir: string;
  num_repeats: number;
  class_tokens?: string;
  keep_tokens: number;
  caption_extension: string;
  is_reg?: boolean;
}
interface JsonSubset {
  folder: string;
  repeats: number;
  classTokens: string;
  isReg: boolean;
  images: number;
  steps: number;
  concepts: string[];
}

/** Files under a folder (relative, sorted), without the manifest. */
function filesUnder(dir: string): string[] {
  return (
    readdirSync(dir, { recursive: true, withFileTypes: true }) as {
      name: string;
      parentPath: string;
      isFile(): boolean;
    }[]
  )
    .filter((e) => e.isFile() && e.name !== '.tagbench-export.json')
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}

describe('kohya export of concept folders', function () {
  this.timeout(120_000);
  let root: string;
  const images: Record<string, number> = {
    '10_alice': 3,
    '5_bob': 2,
    '3_forest_style': 2,
    '1_regularization': 2,
    'img/2_carol': 1,
    'reg/1_woman': 2,
    '': 1,
  };

  before(async () => {
    root = join(makeTempDir(), 'ds');
    let n = 0;
    for (const [folder, count] of Object.entries(images)) {
      for (let i = 0; i < count; i++) {
        const file = join(root, folder, `${folder.replace(/\W/g, '') || 'loose'}_${i}.png`);
        mkdirSync(dirname(file), { recursive: true });
        await sharp({
          create: { width: 64, height: 64, channels: 3, background: { r: (n * 37) % 256, g: (n * 91) % 256, b: 90 } },
        })
          .png()
          .toFile(file);
        writeFileSync(file.replace(/\.png$/, '.txt'), `tag_${n++}, solo`);
      }
    }
    await indexDataset(root);
  });
  after(removeTempDirs);

  it('gives each concept folder its own subset, repeats and class tokens, with regularisation folders as is_reg', async () => {
    const out = join(makeTempDir(), 'kohya');
    const result = await runCli(['export', root, '--out', out, '--format', 'kohya', '--json']);
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout) as {
      images: number;
      repeats: number;
      stepsPerEpoch: number;
      subsets: JsonSubset[];
      merged?: unknown;
    };
    assert.equal(report.images, 13);
    assert.deepEqual(
      report.subsets.map((s) => [s.folder, s.repeats, s.classTokens, s.isReg, s.images, s.steps, s.concepts]),
      [
        ['10_alice', 10, 'alice', false, 3, 30, ['10_alice']],
        ['10_dataset', 10, '', false, 1, 10, []],
        ['2_carol', 2, 'carol', false, 1, 2, ['img/2_carol']],
        ['3_forest_style', 3, 'forest_style', false, 2, 6, ['3_forest_style']],
        ['5_bob', 5, 'bob', false, 2, 10, ['5_bob']],
        ['reg/1_regularization', 1, 'regularization', true, 2, 2, ['1_regularization']],
        ['reg/1_woman', 1, 'woman', true, 2, 2, ['reg/1_woman']],
      ],
    );
    // 58 training steps; sd-scripts repeats the 4 regularisation images until they match them.
    assert.equal(report.stepsPerEpoch, 58 + 58);
    assert.equal(report.merged, undefined);
    assert.deepEqual(
      filesUnder(out)
        .filter((f) => f.endsWith('.png'))
        .map((f) => dirname(f))
        .sort(),
      [
        '10_alice',
        '10_alice',
        '10_alice',
        '10_dataset',
        '2_carol',
        '3_forest_style',
        '3_forest_style',
        '5_bob',
        '5_bob',
        'reg/1_regularization',
        'reg/1_regularization',
        'reg/1_woman',
        'reg/1_woman',
      ],
    );
    const toml = parse(readFileSync(join(out, 'dataset.toml'), 'utf8')) as unknown as {
      general: Record<string, unknown>;
      datasets: { subsets: TomlSubset[] }[];
    };
    const subsets = toml.datasets[0]!.subsets;
    assert.deepEqual(
      subsets.map((s) => [s.image_dir, s.num_repeats, s.class_tokens, s.is_reg]),
      [
        ['10_alice', 10, 'alice', undefined],
        ['10_dataset', 10, undefined, undefined],
        ['2_carol', 2, 'carol', undefined],
        ['3_forest_style', 3, 'forest_style', undefined],
        ['5_bob', 5, 'bob', undefined],
        ['reg/1_regularization', 1, 'regularization', true],
        ['reg/1_woman', 1, 'woman', true],
      ],
    );
    const allowed = new Set(['image_dir', 'num_repeats', 'class_tokens', 'keep_tokens', 'caption_extension', 'is_reg']);
    for (const s of subsets)
      for (const key of Object.keys(s)) assert.ok(allowed.has(key), `sd-scripts accepts ${key} in a DreamBooth subset`);
    for (const s of subsets) assert.equal(s.caption_extension, '.txt');
    // Relative to the toml's folder by default, so the export can be copied to a training machine.
    for (const s of subsets)
      assert.ok(existsSync(join(out, s.image_dir)), `${s.image_dir} is a folder beside dataset.toml`);
    const absolute = await runCli(['export', root, '--out', out, '--format', 'kohya', '--paths', 'absolute', '--json']);
    assert.equal(absolute.code, 0, absolute.stderr);
    const absoluteToml = parse(readFileSync(join(out, 'dataset.toml'), 'utf8')) as unknown as {
      datasets: { subsets: TomlSubset[] }[];
    };
    assert.deepEqual(
      absoluteToml.datasets[0]!.subsets.map((s) => s.image_dir),
      subsets.map((s) => join(out, s.image_dir)),
      '--paths absolute writes the old absolute paths',
    );
    const text = await runCli(['export', root, '--out', out, '--format', 'kohya']);
    assert.equal(text.code, 0, text.stderr);
    assert.match(
      text.stdout,
      /Exported 13 images to .* in 7 subsets, 116 steps per epoch at batch size 1, regularisation images balanced/,
    );
    assert.match(text.stdout, / {2}reg\/1_woman: 2 regularisation images x 1 = 2 \(from reg\/1_woman\)/);
  });

  it('with --repeats or --name merges the training concept folders into one and says which, keeping regularisation apart', async () => {
    const out = join(makeTempDir(), 'kohya');
    const result = await runCli([
      'export',
      root,
      '--out',
      out,
      '--format',
      'kohya',
      '--repeats',
      '10',
      '--name',
      'mix',
      '--json',
    ]);
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout) as {
      repeats: number;
      stepsPerEpoch: number;
      subsets: JsonSubset[];
      merged: { into: string; folders: string[] };
    };
    assert.deepEqual(report.merged, {
      into: '10_mix',
      folders: ['10_alice', '3_forest_style', '5_bob', 'img/2_carol'],
    });
    assert.deepEqual(
      report.subsets.map((s) => [s.folder, s.images, s.isReg]),
      [
        ['10_mix', 9, false],
        ['reg/1_regularization', 2, true],
        ['reg/1_woman', 2, true],
      ],
    );
    assert.equal(report.stepsPerEpoch, 90 + 90);
    assert.equal(existsSync(join(out, '10_alice')), false);
    const text = await runCli(['export', root, '--out', out, '--format', 'kohya', '--repeats', '10', '--name', 'mix']);
    assert.match(text.stdout, /4 concept folders merged into 10_mix: 10_alice, 3_forest_style, 5_bob, img\/2_carol\./);
  });
});
