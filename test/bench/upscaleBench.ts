/**
 * Upscaling benchmarks (Real-ESRGAN animevideov3 models, ONNX Runtime CPU):
 * - tiled (default 256 px tiles, 24 px overlap) vs single-pass time on images that fit in one pass
 *   (goal: tiled at most 1.15x single pass);
 * - 1 vs 2 model threads, with and without spinning (figures only);
 * - peak RSS upscaling a 4000x4000 image at x4 into a 16000x16000 PNG (goal: under 1.5 GB), and a
 *   6000x4000 image at x2 with 128 px tiles into a 12000x8000 PNG (same goal). These take minutes
 *   each (about 3 and 5 on 2 cores); progress is printed.
 * Usage: node test/bench/upscaleBench.ts [--quick]   (--quick: 2000x2000 and 3000x2000 instead)
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { loadModelInfo } from '../../src/core/models/modelCatalog.ts';
import type { ModelInfo } from '../../src/core/models/modelCatalog.ts';
import { SessionCache } from '../../src/core/models/sessionCache.ts';
import { upscaleImage } from '../../src/core/models/upscaler.ts';
import type { UpscaleOptions } from '../../src/core/models/upscaler.ts';
import { illustrationPng } from '../fixtures/models/illustration.ts';
import { benchPath, REPO, report } from './benchUtil.ts';

const quick = process.argv.includes('--quick');
const MODELS = join(REPO, 'models');
const CHILD = join(REPO, 'test', 'fixtures', 'models', 'upscaleChild.ts');
const x2 = await loadModelInfo(join(MODELS, 'realesr-animevideov3-x2.onnx'), true);
const x4 = await loadModelInfo(join(MODELS, 'realesr-animevideov3-x4.onnx'), true);
const dir = benchPath('upscale');

/** A generated illustration PNG under .bench/upscale, made once and kept. */
async function input(width: number, height: number): Promise<string> {
  const path = join(dir, `illustration-${width}x${height}.png`);
  if (!existsSync(path)) {
    console.log(`generating ${width}x${height} illustration ...`);
    writeFileSync(path, await illustrationPng(width, height, { seed: 21 }));
  }
  return path;
}

/** Best wall time (ms) of `runs` upscales of a file in this process. */
async function bestMs(file: string, options: UpscaleOptions, runs: number): Promise<number> {
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await upscaleImage(file, options);
    best = Math.min(best, performance.now() - started);
  }
  return best;
}

/** CPU time (ms) every process on the machine has used so far, from /proc/stat (Linux), or NaN. */
function machineCpuMs(): number {
  if (!existsSync('/proc/stat')) return NaN;
  const [user, nice, system, , , irq, softirq, steal] = readFileSync('/proc/stat', 'utf8')
    .split('\n')[0]!
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  return (user! + nice! + system! + irq! + softirq! + steal!) * 10;
}

/** Runs `work` and returns its wall time and how many cores other processes kept busy meanwhile. */
async function withLoad(work: () => Promise<number>): Promise<{ ms: number; others: number }> {
  const machine = machineCpuMs();
  const own = process.cpuUsage();
  const started = performance.now();
  const ms = await work();
  const wall = performance.now() - started;
  const mine = process.cpuUsage(own);
  return { ms, others: Math.max(0, (machineCpuMs() - machine - (mine.user + mine.system) / 1000) / wall) };
}

/** Runs the upscale child on a file and returns its JSON line, echoing its progress lines. */
function upscaleInChild(args: string[]): Promise<{ ms: number; maxRssMb: number; width: number; height: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, ...args, '--progress'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      process.stdout.write(d);
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolve(JSON.parse(stdout.trim().split('\n').pop()!))
        : reject(new Error(`upscale child exited with ${code}: ${stderr.slice(-2000)}`)),
    );
  });
}

console.log(
  `\ntiled (256 px, 24 px overlap) vs single pass, x4, ${availableParallelism()} threads, best of 3, alternating`,
);
const sessions = new SessionCache();
for (const size of [512, 1024]) {
  const file = await input(size, size);
  await upscaleImage(file, { model: x4, sessions, tile: 128 });
  let single = Infinity;
  let tiled = Infinity;
  const { others } = await withLoad(async () => {
    for (let i = 0; i < 3; i++) {
      single = Math.min(single, await bestMs(file, { model: x4, sessions, tile: 0 }, 1));
      tiled = Math.min(tiled, await bestMs(file, { model: x4, sessions }, 1));
    }
    return 0;
  });
  console.log(`  ${size}x${size}: other processes kept ${others.toFixed(2)} cores busy meanwhile`);
  report(
    `tiled vs single pass, ${size}x${size} at x4`,
    `${(tiled / single).toFixed(2)}x (${(tiled / 1000).toFixed(2)} vs ${(single / 1000).toFixed(2)} s)`,
    '<= 1.15x',
    tiled / single <= 1.15,
  );
}
await sessions.releaseAll();

console.log(
  '\nmodel threads, 512x512 at x4, 256 px tiles, 3 interleaved rounds (figures only; the default is one thread per core, no spinning)',
);
console.log('  "others": cores other processes kept busy meanwhile (mean); the ranking changes when they are busy');
{
  const file = await input(512, 512);
  const variants: Array<{ name: string; cache: SessionCache; times: number[]; others: number[] }> = [
    { name: '1 thread', cache: new SessionCache({ intraOpNumThreads: 1 }), times: [], others: [] },
    { name: '2 threads', cache: new SessionCache({ intraOpNumThreads: 2 }), times: [], others: [] },
    {
      name: '2 threads, spinning',
      cache: new SessionCache({ intraOpNumThreads: 2, spinning: true }),
      times: [],
      others: [],
    },
  ];
  for (const v of variants) await upscaleImage(file, { model: x4, sessions: v.cache, tile: 128 });
  for (let round = 0; round < 3; round++) {
    for (const v of variants) {
      const { ms, others } = await withLoad(() => bestMs(file, { model: x4, sessions: v.cache }, 1));
      v.times.push(ms);
      v.others.push(others);
    }
  }
  for (const v of variants) {
    const others = v.others.reduce((a, b) => a + b) / v.others.length;
    console.log(
      `  ${v.name.padEnd(22)} best ${(Math.min(...v.times) / 1000).toFixed(2)} s, runs ${v.times.map((t) => (t / 1000).toFixed(2)).join(' / ')} s   others ${others.toFixed(2)} cores`,
    );
    await v.cache.releaseAll();
  }
}

const large: Array<[string, ModelInfo, number, number, string[]]> = quick
  ? [
      ['2000x2000 at x4', x4, 2000, 2000, []],
      ['3000x2000 at x2, 128 px tiles', x2, 3000, 2000, ['--tile', '128']],
    ]
  : [
      ['4000x4000 at x4', x4, 4000, 4000, []],
      ['6000x4000 at x2, 128 px tiles', x2, 6000, 4000, ['--tile', '128']],
    ];
for (const [name, model, width, height, flags] of large) {
  const file = await input(width, height);
  const out = join(dir, 'out.png');
  console.log(`\n${name} -> ${width * model.scale}x${height * model.scale} PNG, streamed to disk, in a child process`);
  const result = await upscaleInChild([file, out, model.file, ...flags]);
  const meta = await sharp(out).metadata();
  if (meta.width !== width * model.scale || meta.height !== height * model.scale)
    throw new Error(`wrong output size ${meta.width}x${meta.height}`);
  rmSync(out, { force: true });
  const mpPerMin = ((width * height) / 1e6 / (result.ms / 60_000)).toFixed(2);
  console.log(`  ${(result.ms / 1000).toFixed(0)} s (${mpPerMin} input MP/min)`);
  report(`peak RSS upscaling ${name}`, `${result.maxRssMb.toFixed(0)} MB`, '< 1.5 GB', result.maxRssMb < 1536);
}
