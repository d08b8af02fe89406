import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mock } from 'node:test';
import { copyFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Tensor } from 'onnxruntime-node';
import sharp from 'sharp';
import { defaultBuiltInFolder, listUpscalerModels, loadModelInfo } from '../../src/core/models/modelCatalog.ts';
import type { ModelInfo } from '../../src/core/models/modelCatalog.ts';
import { SessionCache } from '../../src/core/models/sessionCache.ts';
import { tileSpans } from '../../src/core/models/tileGrid.ts';
import { ModelContractError } from '../../src/core/models/upscalerContract.ts';
import { upscaleImage, upscaleImageToFile, upscaleImageToPng } from '../../src/core/models/upscaler.ts';
import type { UpscaledImage } from '../../src/core/models/upscaler.ts';
import { illustrationPng } from '../fixtures/models/illustration.ts';
import { identityModel, ONNX_FLOAT, ONNX_INT64 } from '../fixtures/models/tinyOnnx.ts';
import { makeTempDir, removeTempDirs } from '../helpers/tempDir.ts';

const MODELS = fileURLToPath(new URL('../../models/', import.meta.url));
const CHILD = fileURLToPath(new URL('../fixtures/models/upscaleChild.ts', import.meta.url));

/** Largest and mean absolute difference between two equally sized images. */
function difference(a: UpscaledImage, b: UpscaledImage): { max: number; mean: number } {
  assert.deepEqual([a.width, a.height, a.channels], [b.width, b.height, b.channels]);
  let max = 0;
  let sum = 0;
  for (let i = 0; i < a.data.length; i++) {
    const d = Math.abs(a.data[i]! - b.data[i]!);
    sum += d;
    if (d > max) max = d;
  }
  return { max, mean: sum / a.data.length };
}

/** Mean absolute RGB step between column x-1 and x (or row y-1 and y), for every x (y). */
function gradientEnergy(image: UpscaledImage, axis: 'x' | 'y'): Float64Array {
  const { data, width, height, channels } = image;
  const length = axis === 'x' ? width : height;
  const energy = new Float64Array(length);
  const step = axis === 'x' ? channels : width * channels;
  for (let y = axis === 'y' ? 1 : 0; y < height; y++) {
    for (let x = axis === 'x' ? 1 : 0; x < width; x++) {
      const i = (y * width + x) * channels;
      let e = 0;
      for (let c = 0; c < 3; c++) e += Math.abs(data[i + c]! - data[i + c - step]!);
      energy[axis === 'x' ? x : y]! += e / 3;
    }
  }
  return energy.map((e) => e / (axis === 'x' ? height : width));
}

/** Output lines (columns or rows) inside the bands where tiles meet. */
function boundaryLines(length: number, tile: number, overlap: number, scale: number): number[] {
  const spans = tileSpans(length, tile, overlap);
  const lines: number[] = [];
  for (let i = 1; i < spans.length; i++) {
    for (let x = spans[i]!.start * scale; x <= (spans[i - 1]!.start + spans[i - 1]!.size) * scale; x++) lines.push(x);
  }
  return lines;
}

/** Peak RSS (MB) of a child process upscaling `input` into `output`. */
function upscaleInChild(args: string[]): Promise<{ ms: number; maxRssMb: number; width: number; height: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolve(JSON.parse(stdout.trim().split('\n').pop()!))
        : reject(new Error(`child exited with ${code}: ${stderr}`)),
    );
  });
}

describe('upscaling with ONNX super-resolution models', function () {
  this.timeout(60_000);
  let x2: ModelInfo;
  let x4: ModelInfo;
  let sessions: SessionCache;

  before(async () => {
    x2 = await loadModelInfo(join(MODELS, 'realesr-animevideov3-x2.onnx'), true);
    x4 = await loadModelInfo(join(MODELS, 'realesr-animevideov3-x4.onnx'), true);
  });
  beforeEach(() => {
    sessions = new SessionCache();
  });
  afterEach(async () => {
    await sessions.releaseAll();
    removeTempDirs();
  });

  describe('model catalog', () => {
    it('finds the built-in models beside the sources and reads their contract', async () => {
      assert.equal(defaultBuiltInFolder(), fileURLToPath(new URL('../../models', import.meta.url)));
      const { models, rejected } = await listUpscalerModels();
      assert.deepEqual(rejected, []);
      assert.deepEqual(
        models.map(({ id, name, scale, builtIn, inputName, outputName }) => ({
          id,
          name,
          scale,
          builtIn,
          inputName,
          outputName,
        })),
        [
          {
            id: 'builtin:realesr-animevideov3-x2',
            name: 'realesr-animevideov3-x2',
            scale: 2,
            builtIn: true,
            inputName: 'input',
            outputName: 'output',
          },
          {
            id: 'builtin:realesr-animevideov3-x4',
            name: 'realesr-animevideov3-x4',
            scale: 4,
            builtIn: true,
            inputName: 'input',
            outputName: 'output',
          },
        ],
      );
      assert.equal(models[0]!.file, join(MODELS, 'realesr-animevideov3-x2.onnx'));
    });

    it('adds models from a user folder (scale probed when the name has none) and refuses bad ones with a reason', async () => {
      const builtIns = makeTempDir();
      copyFileSync(join(MODELS, 'realesr-animevideov3-x2.onnx'), join(builtIns, 'shipped-x2.onnx'));
      const user = makeTempDir();
      copyFileSync(join(MODELS, 'realesr-animevideov3-x4.onnx'), join(user, 'my upscaler.onnx'));
      writeFileSync(
        join(user, 'tagger.onnx'),
        identityModel({ name: 'image', type: ONNX_FLOAT, shape: ['batch', 448, 448, 3] }),
      );
      writeFileSync(join(user, 'ids.onnx'), identityModel({ name: 'ids', type: ONNX_INT64, shape: [1, 3, 'h', 'w'] }));
      writeFileSync(join(user, 'broken.onnx'), 'not a model');
      writeFileSync(join(user, 'notes.txt'), 'ignored');

      const { models, rejected } = await listUpscalerModels({ builtInFolder: builtIns, userFolder: user });
      assert.deepEqual(
        models.map((m) => [m.id, m.scale, m.builtIn]),
        [
          ['builtin:shipped-x2', 2, true],
          ['user:my upscaler', 4, false],
        ],
      );
      const reasons = new Map(rejected.map((r) => [r.file, r.reason]));
      assert.deepEqual(
        [...reasons.keys()].sort(),
        ['broken.onnx', 'ids.onnx', 'tagger.onnx'].map((f) => join(user, f)),
      );
      assert.match(
        reasons.get(join(user, 'tagger.onnx'))!,
        /^tagger\.onnx cannot be used as an upscaler: its input "image" is float32 \[batch,448,448,3\] \(channels last\); an upscaler needs one float32 input shaped \[1,3,h,w\]/,
      );
      assert.match(
        reasons.get(join(user, 'ids.onnx'))!,
        /ids\.onnx cannot be used as an upscaler: its input "ids" is int64 \[1,3,h,w\]/,
      );
      assert.match(reasons.get(join(user, 'broken.onnx'))!, /^broken\.onnx is not a loadable ONNX model/);
      await assert.rejects(loadModelInfo(join(user, 'tagger.onnx')), ModelContractError);
    });

    it('tiles a fixed-size model exactly at its size, padding the edges, and blends back to the same pixels', async () => {
      const dir = makeTempDir();
      writeFileSync(
        join(dir, 'fixed.onnx'),
        identityModel(
          { name: 'pixels', type: ONNX_FLOAT, shape: [1, 3, 32, 32] },
          { name: 'result', shape: [1, 3, 32, 32] },
        ),
      );
      const model = await loadModelInfo(join(dir, 'fixed.onnx'));
      assert.deepEqual(
        [model.scale, model.fixedSize, model.inputName, model.outputName],
        [1, { width: 32, height: 32 }, 'pixels', 'result'],
      );
      const png = await sharp({
        create: {
          width: 100,
          height: 70,
          channels: 3,
          background: '#000',
          noise: { type: 'gaussian', mean: 128, sigma: 60 },
        },
      })
        .png()
        .toBuffer();
      const result = await upscaleImage(png, { model, overlap: 8, sessions });
      assert.deepEqual([result.width, result.height], [100, 70]);
      const pixels = await sharp(png).raw().toBuffer();
      assert.ok(result.data.equals(pixels), 'an identity model through overlapping, padded tiles gives the input back');

      // Blend weights sum to exactly 1 everywhere, whatever the tiling (also when the overlap is clamped to fit the tile).
      writeFileSync(
        join(dir, 'free.onnx'),
        identityModel({ name: 'pixels', type: ONNX_FLOAT, shape: [1, 3, 'h', 'w'] }),
      );
      const free = await loadModelInfo(join(dir, 'free.onnx'));
      for (const [tile, overlap] of [
        [0, 0],
        [16, 4],
        [23, 7],
        [50, 24],
        [30, 24],
        [99, 1],
      ] as const) {
        const out = await upscaleImage(png, { model: free, tile, overlap, sessions });
        assert.ok(out.data.equals(pixels), `tile ${tile}, overlap ${overlap}`);
      }
    });
  });

  describe('session cache', () => {
    it('lends the same session across calls and releases it after the idle timeout', async () => {
      // Virtual time for the idle timer: the session is released exactly when it has been idle for idleMs, however slow the machine.
      mock.timers.enable({ apis: ['setTimeout'] });
      try {
        const cache = new SessionCache({ idleMs: 100, intraOpNumThreads: 1 });
        const a = await cache.acquire(x2.file);
        const b = await cache.acquire(x2.file);
        assert.equal(a.session, b.session);
        a.release();
        b.release();
        const png = await illustrationPng(48, 40);
        await upscaleImage(png, { model: x2, sessions: cache });
        await upscaleImage(png, { model: x2, sessions: cache });
        const c = await cache.acquire(x2.file);
        assert.equal(c.session, a.session, 'upscaling reused the cached session');
        c.release();
        assert.equal(cache.size, 1);
        mock.timers.tick(99);
        assert.equal(cache.has(x2.file), true, 'kept while idle for less than idleMs');
        const e = await cache.acquire(x2.file);
        assert.equal(e.session, a.session);
        e.release();
        mock.timers.tick(99);
        assert.equal(cache.has(x2.file), true, 'a new lease restarted the idle time');
        mock.timers.tick(1);
        assert.equal(cache.has(x2.file), false, 'released after being idle');
        const d = await cache.acquire(x2.file);
        assert.notEqual(d.session, a.session, 'a new session after release');
        d.release();
        await cache.releaseAll();
      } finally {
        mock.timers.reset();
      }
    });

    it('releaseAll drops every session but waits for the ones in use', async () => {
      const cache = new SessionCache();
      const lease = await cache.acquire(x4.file);
      await cache.acquire(x2.file).then((l) => l.release());
      const releasing = cache.releaseAll();
      assert.equal(cache.size, 0);
      const stillUsable = await lease.session.run({
        input: new Tensor('float32', new Float32Array(3 * 8 * 8), [1, 3, 8, 8]),
      });
      assert.deepEqual(stillUsable.output!.dims, [1, 3, 32, 32], 'a leased session keeps working until its lease ends');
      lease.release();
      await releasing;
      const again = await cache.acquire(x4.file);
      assert.notEqual(again.session, lease.session);
      again.release();
      await cache.releaseAll();
    });
  });

  describe('upscaleImage', () => {
    it('gives the same pixels tiled as in a single pass, up to blending tolerance', async () => {
      const png = await illustrationPng(256, 256, { seed: 3 });
      const single = await upscaleImage(png, { model: x4, tile: 0, sessions });
      const tiled = await upscaleImage(png, { model: x4, tile: 96, overlap: 24, sessions });
      assert.deepEqual([single.width, single.height, single.channels, single.unchanged], [1024, 1024, 3, false]);
      const { max, mean } = difference(single, tiled);
      assert.ok(max <= 3, `max abs difference ${max}`);
      assert.ok(mean < 0.05, `mean abs difference ${mean}`);
    });

    it('leaves no seam lines where tiles meet (gradient energy there as in a single pass), unlike hard tile edges', async () => {
      const png = await illustrationPng(256, 192, { seed: 11 });
      const single = await upscaleImage(png, { model: x2, tile: 0, sessions });
      // Per line: how far the mean step across that line (grey levels) is from the single pass's.
      const seam = async (overlap: number): Promise<{ atBoundaries: number; elsewhere: number }> => {
        const tiled = await upscaleImage(png, { model: x2, tile: 64, overlap, sessions });
        let boundary = 0;
        let boundaryCount = 0;
        let other = 0;
        let otherCount = 0;
        for (const axis of ['x', 'y'] as const) {
          const reference = gradientEnergy(single, axis);
          const energy = gradientEnergy(tiled, axis);
          const lines = new Set(boundaryLines(axis === 'x' ? 256 : 192, 64, overlap, 2));
          for (let i = 1; i < energy.length; i++) {
            const excess = Math.abs(energy[i]! - reference[i]!);
            if (lines.has(i)) {
              boundary = Math.max(boundary, excess);
              boundaryCount++;
            } else {
              other += excess;
              otherCount++;
            }
          }
        }
        assert.ok(boundaryCount > 0);
        return { atBoundaries: boundary, elsewhere: other / otherCount };
      };
      // Measured: blended worst line 0.29 levels (1-level rounding flips in flat sky), elsewhere
      // 0.01 on average; hard tile edges 2.4 to 3.6 levels. The image's mean step is 4 to 8 levels.
      const blended = await seam(24);
      assert.ok(
        blended.atBoundaries < 0.6,
        `a tile boundary line steps ${blended.atBoundaries.toFixed(3)} levels more or less than in a single pass (elsewhere ${blended.elsewhere.toFixed(3)} on average)`,
      );
      const hard = await seam(0);
      assert.ok(
        hard.atBoundaries > 1.5,
        `control: hard tile edges show as lines (${hard.atBoundaries.toFixed(2)} levels)`,
      );
    });

    it('upscales RGB with the model and resizes alpha with Lanczos to the same size', async () => {
      const png = await illustrationPng(64, 48, { seed: 4, alpha: true });
      const result = await upscaleImage(png, { model: x2, tile: 40, overlap: 12, sessions });
      assert.deepEqual([result.width, result.height, result.channels], [128, 96, 4]);
      const source = await sharp(png).raw().toBuffer();
      // Shrinking the result's alpha back (sharp's Lanczos-3 shrink uses the same pixel-centre
      // convention) gives the source alpha back, up to Lanczos' round trip error at hard edges
      // (measured: mean 0.29, max 23; sharp's own enlarge-then-shrink: mean 0.95, max 93, as its
      // enlargement is shifted by half an output pixel).
      const alpha = Buffer.alloc(128 * 96);
      for (let i = 0; i < alpha.length; i++) alpha[i] = result.data[i * 4 + 3]!;
      const back = await sharp(alpha, { raw: { width: 128, height: 96, channels: 1 } })
        .resize(64, 48, { kernel: 'lanczos3' })
        .extractChannel(0)
        .raw()
        .toBuffer();
      let maxDiff = 0;
      let sum = 0;
      for (let i = 0; i < 64 * 48; i++) {
        const d = Math.abs(back[i]! - source[i * 4 + 3]!);
        maxDiff = Math.max(maxDiff, d);
        sum += d;
      }
      assert.ok(sum / (64 * 48) < 0.5, `alpha round trip mean difference ${sum / (64 * 48)}`);
      assert.ok(maxDiff <= 32, `alpha round trip max difference ${maxDiff}`);
      assert.equal(source[3], 0, 'the fixture has a transparent corner');
      assert.equal(result.data[3], 0, 'transparent stays transparent');
      assert.equal(result.data[(96 * 128 - 1) * 4 + 3], 255, 'opaque stays opaque');
      const rgb = await upscaleImage(await sharp(png).removeAlpha().png().toBuffer(), {
        model: x2,
        tile: 40,
        overlap: 12,
        sessions,
      });
      for (let i = 0; i < 128 * 96; i += 97)
        assert.deepEqual(
          [...result.data.subarray(i * 4, i * 4 + 3)],
          [...rgb.data.subarray(i * 3, i * 3 + 3)],
          'RGB is the model output',
        );
    });

    it('shrinks the model output to exactly the target long side, and does not go past the model scale', async () => {
      const png = await illustrationPng(100, 60, { seed: 6 });
      const full = await upscaleImage(png, { model: x4, sessions });
      assert.deepEqual([full.width, full.height], [400, 240]);
      const shrunk = await upscaleImage(png, { model: x4, targetLongSide: 300, sessions });
      assert.deepEqual([shrunk.width, shrunk.height, shrunk.unchanged], [300, 180, false]);
      const reference = await sharp(full.data, { raw: { width: 400, height: 240, channels: 3 } })
        .resize(300, 180, { kernel: 'lanczos3' })
        .raw()
        .toBuffer();
      const { mean } = difference(shrunk, { data: reference, width: 300, height: 180, channels: 3, unchanged: false });
      assert.ok(mean < 1.5, `mean difference to sharp's Lanczos downscale ${mean}`);

      const tall = await upscaleImage(await sharp(png).rotate(90).png().toBuffer(), {
        model: x2,
        targetLongSide: 150,
        sessions,
      });
      assert.deepEqual([tall.width, tall.height], [90, 150]);
      const capped = await upscaleImage(png, { model: x2, targetLongSide: 1000, sessions });
      assert.deepEqual(
        [capped.width, capped.height],
        [200, 120],
        'a target beyond the model scale gets the model scale',
      );
    });

    it('returns an image already at the target size unchanged, flagged, with EXIF orientation applied', async () => {
      const png = await sharp(await illustrationPng(90, 50, { seed: 8 }))
        .jpeg({ quality: 95 })
        .withMetadata({ orientation: 6 })
        .toBuffer();
      const oriented = await sharp(png).rotate().raw().toBuffer({ resolveWithObject: true });
      assert.deepEqual([oriented.info.width, oriented.info.height], [50, 90]);
      const same = await upscaleImage(png, { model: x4, targetLongSide: 90, sessions });
      assert.deepEqual([same.width, same.height, same.unchanged], [50, 90, true]);
      assert.ok(same.data.equals(oriented.data));
      assert.equal(sessions.size, 0, 'no model loaded for an image that needs none');
      const upscaled = await upscaleImage(png, { model: x2, sessions });
      assert.deepEqual(
        [upscaled.width, upscaled.height, upscaled.unchanged],
        [100, 180, false],
        'orientation applied before upscaling',
      );
    });

    it('stops between tiles when cancelled, and leaves no output file', async () => {
      const png = await illustrationPng(160, 120, { seed: 9 });
      const controller = new AbortController();
      const done: number[] = [];
      const run = upscaleImage(png, {
        model: x2,
        tile: 64,
        overlap: 16,
        sessions,
        signal: controller.signal,
        onProgress: (tiles, total) => {
          done.push(tiles);
          assert.equal(total, 9);
          if (tiles === 2) controller.abort();
        },
      });
      await assert.rejects(run, { name: 'AbortError' });
      assert.deepEqual(done, [1, 2], 'no tile runs after the abort');

      const dir = makeTempDir();
      const out = join(dir, 'out.png');
      const late = new AbortController();
      await assert.rejects(
        upscaleImageToFile(png, out, {
          model: x2,
          tile: 64,
          overlap: 16,
          sessions,
          signal: late.signal,
          onProgress: (n) => n === 3 && late.abort(),
        }),
        { name: 'AbortError' },
      );
      assert.deepEqual(readdirSync(dir), [], 'no partial or temporary file left');
      await assert.rejects(upscaleImage(png, { model: x2, sessions, signal: AbortSignal.abort() }), {
        name: 'AbortError',
      });
    });
  });

  describe('PNG output', () => {
    it('streams the same pixels into a PNG buffer and a PNG file, RGB and RGBA', async () => {
      const dir = makeTempDir();
      for (const alpha of [false, true]) {
        const png = await illustrationPng(72, 56, { seed: 12, alpha });
        const options = { model: x2, tile: 48, overlap: 12, targetLongSide: 120, sessions };
        const raw = await upscaleImage(png, options);
        const encoded = await upscaleImageToPng(png, options);
        const out = join(dir, `out-${alpha}.png`);
        const written = await upscaleImageToFile(png, out, options);
        assert.deepEqual(
          [encoded.width, encoded.height, encoded.channels, written.width, written.height],
          [120, 93, alpha ? 4 : 3, 120, 93],
        );
        for (const bytes of [encoded.png, readFileSync(out)]) {
          assert.equal(bytes.subarray(-12).toString('hex'), '0000000049454e44ae426082', 'ends with the IEND chunk');
          const decoded = await sharp(bytes).raw().toBuffer({ resolveWithObject: true });
          assert.deepEqual(
            [decoded.info.width, decoded.info.height, decoded.info.channels],
            [raw.width, raw.height, raw.channels],
          );
          assert.ok(decoded.data.equals(raw.data), 'the PNG holds exactly the upscaled pixels');
        }
      }
      assert.deepEqual(readdirSync(dir).sort(), ['out-false.png', 'out-true.png']);
    });
  });

  describe('memory', () => {
    it('upscales 1200x800 at x4 into a 4800x3200 PNG with bounded peak RSS (child process)', async function () {
      this.timeout(180_000);
      const dir = makeTempDir();
      const input = join(dir, 'in.png');
      const output = join(dir, 'out.png');
      writeFileSync(input, await illustrationPng(1200, 800, { seed: 5 }));
      const result = await upscaleInChild([input, output, x4.file, '--tile', '128']);
      assert.deepEqual([result.width, result.height], [4800, 3200]);
      assert.ok(existsSync(output));
      const meta = await sharp(output).metadata();
      assert.deepEqual([meta.width, meta.height], [4800, 3200]);
      // Measured ~240 MB. A single pass would peak over 1.5 GB; holding the output as float32 would add 184 MB.
      assert.ok(result.maxRssMb < 380, `peak RSS ${result.maxRssMb.toFixed(0)} MB`);
    });
  });
});
