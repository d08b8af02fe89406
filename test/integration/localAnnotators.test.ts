import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import sharp from 'sharp';
import type { OverlayOptions } from 'sharp';
import { AnnotationError } from '../../src/core/annotate/annotator.ts';
import type { AnnotationRequest, AnnotationResult, Annotator } from '../../src/core/annotate/annotator.ts';
import { annotateBatches } from '../../src/core/annotate/local/annotatePipeline.ts';
import { findScorers, findTaggers } from '../../src/core/annotate/local/localModels.ts';
import { LocalScorer } from '../../src/core/annotate/local/localScorer.ts';
import { LocalTagger } from '../../src/core/annotate/local/localTagger.ts';
import { parseSelectedTags } from '../../src/core/annotate/local/taggerContract.ts';
import { taggerPixels } from '../../src/core/annotate/local/taggerPreprocess.ts';
import { SessionCache } from '../../src/core/models/sessionCache.ts';
import { ModelContractError } from '../../src/core/models/upscalerContract.ts';
import { BMP_VARIANTS, encodeBmp, twoColourImage } from '../fixtures/bmpWriter.ts';
import {
  aestheticHeadModel,
  CATEGORY,
  expectedScorerOutput,
  STUB_TAGS,
  stubScoresForColour,
  taggerModel,
  writeScorerFolder,
  writeTaggerFolder,
} from '../fixtures/models/taggerModels.ts';
import { makeTempDir, removeTempDirs } from '../helpers/tempDir.ts';

type RGB = [number, number, number];

/** A solid-colour image, encoded. */
function solid(width: number, height: number, rgb: RGB, format: 'png' | 'jpeg' = 'png'): Promise<Buffer> {
  const image = sharp({ create: { width, height, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } });
  return (format === 'png' ? image.png() : image.jpeg({ quality: 95 })).toBuffer();
}

const request = (path: string, image: Buffer): AnnotationRequest => ({ path, image, caption: null });

/** The result, asserting it is not an error. */
function ok(result: AnnotationResult | AnnotationError | undefined): AnnotationResult {
  if (result instanceof AnnotationError) assert.fail(`unexpected error: ${result.message}`);
  assert.ok(result);
  return result;
}

const tagNames = (result: AnnotationResult): string[] => (result.tags ?? []).map((t) => t.name);

/** Each BMP layout the index reads, with a PNG of exactly the same pixels. */
async function bmpTwins(): Promise<{ name: string; bmp: Buffer; png: Buffer }[]> {
  return Promise.all(
    BMP_VARIANTS.map(async (variant) => {
      const image = twoColourImage(96, 64, [255, 255, 255], [0, 0, 255], variant.alpha ? 4 : 3, 96);
      const png = await sharp(image.data, {
        raw: { width: image.width, height: image.height, channels: image.channels },
      })
        .png()
        .toBuffer();
      return { name: variant.name, bmp: encodeBmp(image, variant.options), png };
    }),
  );
}

/** Asserts two results of the same pixels agree: the same tags and raw scores, or the same score. */
function assertSameResult(
  actual: AnnotationResult | AnnotationError | undefined,
  expected: AnnotationResult | AnnotationError | undefined,
  name: string,
): void {
  if (actual instanceof AnnotationError) assert.fail(`${name}: ${actual.message}`);
  const a = ok(actual);
  const e = ok(expected);
  assert.deepEqual(tagNames(a), tagNames(e), name);
  for (const [tag, score] of Object.entries(e.raw ?? {}))
    assert.ok(Math.abs(a.raw![tag]! - score) < 1e-4, `${name}: ${tag} ${a.raw![tag]} vs ${score}`);
  if (e.score !== undefined) assert.ok(Math.abs(a.score! - e.score) < 1e-4, `${name}: score ${a.score} vs ${e.score}`);
}

describe('local ONNX annotators', function () {
  this.timeout(60_000);
  let root: string;
  let sessions: SessionCache;
  let taggerFolder: string;
  let tagger: LocalTagger;

  before(() => {
    root = makeTempDir('tagbench-local-');
    sessions = new SessionCache({ intraOpNumThreads: 1 });
    taggerFolder = writeTaggerFolder(join(root, 'models', 'taggers', 'wd-stub-tagger'));
    tagger = new LocalTagger({ folder: taggerFolder, sessions });
  });

  after(async () => {
    await tagger.close();
    await sessions.releaseAll();
    removeTempDirs();
  });

  describe('tagger', () => {
    it('tags pure blue, red and green images with their own colour only (BGR channel order)', async () => {
      const images = await Promise.all([
        solid(300, 300, [0, 0, 255]),
        solid(300, 300, [255, 0, 0]),
        solid(300, 300, [0, 255, 0]),
      ]);
      const [blue, red, green] = (await tagger.annotate(images.map((image, i) => request(`${i}.png`, image)))).map(ok);
      assert.deepEqual(tagNames(blue!), ['blue', 'artist_blue']);
      assert.deepEqual(
        blue!.tags!.map((t) => t.category),
        ['general', 'artist'],
      );
      assert.deepEqual(tagNames(red!), ['red', 'warm']);
      assert.deepEqual(tagNames(green!), ['green', 'hero_green']);
      assert.equal(green!.tags![1]!.category, 'character');
      for (const result of [blue!, red!, green!]) {
        assert.equal(result.model, 'tagger:wd-stub-tagger');
        assert.equal(result.kind, 'tags');
        assert.deepEqual(result.params, { general: 0.35, character: 0.85 });
        assert.ok(!Number.isNaN(Date.parse(result.at)));
      }
    });

    it('gives exactly the scores only BGR, 0..255, channels-last input gives', async () => {
      const rgb: RGB = [200, 100, 50];
      const [result] = (await tagger.annotate([request('warm.png', await solid(256, 256, rgb))])).map(ok);
      const expected = stubScoresForColour(rgb);
      for (const name of ['warm', 'bright', 'red', 'hero_red', 'artist_blue'])
        assert.ok(
          Math.abs(result!.raw![name]! - expected[name]!) < 2e-3,
          `${name}: ${result!.raw![name]} vs ${expected[name]}`,
        );
      assert.ok(Math.abs(result!.raw!['rating:general']! - expected.general!) < 2e-3);
      // The same pixels in RGB order or scaled to 0..1 would give clearly different values.
      const swapped = stubScoresForColour([50, 100, 200]);
      const scaled = stubScoresForColour([200 / 255, 100 / 255, 50 / 255]);
      assert.ok(Math.abs(swapped.warm! - expected.warm!) > 0.5 && Math.abs(scaled.warm! - expected.warm!) > 0.4);
      assert.ok(
        Math.abs(swapped.hero_red! - expected.hero_red!) > 0.2 && Math.abs(scaled.bright! - expected.bright!) > 0.3,
      );
    });

    it('uses a stub that fires nothing for RGB order, 0..1 values or channels-first data', async () => {
      // The proof that the tests above would catch these mistakes: feed the stub wrongly built tensors of a pure blue image.
      const session = await InferenceSession.create(taggerModel());
      try {
        const S = 448;
        const pixels = await taggerPixels(await solid(100, 100, [0, 0, 255]), S);
        const make = (
          at: (pixel: number, channel: number) => number,
          value: (pixel: number, channel: number) => number,
        ): Float32Array => {
          const data = new Float32Array(S * S * 3);
          for (let p = 0; p < S * S; p++) for (let c = 0; c < 3; c++) data[at(p, c)] = value(p, c);
          return data;
        };
        const bgr = (p: number, c: number): number => pixels[p * 3 + 2 - c]!;
        const variants = {
          correct: make((p, c) => p * 3 + c, bgr),
          rgb: make(
            (p, c) => p * 3 + c,
            (p, c) => pixels[p * 3 + c]!,
          ),
          unit: make(
            (p, c) => p * 3 + c,
            (p, c) => bgr(p, c) / 255,
          ),
          nchw: make((p, c) => c * S * S + p, bgr),
        };
        const blueIndex = STUB_TAGS.findIndex((t) => t.name === 'blue');
        const fired: Record<string, number> = {};
        for (const [name, data] of Object.entries(variants)) {
          const output = await session.run({ [session.inputNames[0]!]: new Tensor('float32', data, [1, S, S, 3]) });
          fired[name] = (output[session.outputNames[0]!]!.data as Float32Array)[blueIndex]!;
        }
        assert.ok(fired.correct! > 0.99, `correct ${fired.correct}`);
        for (const name of ['rgb', 'unit', 'nchw']) assert.ok(fired[name]! < 0.01, `${name} ${fired[name]}`);
      } finally {
        await session.release();
      }
    });

    it('pads a wide image to a white square, centred, and flattens transparency onto white', async () => {
      const wide = await solid(400, 200, [0, 0, 255]);
      const tall = await solid(200, 400, [0, 0, 255]);
      const transparent = await sharp({
        create: { width: 120, height: 90, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } },
      })
        .png()
        .toBuffer();
      const rotated = await sharp(wide).withMetadata({ orientation: 6 }).jpeg({ quality: 95 }).toBuffer();
      const [w, t, clear, r] = (
        await tagger.annotate([
          request('wide.png', wide),
          request('tall.png', tall),
          request('clear.png', transparent),
          request('rotated.jpg', rotated),
        ])
      ).map(ok);
      assert.ok(w!.raw!.white_top! > 0.99 && w!.raw!.white_bottom! > 0.99, JSON.stringify(w!.raw));
      assert.ok(tagNames(w!).includes('blue'), 'half the square is still blue');
      assert.ok((t!.raw!.white_top ?? 0) < 0.1, 'a tall image is padded at the sides, not above');
      assert.ok(clear!.raw!.white_top! > 0.99 && clear!.raw!.bright! > 0.9, JSON.stringify(clear!.raw));
      assert.ok((r!.raw!.white_top ?? 0) < 0.1, 'the EXIF orientation turns the wide JPEG upright (tall)');
    });

    it('applies the character threshold to characters and the general one to every other category', async () => {
      const red = await solid(64, 64, [255, 0, 0]);
      const blue = await solid(64, 64, [0, 0, 255]);
      const [defaults] = (await tagger.annotate([request('red.png', red)])).map(ok);
      assert.ok(!tagNames(defaults!).includes('hero_red'), 'hero_red (0.78) is under the character threshold 0.85');
      assert.ok(Math.abs(defaults!.raw!.hero_red! - 0.7818) < 2e-3, 'but kept in raw for review');
      const lenient = new LocalTagger({ folder: taggerFolder, sessions, characterThreshold: 0.7 });
      const [loose] = (await lenient.annotate([request('red.png', red)])).map(ok);
      assert.deepEqual(loose!.tags!.find((t) => t.name === 'hero_red')?.category, 'character');
      assert.deepEqual(loose!.params, { general: 0.35, character: 0.7 });
      const strict = new LocalTagger({ folder: taggerFolder, sessions, generalThreshold: 0.8 });
      const [b] = (await strict.annotate([request('blue.png', blue)])).map(ok);
      assert.deepEqual(tagNames(b!), ['blue'], 'artist_blue (0.78) uses the general threshold');
      assert.ok((b!.raw!.copyright_none ?? 0) === 0, 'scores under rawMin are not kept');
    });

    it('gives the rating as its own field, never among the tags', async () => {
      const [blue, black] = (
        await tagger.annotate([
          request('blue.png', await solid(64, 64, [0, 0, 255])),
          request('black.png', await solid(64, 64, [0, 0, 0])),
        ])
      ).map(ok);
      assert.equal(blue!.rating!.name, 'sensitive');
      assert.ok(blue!.rating!.confidence > 0.99);
      assert.deepEqual(black!.rating, { name: 'explicit', confidence: 0.2689 });
      assert.ok(!blue!.tags!.some((t) => t.category === 'rating' || ['general', 'sensitive'].includes(t.name)));
      assert.equal(typeof blue!.raw!['rating:explicit'], 'number');
    });

    it('runs a batch of mixed sizes in one model run; a corrupt file fails alone', async () => {
      const good = await solid(640, 480, [255, 0, 0], 'jpeg');
      const requests = [
        request('blue.png', await solid(300, 300, [0, 0, 255])),
        request('red.jpg', good),
        request('broken.png', Buffer.from('this is not an image')),
        request('truncated.jpg', good.subarray(0, good.length >> 1)),
        request('green.png', await solid(50, 80, [0, 255, 0])),
      ];
      const lease = await sessions.acquire(join(taggerFolder, 'model.onnx'));
      const session = lease.session;
      const originalRun = session.run.bind(session);
      const batches: number[] = [];
      session.run = ((feeds: InferenceSession.FeedsType, ...rest: []) => {
        batches.push(Object.values(feeds)[0]!.dims[0]!);
        return originalRun(feeds, ...rest);
      }) as typeof session.run;
      try {
        const results = await tagger.annotate(requests);
        assert.deepEqual(batches, [3]);
        assert.equal(results.length, 5);
        for (const i of [2, 3]) {
          const error = results[i];
          assert.ok(error instanceof AnnotationError, `item ${i} fails`);
          assert.equal(error.failure, 'image');
          assert.equal(error.retryable, false);
          assert.match(error.message, new RegExp(`^${requests[i]!.path}: cannot be decoded`));
        }
        assert.ok(tagNames(ok(results[0])).includes('blue'));
        assert.ok(tagNames(ok(results[1])).includes('red'));
        assert.ok(tagNames(ok(results[4])).includes('green'));
      } finally {
        session.run = originalRun;
        lease.release();
      }
    });

    it('tags every BMP layout the index reads exactly as the same pixels in a PNG', async () => {
      const twins = await bmpTwins();
      const results = await tagger.annotate(
        twins.flatMap((t) => [request(`${t.name}.bmp`, t.bmp), request(`${t.name}.png`, t.png)]),
      );
      twins.forEach((t, i) => assertSameResult(results[2 * i], results[2 * i + 1], t.name));
      assert.ok(tagNames(ok(results[1])).includes('blue'), 'the blue three quarters show');
    });

    it('reads the input size, the names and a fixed batch of 1 from the session', async () => {
      const folder = writeTaggerFolder(join(root, 'other', 'small-v3'), {
        size: 64,
        inputName: 'input',
        outputName: 'output',
        batch: 1,
      });
      const small = new LocalTagger({ folder, sessions });
      const loaded = await small.load();
      assert.deepEqual([loaded.size, loaded.inputName, loaded.outputName, loaded.maxBatch], [64, 'input', 'output', 1]);
      const results = (
        await small.annotate([
          request('b.png', await solid(90, 90, [0, 0, 255])),
          request('g.png', await solid(90, 90, [0, 255, 0])),
        ])
      ).map(ok);
      assert.deepEqual(
        results.map((r) => r.tags![0]!.name),
        ['blue', 'green'],
      );
      assert.equal(small.id, 'tagger:small-v3');
    });

    it('refuses a tag list that does not match the output, and a channels-first model', async () => {
      const mismatch = writeTaggerFolder(join(root, 'bad', 'mismatch'), { csvTags: STUB_TAGS.slice(1) });
      const nchw = writeTaggerFolder(join(root, 'bad', 'nchw'), { layout: 'NCHW' });
      await assert.rejects(
        new LocalTagger({ folder: mismatch, sessions }).annotate([request('x.png', await solid(8, 8, [0, 0, 0]))]),
        (error: Error) => {
          assert.ok(error instanceof ModelContractError);
          assert.equal(
            error.message,
            `mismatch cannot be used as a tagger: selected_tags.csv lists ${STUB_TAGS.length - 1} tags but the model's output "predictions_sigmoid" gives ${STUB_TAGS.length} scores per image`,
          );
          return true;
        },
      );
      await assert.rejects(
        new LocalTagger({ folder: nchw, sessions }).load(),
        /^ModelContractError: nchw cannot be used as a tagger: its input "input_1:0" is float32 \[batch,3,448,448\], channels first \(NCHW\); a tagger needs/,
      );
      const junk = writeTaggerFolder(join(root, 'bad-load', 'junk'));
      writeFileSync(join(junk, 'model.onnx'), 'not a model');
      await assert.rejects(
        new LocalTagger({ folder: junk, sessions }).load(),
        (error: Error) =>
          error instanceof ModelContractError &&
          /^junk cannot be used as a tagger: its model\.onnx is not a loadable ONNX model \(/.test(error.message),
      );
      assert.throws(() => parseSelectedTags('id,tag\n1,a\n'), /no "name" and "category" columns/);
      assert.deepEqual(parseSelectedTags('\ufefftag_id,name,category,count\r\n1,"a,b",0,5\r\n2,"say ""hi""",4,3\r\n'), [
        { name: 'a,b', category: 'general' },
        { name: 'say "hi"', category: 'character' },
      ]);
    });

    it('finds tagger folders and says why the others are refused', async () => {
      const models = join(root, 'models');
      writeTaggerFolder(join(models, 'taggers', 'broken-csv'), { csvTags: STUB_TAGS.slice(2) });
      mkdirSync(join(models, 'taggers', 'no-csv'), { recursive: true });
      writeFileSync(join(models, 'taggers', 'no-csv', 'model.onnx'), taggerModel());
      mkdirSync(join(models, 'taggers', 'not-a-model'), { recursive: true });
      writeFileSync(join(models, 'taggers', 'not-a-model', 'model.onnx'), 'junk');
      writeFileSync(
        join(models, 'taggers', 'not-a-model', 'selected_tags.csv'),
        'tag_id,name,category,count\n1,a,0,1\n',
      );
      mkdirSync(join(models, 'taggers', 'unrelated'), { recursive: true });
      const direct = join(root, 'other', 'small-v3');
      const catalog = await findTaggers({ modelsFolder: models, folders: [direct, join(root, 'bad')] });
      assert.deepEqual(
        catalog.taggers.map((t) => [t.id, t.size, t.tagCount]),
        [
          ['tagger:wd-stub-tagger', 448, STUB_TAGS.length],
          ['tagger:small-v3', 64, STUB_TAGS.length],
        ],
      );
      const reasons = Object.fromEntries(catalog.rejected.map((r) => [r.folder.split('/').pop(), r.reason]));
      assert.deepEqual(Object.keys(reasons).sort(), ['broken-csv', 'mismatch', 'nchw', 'no-csv', 'not-a-model']);
      assert.match(reasons['no-csv']!, /has model\.onnx but no selected_tags\.csv/);
      assert.match(
        reasons['not-a-model']!,
        /^not-a-model cannot be used as a tagger: its model\.onnx is not a loadable ONNX model/,
      );
      assert.match(reasons['broken-csv']!, /lists 13 tags but/);
    });

    it('versions results by the first 12 hex digits of model.onnx, stable across instances', async () => {
      const expected = createHash('sha256')
        .update(readFileSync(join(taggerFolder, 'model.onnx')))
        .digest('hex')
        .slice(0, 12);
      const [result] = (await tagger.annotate([request('b.png', await solid(16, 16, [0, 0, 255]))])).map(ok);
      assert.equal(result!.version, expected);
      assert.equal((await new LocalTagger({ folder: taggerFolder, sessions }).load()).version, expected);
      const catalog = await findTaggers({ folders: [taggerFolder] });
      assert.equal(catalog.taggers[0]!.version, expected);
    });

    it('rejects when cancelled', async () => {
      const controller = new AbortController();
      controller.abort(new Error('stopped'));
      await assert.rejects(
        tagger.annotate([request('b.png', await solid(16, 16, [0, 0, 255]))], controller.signal),
        /stopped/,
      );
    });
  });

  describe('scorer', () => {
    let scorerFolder: string;

    before(() => {
      scorerFolder = writeScorerFolder(join(root, 'models', 'scorers', 'laion-stub'));
    });

    it('scores a CLIP-normalised, L2-normalised embedding with the head and keeps the embedding', async () => {
      const scorer = new LocalScorer({ folder: scorerFolder, sessions });
      const rgb: RGB = [200, 100, 50];
      const [result] = (await scorer.annotate([request('a.png', await solid(300, 200, rgb))])).map(ok);
      const expected = expectedScorerOutput(rgb);
      assert.equal(result!.model, 'scorer:laion-stub');
      assert.equal(result!.kind, 'score');
      assert.deepEqual(result!.params, { normalize: true });
      assert.ok(Math.abs(result!.score! - expected.score) < 1e-3, `${result!.score} vs ${expected.score}`);
      assert.ok(result!.embedding instanceof Float32Array && result!.embedding.length === 3);
      expected.embedding.forEach((e, i) => assert.ok(Math.abs(result!.embedding![i]! - e) < 1e-3));
      // A BGR swap or a skipped normalisation would be far off.
      assert.ok(Math.abs(expectedScorerOutput([50, 100, 200]).score - expected.score) > 1);
      const raw = new LocalScorer({ folder: scorerFolder, sessions, normalize: false, name: 'raw' });
      const [unnormalised] = (await raw.annotate([request('a.png', await solid(300, 200, rgb))])).map(ok);
      assert.ok(Math.abs(unnormalised!.score! - expectedScorerOutput(rgb, false).score) < 1e-3);
      assert.equal(raw.id, 'scorer:raw');
    });

    it('resizes the shortest side and crops the centre; a corrupt image fails alone', async () => {
      const scorer = new LocalScorer({ folder: scorerFolder, sessions });
      const third = (rgb: RGB, left: number): OverlayOptions => ({
        input: { create: { width: 200, height: 200, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } },
        left,
        top: 0,
      });
      const striped = await sharp({ create: { width: 600, height: 200, channels: 3, background: '#000' } })
        .composite([third([255, 0, 0], 0), third([0, 0, 255], 200), third([0, 255, 0], 400)])
        .png()
        .toBuffer();
      const results = await scorer.annotate([request('striped.png', striped), request('bad.png', Buffer.from('nope'))]);
      const expected = expectedScorerOutput([0, 0, 255]);
      assert.ok(
        Math.abs(ok(results[0]).score! - expected.score) < 0.05,
        `${ok(results[0]).score} vs ${expected.score}`,
      );
      assert.ok(results[1] instanceof AnnotationError && results[1].failure === 'image');
      const version = ok(results[0]).version;
      assert.match(version, /^[0-9a-f]{12}\+[0-9a-f]{12}$/);
    });

    it('scores every BMP layout the index reads exactly as the same pixels in a PNG', async () => {
      const scorer = new LocalScorer({ folder: scorerFolder, sessions });
      const twins = await bmpTwins();
      const results = await scorer.annotate(
        twins.flatMap((t) => [request(`${t.name}.bmp`, t.bmp), request(`${t.name}.png`, t.png)]),
      );
      twins.forEach((t, i) => assertSameResult(results[2 * i], results[2 * i + 1], t.name));
    });

    it('finds scorer folders and refuses incomplete or mismatched ones', async () => {
      const models = join(root, 'models');
      writeScorerFolder(join(models, 'scorers', 'embedding-named'), { embeddingFile: 'embedding.onnx', size: 32 });
      mkdirSync(join(models, 'scorers', 'headless'), { recursive: true });
      writeFileSync(join(models, 'scorers', 'headless', 'clip.onnx'), readFileSync(join(scorerFolder, 'clip.onnx')));
      const wide = writeScorerFolder(join(models, 'scorers', 'wide-head'));
      writeFileSync(join(wide, 'aesthetic.onnx'), aestheticHeadModel({ weights: [1, 2, 3, 4] }));
      const catalog = await findScorers({ modelsFolder: models });
      assert.deepEqual(
        catalog.scorers.map((s) => [s.id, s.size, s.dim]),
        [
          ['scorer:embedding-named', 32, 3],
          ['scorer:laion-stub', 224, 3],
        ],
      );
      const reasons = Object.fromEntries(catalog.rejected.map((r) => [r.folder.split('/').pop(), r.reason]));
      assert.match(reasons.headless!, /no aesthetic head \(aesthetic\.onnx\)/);
      assert.match(reasons['wide-head']!, /the embedding model gives 3 values but the head takes 4/);
      const named = new LocalScorer({ folder: join(models, 'scorers', 'embedding-named'), sessions });
      assert.ok(
        ok((await named.annotate([request('x.png', await solid(40, 40, [10, 20, 30]))]))[0]).score !== undefined,
      );
    });
  });

  describe('pipeline', () => {
    it('keeps `depth` calls in flight and yields batches in order', async () => {
      let inFlight = 0;
      let most = 0;
      const fake: Annotator = {
        id: 'fake',
        batchSize: 2,
        annotate: async (requests) => {
          most = Math.max(most, ++inFlight);
          await new Promise((done) => setTimeout(done, 5 + (requests[0]!.path.length % 3) * 5));
          inFlight--;
          return requests.map((r) => ({
            model: 'fake',
            version: '1',
            kind: 'caption' as const,
            params: {},
            at: '',
            caption: r.path,
          }));
        },
        close: async () => undefined,
      };
      const source = Array.from({ length: 7 }, (_, i) => [
        request(`b${i}`, Buffer.alloc(0)),
        request(`b${i}x`, Buffer.alloc(0)),
      ]);
      const seen: string[] = [];
      for await (const batch of annotateBatches(fake, source, { depth: 3 }))
        seen.push(...batch.results.map((r) => ok(r).caption!));
      assert.deepEqual(
        seen,
        source.flat().map((r) => r.path),
      );
      assert.equal(most, 3);
    });

    it('gives the tagger results unchanged, and stops on a refused model', async () => {
      const images = await Promise.all([
        solid(40, 40, [0, 0, 255]),
        solid(40, 40, [255, 0, 0]),
        solid(40, 40, [0, 255, 0]),
      ]);
      const source = images.map((image, i) => [request(`${i}.png`, image)]);
      const names: string[] = [];
      for await (const batch of annotateBatches(tagger, source)) names.push(ok(batch.results[0]).tags![0]!.name);
      assert.deepEqual(names, ['blue', 'red', 'green']);
      const refused = new LocalTagger({
        folder: writeTaggerFolder(join(root, 'pipeline', 'nchw'), { layout: 'NCHW' }),
        sessions,
      });
      await assert.rejects(async () => {
        for await (const _ of annotateBatches(refused, source)) assert.fail('no batch is annotated');
      }, ModelContractError);
    });
  });

  it('writes the categories of selected_tags.csv as the real files do', () => {
    const tags = parseSelectedTags(readFileSync(join(taggerFolder, 'selected_tags.csv'), 'utf8'));
    assert.deepEqual(
      tags.slice(0, 5).map((t) => t.category),
      ['rating', 'rating', 'rating', 'rating', 'general'],
    );
    assert.equal(CATEGORY.character, 4);
  });
});
