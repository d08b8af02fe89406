import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync, existsSync, readFileSync, symlinkSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'smol-toml';
import { captionInputProblem, DEFAULT_CAPTION_OPTIONS, formatCaption } from '../../src/core/export/captionFormat.ts';
import { conceptOf, isRegularisationName, kohyaSubsetOf } from '../../src/core/export/kohyaConcepts.ts';
import { kohyaDatasetToml, stepsPerEpoch } from '../../src/core/export/kohyaConfig.ts';
import { hfMetadataJsonl, inTestSplit } from '../../src/core/export/hfMetadata.ts';
import { checkExportFolder, MANIFEST_NAME, readManifest, writeManifest } from '../../src/core/export/exportFolder.ts';
import { makeTempDir, removeTempDirs } from '../helpers/tempDir.ts';

describe('export formats', () => {
  after(removeTempDirs);

  it('formats captions: trigger first once, spaces for underscores, escaped parentheses, blacklist', () => {
    const options = { ...DEFAULT_CAPTION_OPTIONS, trigger: 'ohwx, woman', blacklist: ['watermark'] };
    const out = formatCaption('1girl, long_hair, kiyohime_(fate), ^_^, Watermark, ohwx\n', options);
    assert.equal(out.text, 'ohwx, woman, 1girl, long hair, kiyohime \\(fate\\), ^_^');
    assert.equal(out.keepTokens, 2);
    assert.deepEqual(formatCaption(null, DEFAULT_CAPTION_OPTIONS), { text: '', keepTokens: 0 });
    const raw = formatCaption('a_b, c \\(d\\)', {
      ...DEFAULT_CAPTION_OPTIONS,
      underscoresToSpaces: false,
      escapeParentheses: false,
      separator: ',',
    });
    assert.equal(raw.text, 'a_b,c (d)');
  });

  it('writes a dataset.toml that parses back to what sd-scripts expects', () => {
    const toml = kohyaDatasetToml({
      resolution: 1024,
      batchSize: 1,
      captionExtension: '.txt',
      shuffleCaption: true,
      enableBucket: true,
      bucketNoUpscale: true,
      minBucketReso: 256,
      maxBucketReso: 2048,
      bucketResoSteps: 64,
      subsets: [
        { imageDir: '/out/10_alice', repeats: 10, classTokens: 'woman', keepTokens: 1, images: 12 },
        { imageDir: '/out/3 style "x"', repeats: 3, classTokens: '', keepTokens: 0, images: 5 },
      ],
    });
    const parsed = JSON.parse(JSON.stringify(parse(toml))) as {
      general: Record<string, unknown>;
      datasets: { subsets: Record<string, unknown>[] }[] & Record<string, unknown>[];
    };
    assert.deepEqual(parsed.general, { shuffle_caption: true, caption_extension: '.txt', keep_tokens: 1 });
    const dataset = parsed.datasets[0]!;
    assert.equal(dataset.resolution, 1024);
    assert.equal(dataset.enable_bucket, true);
    assert.equal(dataset.bucket_reso_steps, 64);
    assert.deepEqual(dataset.subsets[0], {
      image_dir: '/out/10_alice',
      num_repeats: 10,
      class_tokens: 'woman',
      keep_tokens: 1,
      caption_extension: '.txt',
    });
    assert.equal(dataset.subsets[1]!.image_dir, '/out/3 style "x"');
    assert.match(toml, /^# Written by Tagbench for kohya sd-scripts: train with --dataset_config dataset\.toml\n/);
    const relative = kohyaDatasetToml({
      resolution: 1024,
      batchSize: 1,
      captionExtension: '.txt',
      shuffleCaption: true,
      enableBucket: true,
      bucketNoUpscale: true,
      minBucketReso: 256,
      maxBucketReso: 2048,
      bucketResoSteps: 64,
      subsets: [{ imageDir: 'reg/1_woman', repeats: 1, classTokens: 'woman', keepTokens: 0, images: 2, isReg: true }],
    });
    assert.match(
      relative,
      /^# Written by Tagbench for kohya sd-scripts\. The image_dir paths are relative to this folder/,
    );
    assert.match(relative, /image_dir = "reg\/1_woman"/);
    assert.equal(
      stepsPerEpoch([
        { imageDir: '', repeats: 10, classTokens: '', keepTokens: 0, images: 12 },
        { imageDir: '', repeats: 3, classTokens: '', keepTokens: 0, images: 5 },
      ]),
      135,
    );
  });

  it('writes metadata.jsonl lines in file order and splits stably by hash', () => {
    const text = hfMetadataJsonl([
      { fileName: 'b.png', text: 'two' },
      { fileName: 'a.png', text: 'one "quoted"' },
    ]);
    assert.deepEqual(
      text
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
      [
        { file_name: 'a.png', text: 'one "quoted"' },
        { file_name: 'b.png', text: 'two' },
      ],
    );
    const shas = Array.from({ length: 1000 }, (_, i) =>
      ((i * 2654435761) >>> 0).toString(16).padStart(8, '0').repeat(8),
    );
    const test = shas.filter((s) => inTestSplit(s, 0.1)).length;
    assert.ok(test > 60 && test < 140, `${test} of 1000 in the test split`);
    assert.equal(inTestSplit(shas[0]!, 0), false);
  });

  it('refuses export folders inside the dataset or non-empty, unless forced or a previous export', () => {
    const root = makeTempDir();
    const dataset = join(root, 'dataset');
    mkdirSync(dataset);
    assert.throws(() => checkExportFolder(join(dataset, 'out'), dataset, 'kohya', false), /inside the dataset/);
    assert.throws(() => checkExportFolder(root, dataset, 'kohya', false), /contains the dataset/);
    const busy = join(root, 'busy');
    mkdirSync(busy);
    writeFileSync(join(busy, 'notes.txt'), 'x');
    assert.throws(() => checkExportFolder(busy, dataset, 'kohya', false), /not empty.*--force/);
    assert.equal(checkExportFolder(busy, dataset, 'kohya', true), busy);
    const previous = join(root, 'previous');
    mkdirSync(previous);
    writeManifest(previous, { tagbench: 1, format: 'kohya', dataset, items: {} }, undefined);
    assert.equal(checkExportFolder(previous, dataset, 'kohya', false), previous);
    assert.throws(() => checkExportFolder(previous, dataset, 'hf', false), /holds a kohya export/);
  });

  it('removes the outputs of images that left the export, and only those', () => {
    const out = makeTempDir();
    for (const f of ['a.png', 'a.txt', 'b.png', 'b.txt', 'mine.txt']) writeFileSync(join(out, f), f);
    const entry = (source: string, caption: string) => ({
      source,
      sourceSha256: 'x',
      recipeKey: 'r',
      captionHash: 'h',
      caption,
    });
    const previous = {
      tagbench: 1 as const,
      format: 'plain',
      dataset: '/d',
      items: { 'a.png': entry('a.png', 'a.txt'), 'b.png': entry('b.png', 'b.txt') },
    };
    const { removed, warnings } = writeManifest(
      out,
      { ...previous, items: { 'a.png': entry('a.png', 'a.txt') } },
      previous,
    );
    assert.equal(removed, 1);
    assert.deepEqual(warnings, []);
    assert.deepEqual(
      ['a.png', 'a.txt', 'b.png', 'b.txt', 'mine.txt'].map((f) => existsSync(join(out, f))),
      [true, true, false, false, true],
    );
    assert.deepEqual(Object.keys(readManifest(out)!.items), ['a.png']);
    assert.ok(readFileSync(join(out, MANIFEST_NAME), 'utf8').startsWith('{'));
  });

  it('refuses an export folder reached through a link to the dataset, also when it does not exist yet', () => {
    const base = makeTempDir();
    const dataset = join(base, 'dataset');
    mkdirSync(join(dataset, '10_alice'), { recursive: true });
    symlinkSync(dataset, join(base, 'link'));
    symlinkSync(join(dataset, '10_alice'), join(base, 'alice'));
    assert.throws(() => checkExportFolder(join(base, 'link', 'new'), dataset, 'kohya', false), /inside the dataset/);
    assert.throws(() => checkExportFolder(join(base, 'link', 'a', 'b'), dataset, 'kohya', true), /inside the dataset/);
    assert.throws(() => checkExportFolder(join(base, 'alice', 'new'), dataset, 'kohya', true), /inside the dataset/);
    assert.throws(
      () => checkExportFolder(join(base, 'link', '..', 'link', 'new'), dataset, 'kohya', true),
      /inside the dataset/,
    );
    // The folder a link leads to is where the export goes.
    mkdirSync(join(base, 'real-out'));
    symlinkSync(join(base, 'real-out'), join(base, 'out-link'));
    assert.equal(
      checkExportFolder(join(base, 'out-link', 'kohya'), dataset, 'kohya', false),
      join(base, 'real-out', 'kohya'),
    );
  });

  it('refuses the filesystem root, the home folder and system folders, also with force', () => {
    const dataset = makeTempDir();
    for (const force of [false, true]) {
      assert.throws(() => checkExportFolder('/', dataset, 'kohya', force), /root of the filesystem/);
      assert.throws(() => checkExportFolder(homedir(), dataset, 'kohya', force), /home folder/);
      assert.throws(() => checkExportFolder('/usr/share/tagbench-export', dataset, 'kohya', force), /system folder/);
      assert.throws(() => checkExportFolder('/etc', dataset, 'kohya', force), /system folder/);
    }
    assert.equal(
      checkExportFolder(join(homedir(), 'exports', 'alice'), dataset, 'kohya', false),
      join(homedir(), 'exports', 'alice'),
    );
  });

  it('never removes a file through a link inside the export folder', () => {
    const out = makeTempDir();
    const outside = makeTempDir();
    for (const f of ['a.png', 'a.txt']) writeFileSync(join(outside, f), f);
    symlinkSync(outside, join(out, '10_alice'));
    const entry = {
      source: '10_alice/a.png',
      sourceSha256: 'x',
      recipeKey: 'r',
      captionHash: 'h',
      caption: '10_alice/a.txt',
    };
    const previous = { tagbench: 1 as const, format: 'kohya', dataset: '/d', items: { '10_alice/a.png': entry } };
    const { removed, warnings } = writeManifest(out, { ...previous, items: {} }, previous);
    assert.deepEqual(
      ['a.png', 'a.txt'].map((f) => existsSync(join(outside, f))),
      [true, true],
      'the files the link leads to are still there',
    );
    assert.equal(removed, 0);
    assert.deepEqual(warnings, [
      '2 old output files behind the link 10_alice were left in place (an export never deletes through links).',
    ]);
  });

  it('finds kohya concept folders at any depth and tells regularisation folders apart', () => {
    assert.deepEqual(conceptOf('10_alice/a.png'), { folder: '10_alice', repeats: 10, name: 'alice', isReg: false });
    assert.deepEqual(conceptOf('train/img/3_forest_style/sub/a.png'), {
      folder: 'train/img/3_forest_style',
      repeats: 3,
      name: 'forest_style',
      isReg: false,
    });
    assert.deepEqual(conceptOf('reg/1_woman/a.png'), { folder: 'reg/1_woman', repeats: 1, name: 'woman', isReg: true });
    assert.equal(conceptOf('1_regularization/a.png')?.isReg, true);
    assert.equal(conceptOf('a.png'), undefined);
    assert.equal(conceptOf('0_zero/a.png'), undefined, 'no repeats, no concept');
    assert.equal(conceptOf('10_/a.png'), undefined);
    assert.equal(conceptOf('2024_trip/a.png')?.repeats, 2024, 'read as sd-scripts reads it');
    for (const name of ['reg', 'Regs', 'regularization', 'regularisation', 'reg_woman', 'reg images', 'class_images'])
      assert.ok(isRegularisationName(name), name);
    for (const name of ['regal', 'alice', 'region', 'classic', 'register'])
      assert.ok(!isRegularisationName(name), name);
    const keep = { repeats: 10, name: 'mix', classTokens: 'woman', concepts: 'keep' as const };
    assert.deepEqual(kohyaSubsetOf(keep, '5_bob/a.png'), {
      folder: '5_bob',
      repeats: 5,
      classTokens: 'bob',
      isReg: false,
      concept: '5_bob',
    });
    assert.deepEqual(kohyaSubsetOf(keep, 'loose.png'), {
      folder: '10_mix',
      repeats: 10,
      classTokens: 'woman',
      isReg: false,
      concept: null,
    });
    assert.equal(kohyaSubsetOf({ ...keep, concepts: 'merge' }, '5_bob/a.png').folder, '10_mix');
    assert.equal(
      kohyaSubsetOf({ ...keep, concepts: 'merge' }, 'reg/1_woman/a.png').folder,
      'reg/1_woman',
      'regularisation images are never merged',
    );
  });

  it('counts steps per epoch as sd-scripts does, regularisation images balanced to the training images', () => {
    const subset = (images: number, repeats: number, isReg = false) => ({
      imageDir: '',
      repeats,
      classTokens: '',
      keepTokens: 0,
      images,
      isReg,
    });
    assert.equal(
      stepsPerEpoch([subset(10, 10), subset(20, 1, true)]),
      100 + 100,
      'fewer regularisation steps are repeated up to the training steps',
    );
    assert.equal(stepsPerEpoch([subset(10, 1), subset(20, 1, true)]), 10 + 10, 'more are cut to the training steps');
    assert.equal(
      stepsPerEpoch([subset(10, 1), subset(4, 3, true)]),
      10 + 12,
      'a whole image repeats at a time on the first pass',
    );
    assert.equal(stepsPerEpoch([subset(5, 2, true)]), 0, 'no training images, nothing to train');
  });

  it('refuses line breaks and control characters in caption inputs', () => {
    assert.match(captionInputProblem('ohwx\nwoman') ?? '', /line break/);
    assert.match(captionInputProblem('ohwx\r') ?? '', /line break/);
    assert.match(captionInputProblem('a\u2028b') ?? '', /line break/);
    assert.match(captionInputProblem('a\tb') ?? '', /control character/);
    assert.equal(captionInputProblem('ohwx, woman (fate)'), undefined);
  });
});
