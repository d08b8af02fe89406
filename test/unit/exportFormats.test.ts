import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'smol-toml';
import { DEFAULT_CAPTION_OPTIONS, formatCaption } from '../../src/core/export/captionFormat.ts';
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
    const raw = formatCaption('a_b, c \\(d\\)', { ...DEFAULT_CAPTION_OPTIONS, underscoresToSpaces: false, escapeParentheses: false, separator: ',' });
    assert.equal(raw.text, 'a_b,c (d)');
  });

  it('writes a dataset.toml that parses back to what sd-scripts expects', () => {
    const toml = kohyaDatasetToml({
      resolution: 1024, batchSize: 1, captionExtension: '.txt', shuffleCaption: true, enableBucket: true,
      bucketNoUpscale: true, minBucketReso: 256, maxBucketReso: 2048, bucketResoSteps: 64,
      subsets: [{ imageDir: '/out/10_alice', repeats: 10, classTokens: 'woman', keepTokens: 1, images: 12 },
        { imageDir: '/out/3 style "x"', repeats: 3, classTokens: '', keepTokens: 0, images: 5 }],
    });
    const parsed = JSON.parse(JSON.stringify(parse(toml))) as { general: Record<string, unknown>; datasets: { subsets: Record<string, unknown>[] }[] & Record<string, unknown>[] };
    assert.deepEqual(parsed.general, { shuffle_caption: true, caption_extension: '.txt', keep_tokens: 1 });
    const dataset = parsed.datasets[0]!;
    assert.equal(dataset.resolution, 1024);
    assert.equal(dataset.enable_bucket, true);
    assert.equal(dataset.bucket_reso_steps, 64);
    assert.deepEqual(dataset.subsets[0], { image_dir: '/out/10_alice', num_repeats: 10, class_tokens: 'woman', keep_tokens: 1, caption_extension: '.txt' });
    assert.equal(dataset.subsets[1]!.image_dir, '/out/3 style "x"');
    assert.equal(stepsPerEpoch([{ imageDir: '', repeats: 10, classTokens: '', keepTokens: 0, images: 12 }, { imageDir: '', repeats: 3, classTokens: '', keepTokens: 0, images: 5 }]), 135);
  });

  it('writes metadata.jsonl lines in file order and splits stably by hash', () => {
    const text = hfMetadataJsonl([{ fileName: 'b.png', text: 'two' }, { fileName: 'a.png', text: 'one "quoted"' }]);
    assert.deepEqual(text.trim().split('\n').map((l) => JSON.parse(l)), [{ file_name: 'a.png', text: 'one "quoted"' }, { file_name: 'b.png', text: 'two' }]);
    const shas = Array.from({ length: 1000 }, (_, i) => (i * 2654435761 >>> 0).toString(16).padStart(8, '0').repeat(8));
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
    const entry = (source: string, caption: string) => ({ source, sourceSha256: 'x', recipeKey: 'r', captionHash: 'h', caption });
    const previous = { tagbench: 1 as const, format: 'plain', dataset: '/d', items: { 'a.png': entry('a.png', 'a.txt'), 'b.png': entry('b.png', 'b.txt') } };
    const removed = writeManifest(out, { ...previous, items: { 'a.png': entry('a.png', 'a.txt') } }, previous);
    assert.equal(removed, 1);
    assert.deepEqual(['a.png', 'a.txt', 'b.png', 'b.txt', 'mine.txt'].map((f) => existsSync(join(out, f))), [true, true, false, false, true]);
    assert.deepEqual(Object.keys(readManifest(out)!.items), ['a.png']);
    assert.ok(readFileSync(join(out, MANIFEST_NAME), 'utf8').startsWith('{'));
  });
});
