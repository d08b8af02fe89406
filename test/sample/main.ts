/** `npm run sample -- DIR [--count N] [--seed S] [--size WxH] [--format jpg] [--no-captions] [--force]`: writes a sample dataset. */
import { readdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { generateSample, SAMPLE_FORMATS } from './sampleDataset.ts';
import type { SampleOptions } from './sampleDataset.ts';

const USAGE = `Usage: npm run sample -- DIR [--count N] [--seed S] [--size WxH] [--format ${SAMPLE_FORMATS.join('|')}] [--no-captions] [--force]
Writes a sample dataset into DIR: a realistic mix by default; every image one size and format with --size or --format.
DIR must be empty or missing unless --force (files of the same names are then replaced, others kept).`;

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        count: { type: 'string' },
        seed: { type: 'string' },
        size: { type: 'string' },
        format: { type: 'string' },
        'no-captions': { type: 'boolean' },
        force: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    return fail(`${(err as Error).message}\n${USAGE}`);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (positionals.length !== 1 || !positionals[0]) return fail(USAGE);
  const dir = resolve(positionals[0]);

  const options: SampleOptions = { captions: !values['no-captions'] };
  if (values.count !== undefined) {
    const count = wholeNumber(values.count);
    if (count === undefined) return fail(`--count must be a whole number, not "${values.count}".`);
    options.count = count;
  }
  if (values.seed !== undefined) {
    const seed = wholeNumber(values.seed);
    if (seed === undefined) return fail(`--seed must be a whole number, not "${values.seed}".`);
    options.seed = seed;
  }
  if (values.size !== undefined) {
    const match = /^(\d+)x(\d+)$/i.exec(values.size);
    if (!match) return fail(`--size must look like 2000x1500, not "${values.size}".`);
    options.width = Number(match[1]);
    options.height = Number(match[2]);
  }
  if (values.format !== undefined) options.format = values.format;

  if (!values.force) {
    const existing = await readdir(dir).catch((err: NodeJS.ErrnoException) =>
      err.code === 'ENOENT' ? [] : Promise.reject(err),
    );
    if (existing.length > 0) return fail(`${dir} is not empty; pass --force to write into it anyway.`);
  }

  const started = performance.now();
  const progress = process.stderr.isTTY ? progressLine() : undefined;
  let result;
  try {
    result = await generateSample(dir, { ...options, ...(progress ? { onProgress: progress.update } : {}) });
  } catch (err) {
    return fail((err as Error).message, 1);
  } finally {
    progress?.clear();
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  process.stdout.write(`Wrote ${result.images} images and ${result.captions} captions to ${dir} in ${seconds} s.\n`);
  return 0;
}

function wholeNumber(text: string): number | undefined {
  return /^\d+$/.test(text) ? Number(text) : undefined;
}

function fail(message: string, code = 2): number {
  process.stderr.write(`${message}\n`);
  return code;
}

/** A progress counter rewritten in place on the terminal, at most every 100 ms. */
function progressLine(): { update: (done: number, total: number) => void; clear: () => void } {
  let last = 0;
  let shown = false;
  return {
    update: (done, total) => {
      const now = performance.now();
      if (done < total && now - last < 100) return;
      last = now;
      shown = true;
      process.stderr.write(`\r${done}/${total} images`);
    },
    clear: () => {
      if (shown) process.stderr.write('\r\x1b[K');
      shown = false;
    },
  };
}

process.exitCode = await main(process.argv.slice(2));
