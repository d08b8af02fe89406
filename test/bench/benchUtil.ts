/** Shared pieces of the benchmarks: where their data lives, timing, and printing. */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { generateSample } from '../sample/sampleDataset.ts';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** The repository root. */
export const REPO = fileURLToPath(new URL('../..', import.meta.url));

/** Benchmark data (generated datasets, indexes), kept between runs and git-ignored. */
export const BENCH_DIR = join(REPO, '.bench');

/** A folder under .bench/, created if missing. */
export function benchPath(name: string): string {
  const dir = join(BENCH_DIR, name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Whether a generated dataset folder already holds `count` files with extension `ext`. */
export function hasFiles(dir: string, count: number, ext: string): boolean {
  if (!existsSync(dir)) return false;
  let n = 0;
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.name.startsWith('.')) continue;
      if (e.isDirectory()) walk(join(d, e.name));
      else if (e.name.endsWith(ext)) n++;
    }
  };
  walk(dir);
  return n >= count;
}

/** Runs a command; resolves with its wall time in ms, stdout and stderr; rejects on a non-zero exit. */
export function run(
  cmd: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ ms: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - started;
      if (code === 0) resolve({ ms, stdout, stderr });
      else reject(new Error(`${cmd} ${args.join(' ')} exited with ${code}: ${stderr.slice(-2000)}`));
    });
  });
}

/** Goals this benchmark process missed, and checks of its own run that failed. */
const missed: string[] = [];

process.on('exit', () => {
  if (missed.length === 0) return;
  console.log(
    `\n${missed.length} goal${missed.length === 1 ? '' : 's'} not met or check${missed.length === 1 ? '' : 's'} failed: ${missed.join('; ')}`,
  );
  process.exitCode = 1;
});

/**
 * Prints a figure with its goal and the verdict. `goal` says what the figure is compared with (a
 * number, or a ratio to a reference measured in the same run) and `met` is that comparison; a goal
 * not met makes the benchmark (and `npm run bench`) exit with 1.
 */
export function report(name: string, figure: string, goal: string, met: boolean): void {
  console.log(`${name.padEnd(44)} ${figure.padEnd(36)} goal ${goal.padEnd(18)} ${met ? 'met' : 'NOT MET'}`);
  if (!met) {
    missed.push(name);
    process.exitCode = 1;
  }
}

/** Prints a figure that has no goal: a reference the goals are measured against, or a figure to watch. */
export function figure(name: string, value: string): void {
  console.log(`${name.padEnd(44)} ${value.padEnd(36)} (figure only)`);
}

/**
 * Checks that a benchmark run did what it measures (every image exported, every item answered once):
 * not a goal, but a figure of a broken run means nothing, so a failed check fails the benchmark too.
 */
export function check(name: string, ok: boolean, detail: string): void {
  if (ok) return;
  console.log(`${name.padEnd(44)} CHECK FAILED: ${detail}`);
  missed.push(`${name} (${detail})`);
  process.exitCode = 1;
}

/** The p-th percentile (0..100) of a list of numbers. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? NaN;
}

/** A generated dataset of `count` JPEGs of `size` ('WxH') under .bench/, made once and kept. */
export async function ensureJpegDataset(count: number, size: string): Promise<string> {
  const dir = benchPath(`jpeg-${count}-${size}`);
  if (!hasFiles(dir, count, '.jpg')) {
    rmSync(dir, { recursive: true, force: true });
    console.log(`generating ${count} ${size} JPEGs in ${dir} ...`);
    const [width, height] = size.split('x').map(Number);
    await generateSample(dir, { count, width: width!, height: height!, format: 'jpg', seed: 7 });
  }
  return dir;
}
