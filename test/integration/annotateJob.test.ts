import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { indexDataset } from '../../src/core/index/indexer.ts';
import { openDatasetIndex } from '../../src/core/index/datasetIndex.ts';
import { searchImages } from '../../src/core/index/search.ts';
import { planJob, runPlannedJob } from '../../src/core/jobs/jobService.ts';
import type { AnnotateJobSpec } from '../../src/core/jobs/jobService.ts';
import { jobItems } from '../../src/core/jobs/jobStore.ts';
import { detailsOfKind } from '../../src/core/jobs/jobDetails.ts';
import { DEFAULT_MERGE } from '../../src/core/annotate/mergeAnnotation.ts';
import type { MergeOptions } from '../../src/core/annotate/mergeAnnotation.ts';
import type { AnnotatorSpec } from '../../src/core/annotate/annotatorSpec.ts';
import { decodeEmbedding } from '../../src/core/annotate/annotationFiles.ts';
import { parseSidecar } from '../../src/core/sidecar/sidecar.ts';
import { datasetLayout } from '../../src/core/dataset/datasetLayout.ts';
import { createJobPool, poolItemRunner } from '../../src/workers/jobPool.ts';
import { expectedScorerOutput, writeScorerFolder, writeTaggerFolder } from '../fixtures/models/taggerModels.ts';
import { writeEdgeCases } from '../fixtures/edgeCases.ts';
import { BMP_VARIANTS, encodeBmp, twoColourImage } from '../fixtures/bmpWriter.ts';
import { makeTempDir, removeTempDirs } from '../helpers/tempDir.ts';
import { runCli } from '../helpers/runCli.ts';

const solid = (file: string, background: string, width = 64, height = 64): Promise<unknown> =>
  sharp({ create: { width, height, channels: 3, background } })
    .png()
    .toFile(file);

/** The colour of each fixture image. */
const COLOURS: Record<string, [number, number, number]> = {
  'red.png': [255, 0, 0],
  'blue.png': [0, 0, 255],
  'green.png': [0, 255, 0],
  'hand.png': [255, 0, 0],
};
const hex = (rgb: readonly number[]): string => `#${rgb.map((v) => v.toString(16).padStart(2, '0')).join('')}`;

describe('annotate jobs', function () {
  this.timeout(120_000);
  let root: string;
  let tagger: string;
  let scorer: string;
  const pool = createJobPool(1);

  const run = async (annotator: AnnotatorSpec, merge: Partial<MergeOptions> = {}, query = '', signal?: AbortSignal) => {
    const { db } = openDatasetIndex(root);
    try {
      const spec: AnnotateJobSpec = {
        kind: 'annotate',
        query,
        params: { annotator, merge: { ...DEFAULT_MERGE, ...merge }, captionExtension: '.txt' },
      };
      const id = planJob(db, root, spec);
      const report = await runPlannedJob(
        db,
        id,
        poolItemRunner(pool, { root, captionExtension: '.txt', maxPixels: 268_402_689 }),
        { concurrency: 1, ...(signal ? { signal } : {}) },
      );
      return { report, failures: jobItems(db, id, 'failed').map((i) => ({ key: i.key, error: i.error })) };
    } finally {
      db.close();
    }
  };
  const taggerSpec = (): AnnotatorSpec => ({
    type: 'tagger',
    path: tagger,
    general: 0.35,
    character: 0.85,
    batchSize: 4,
  });
  const caption = (name: string): string => readFileSync(join(root, name.replace(/\.png$/, '.txt')), 'utf8');
  const sidecar = (name: string) => parseSidecar(readFileSync(join(root, name.replace(/\.png$/, '.tagbench.json'))));
  const search = (query: string): string[] => {
    const { db } = openDatasetIndex(root);
    try {
      return searchImages(db, query, { limit: 100 })
        .items.map((i) => i.path)
        .sort();
    } finally {
      db.close();
    }
  };

  before(async () => {
    const base = makeTempDir();
    root = join(base, 'ds');
    mkdirSync(root);
    tagger = writeTaggerFolder(join(base, 'models', 'taggers', 'stub-tagger'));
    scorer = writeScorerFolder(join(base, 'models', 'scorers', 'stub-scorer'));
    for (const [name, rgb] of Object.entries(COLOURS)) await solid(join(root, name), hex(rgb));
    writeFileSync(join(root, 'hand.txt'), '\uFEFFmy subject, red\r\n');
    writeFileSync(join(root, 'broken.png'), Buffer.concat([readFileSync(join(root, 'red.png')).subarray(0, 60)]));
    await indexDataset(root);
  });
  after(async () => {
    await pool.destroy();
    removeTempDirs();
  });

  it('tags every image in batches, keeps hand-written captions byte-for-byte in style, and records provenance', async () => {
    const { report, failures } = await run(taggerSpec());
    assert.equal(report.job.state, 'done');
    // broken.png is not in the index (it never decoded), so the job has the four good images.
    assert.equal(report.job.total, 4);
    assert.deepEqual(failures, []);
    assert.equal(detailsOfKind(report.details, 'annotate').annotated, 4);
    assert.match(caption('red.png'), /^red, /);
    assert.doesNotMatch(caption('red.png'), /blue|green/);
    assert.match(caption('green.png'), /green/);
    assert.match(caption('green.png'), /hero green/, 'a character tag above 0.85, spaced');
    assert.doesNotMatch(caption('red.png'), /hero red/, 'a character tag at 0.78 stays under the character threshold');
    const hand = readFileSync(join(root, 'hand.txt'));
    assert.deepEqual([...hand.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'the BOM is kept');
    assert.match(hand.toString('utf8'), /^\uFEFFmy subject, red, .*\r\n$/s, 'hand tags first, CRLF kept');
    const side = sidecar('hand.png');
    assert.equal(side.tags!.find((t) => t.name === 'my subject')!.source, 'user');
    assert.equal(
      side.tags!.find((t) => t.name === 'red')!.source,
      'user',
      "a hand tag the model agrees with stays the user's",
    );
    const entry = (
      side.annotations as {
        model: string;
        version: string;
        kind: string;
        result: { rating: { name: string }; raw: Record<string, number> };
      }[]
    )[0]!;
    assert.equal(entry.model, 'tagger:stub-tagger');
    assert.match(entry.version, /^[0-9a-f]{12}$/);
    assert.equal(entry.result.rating.name, 'questionable', 'the rating is its own field');
    assert.doesNotMatch(caption('hand.png'), /questionable/);
  });

  it('finds annotated images by model:, and the index rebuilt from the files finds the same', async () => {
    assert.deepEqual(search('model:stub-tagger'), ['blue.png', 'green.png', 'hand.png', 'red.png']);
    assert.deepEqual(search('model:tagger:stub-tagger red'), ['hand.png', 'red.png']);
    rmSync(datasetLayout(root).indexFile);
    await indexDataset(root);
    assert.deepEqual(search('model:stub-tagger'), ['blue.png', 'green.png', 'hand.png', 'red.png']);
  });

  it('holds results for review: suggestions searchable, captions untouched', async () => {
    writeFileSync(join(root, 'blue.txt'), 'ocean\n');
    await indexDataset(root);
    const { report } = await run(taggerSpec(), { strategy: 'review' }, 'ocean');
    assert.equal(report.job.total, 1);
    assert.equal(caption('blue.png'), 'ocean\n');
    assert.ok(detailsOfKind(report.details, 'annotate').tagsSuggested > 0);
    assert.deepEqual(search('suggested:blue'), ['blue.png']);
    assert.deepEqual(search('has:suggestions'), ['blue.png']);
  });

  it('scores with the scorer, keeps the embedding, and answers score>=', async () => {
    const { report } = await run({ type: 'scorer', path: scorer, batchSize: 8 }, {}, 'red OR green');
    assert.equal(report.job.state, 'done');
    const expected = expectedScorerOutput([255, 0, 0]);
    const side = sidecar('red.png');
    assert.ok(
      Math.abs(side.scores!.aesthetic!.value - expected.score) < 1e-3,
      `${side.scores!.aesthetic!.value} vs ${expected.score}`,
    );
    const entry = (side.annotations as { kind: string; result: { embedding: { base64: string; dim: number } } }[]).find(
      (a) => a.kind === 'score',
    )!;
    const embedding = decodeEmbedding(entry.result.embedding);
    assert.equal(embedding.length, expected.embedding.length);
    embedding.forEach((v, i) => assert.ok(Math.abs(v - expected.embedding[i]!) < 1e-3));
    // The scored images and their scores, from the fixture's colours: red.png and hand.png are red, green.png green.
    const { db } = openDatasetIndex(root);
    const scored = (() => {
      try {
        return jobItems(db, report.job.id)
          .map((i) => i.key)
          .sort();
      } finally {
        db.close();
      }
    })();
    assert.deepEqual(scored, ['green.png', 'hand.png', 'red.png']);
    const scoreOf = (path: string): number => expectedScorerOutput(COLOURS[path]!).score;
    const [low, high] = [...new Set(scored.map(scoreOf))].sort((a, b) => a - b) as [number, number];
    assert.ok(high - low > 0.01, 'red and green score apart');
    for (const threshold of [low - 0.01, (low + high) / 2, high + 0.01]) {
      const expectedSet = scored.filter((p) => scoreOf(p) >= threshold);
      assert.deepEqual(search(`score>=${threshold.toFixed(4)}`), expectedSet, `score>=${threshold.toFixed(4)}`);
      assert.deepEqual(
        search(`score<${threshold.toFixed(4)}`),
        scored.filter((p) => !expectedSet.includes(p)),
        `score<${threshold.toFixed(4)}`,
      );
    }
  });

  it('runs from the CLI with --json counts, and fails a sidecar it must not overwrite', async () => {
    writeFileSync(join(root, 'green.tagbench.json'), '{ not json');
    await indexDataset(root);
    const result = await runCli(['annotate', root, '--tagger', tagger, '--merge', 'replace', '--json']);
    assert.equal(result.code, 0, result.stderr);
    const out = JSON.parse(result.stdout) as {
      annotated: number;
      failed: number;
      failures: { key: string; error: string }[];
      policyViolations: number;
    };
    assert.equal(out.failed, 1);
    assert.equal(out.failures[0]!.key, 'green.png');
    assert.match(out.failures[0]!.error, /not valid JSON.*fix or delete green\.tagbench\.json/);
    assert.equal(readFileSync(join(root, 'green.tagbench.json'), 'utf8'), '{ not json', 'left as it was');
    assert.equal(out.annotated, 3);
    assert.equal(out.policyViolations, 0);
    const usage = await runCli(['annotate', root, '--tagger', join(root, 'nowhere')]);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /no model folder/);
  });
});

describe('annotate jobs over every image the index reads', function () {
  this.timeout(120_000);
  const pool = createJobPool(1);
  after(() => pool.destroy());

  it('tags each image the index accepted, in every format and layout (BMP variants, CMYK, 16-bit, animated, EXIF-rotated)', async () => {
    const base = makeTempDir();
    const root = join(base, 'ds');
    const cases = await writeEdgeCases(root);
    mkdirSync(join(root, 'bmp'));
    for (const variant of BMP_VARIANTS) {
      const image = twoColourImage(40, 30, [0, 0, 255], [255, 255, 255], variant.alpha ? 4 : 3, 128);
      writeFileSync(
        join(root, 'bmp', `${variant.name.replace(/[^a-z0-9]+/gi, '-')}.bmp`),
        encodeBmp(image, variant.options),
      );
    }
    await indexDataset(root);
    const tagger = writeTaggerFolder(join(base, 'models', 'stub-tagger'));
    const { db } = openDatasetIndex(root);
    try {
      const indexed = db.prepare('SELECT path FROM images ORDER BY path').pluck().all() as string[];
      assert.ok(
        indexed.filter((p) => p.startsWith('bmp/')).length === BMP_VARIANTS.length,
        'the index reads every BMP layout',
      );
      const spec: AnnotateJobSpec = {
        kind: 'annotate',
        query: '',
        params: {
          annotator: { type: 'tagger', path: tagger, general: 0.35, character: 0.85, batchSize: 4 },
          merge: DEFAULT_MERGE,
          captionExtension: '.txt',
        },
      };
      const id = planJob(db, root, spec);
      const report = await runPlannedJob(
        db,
        id,
        poolItemRunner(pool, { root, captionExtension: '.txt', maxPixels: 268_402_689 }),
        { concurrency: 1 },
      );
      // Only the images whose caption cannot be read fail (the caption would be overwritten), and for that reason.
      const unreadableCaptions = cases
        .filter((c) => c.problem === 'caption-encoding')
        .map((c) => c.path.replace(/\.txt$/, '.png'))
        .sort();
      assert.equal(unreadableCaptions.length, 2);
      const failed = jobItems(db, id, 'failed');
      assert.deepEqual(
        failed.map((i) => i.key).sort(),
        unreadableCaptions,
        failed.map((i) => `${i.key}: ${i.error}`).join('\n'),
      );
      for (const item of failed) assert.match(item.error ?? '', /^The caption is /);
      assert.deepEqual(
        jobItems(db, id, 'done')
          .map((i) => i.key)
          .sort(),
        indexed.filter((p) => !unreadableCaptions.includes(p)),
      );
      assert.equal(detailsOfKind(report.details, 'annotate').annotated, indexed.length - unreadableCaptions.length);
    } finally {
      db.close();
    }
  });
});
