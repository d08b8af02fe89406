/**
 * Fault injection: the `tagbench` CLI killed with SIGKILL at a random moment of its work (index,
 * batch edit, undo, export, process), then recovered the way a user would (run it again, undo,
 * resume). Each scenario says what "recovered" means and checks it against a run that was never
 * killed. Random moments come from a seeded generator, so a failing trial can be replayed.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { CLI, runCli } from '../helpers/runCli.ts';
import type { CliResult } from '../helpers/runCli.ts';
import { dumpIndex, snapshotFiles } from '../helpers/datasetSnapshot.ts';
import { indexDataset } from '../../src/core/index/indexer.ts';
import { openDatasetIndex } from '../../src/core/index/datasetIndex.ts';
import { searchImages } from '../../src/core/index/search.ts';

/** A deterministic generator of numbers in [0, 1) (mulberry32). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One trial's folders: the dataset, and a sibling folder for exports. */
export interface Trial {
  dir: string;
  out: string;
  random: () => number;
}

/** A command to kill, how to set up before it, and how to recover and check after the kill. */
export interface Scenario {
  name: string;
  /** Brings a fresh copy of the template dataset to where the command starts. */
  prepare(trial: Trial): Promise<void>;
  /** The CLI arguments of the command that is killed. */
  command(trial: Trial): string[];
  /** Whatever the unkilled command's result is compared with, from a prepared trial where it ran to the end. */
  reference(trial: Trial): Promise<void>;
  /** Recovers as a user would after the kill, and lists what is wrong (nothing: the trial passed). */
  recover(trial: Trial): Promise<string[]>;
}

const IMAGES = 120;

/** The template dataset in `work` (made the first time): two kohya-style concept folders of noisy PNGs with captions. */
export async function templateIn(work: string): Promise<string> {
  const dir = join(work, 'template');
  if (!existsSync(dir)) await makeTemplate(dir);
  return dir;
}

async function makeTemplate(dir: string): Promise<void> {
  for (let i = 0; i < IMAGES; i++) {
    const folder = join(dir, i % 2 ? '10_alice' : '5_bob');
    mkdirSync(folder, { recursive: true });
    const noise = await sharp({
      create: {
        width: 200 + (i % 9),
        height: 150,
        channels: 3,
        background: { r: 0, g: 0, b: 0 },
        noise: { type: 'gaussian', mean: 100 + (i % 50), sigma: 40 },
      },
    })
      .png()
      .toBuffer();
    await sharp(noise)
      .resize(320 + (i % 9) * 4, 240)
      .png()
      .toFile(join(folder, `img${i}.png`));
    writeFileSync(join(folder, `img${i}.txt`), `${i % 3 ? 'solo, ' : ''}girl ${i}, sky${i % 4 === 0 ? '\r\n' : '\n'}`);
  }
}

/** Runs the CLI and kills it with SIGKILL after `delayMs` unless it ended before; says whether it was killed. */
export function runKilled(args: readonly string[], delayMs: number): Promise<{ killed: boolean; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: 'ignore' });
    const timer = setTimeout(() => child.kill('SIGKILL'), delayMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ killed: signal === 'SIGKILL', code });
    });
  });
}

/** Every file under `dir` (skipping `skip` names) with a hash of its bytes, `OUT` standing for `out` in text files. */
function tree(dir: string, skip: readonly string[] = [], out?: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (abs: string, rel: string): void => {
    if (!existsSync(abs)) return;
    for (const name of readdirSync(abs).sort()) {
      if (skip.includes(name)) continue;
      const path = rel ? `${rel}/${name}` : name;
      const stat = lstatSync(join(abs, name));
      if (stat.isDirectory()) walk(join(abs, name), path);
      else {
        let bytes = readFileSync(join(abs, name));
        if (out && /\.(toml|json|txt)$/.test(name)) bytes = Buffer.from(bytes.toString('utf8').split(out).join('OUT'));
        files.set(path, createHash('sha256').update(bytes).digest('hex'));
      }
    }
  };
  walk(dir, '');
  return files;
}

/** What differs between two trees, in a few lines. */
function treeDiff(what: string, actual: Map<string, string>, expected: Map<string, string>): string[] {
  const problems: string[] = [];
  for (const [path, hash] of expected) {
    if (!actual.has(path)) problems.push(`${what}: ${path} is missing`);
    else if (actual.get(path) !== hash) problems.push(`${what}: ${path} differs`);
  }
  for (const path of actual.keys()) if (!expected.has(path)) problems.push(`${what}: ${path} should not be there`);
  return problems.slice(0, 5).concat(problems.length > 5 ? [`${what}: ... and ${problems.length - 5} more`] : []);
}

/** Temporary files of interrupted atomic writes anywhere under `dir`. */
function strayTemps(dir: string): string[] {
  const found: string[] = [];
  const walk = (abs: string): void => {
    for (const name of readdirSync(abs)) {
      const path = join(abs, name);
      if (lstatSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.tmp')) found.push(path);
    }
  };
  if (existsSync(dir)) walk(dir);
  return found;
}

/** Caption files of a dataset, by path, as bytes in hex. */
function captions(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const folder of ['10_alice', '5_bob']) {
    for (const name of readdirSync(join(dir, folder)))
      if (name.endsWith('.txt')) out.set(`${folder}/${name}`, readFileSync(join(dir, folder, name)).toString('hex'));
  }
  return out;
}

function expectCode(what: string, run: CliResult, problems: string[]): void {
  if (run.code !== 0) problems.push(`${what} exited ${run.code}: ${run.stderr.trim().split('\n')[0]}`);
  if (/run with --debug/.test(run.stderr))
    problems.push(`${what} reported a defect: ${run.stderr.trim().split('\n')[0]}`);
}

/** How many indexed images match a query, read straight from the index (no re-index first). */
function indexedCount(dir: string, query: string): number {
  const { db } = openDatasetIndex(dir);
  try {
    return searchImages(db, query, { limit: 0 }).total;
  } finally {
    db.close();
  }
}

/** Every caption is as before the command or as after it, never anything else (a torn write). */
function torn(now: Map<string, string>, before: Map<string, string>, after: Map<string, string>): string[] {
  const bad = [...now]
    .filter(([path, hex]) => hex !== before.get(path) && hex !== after.get(path))
    .map(([path]) => `${path} is neither as before nor as after`);
  if (now.size !== before.size) bad.push(`${now.size} captions instead of ${before.size}`);
  return bad.slice(0, 5);
}

/** The scenarios, sharing one template folder (made by makeTemplate). */
export function scenarios(template: string): Scenario[] {
  const copy = (trial: Trial): void => cpSync(template, trial.dir, { recursive: true, preserveTimestamps: true });
  const copyIndexed = async (trial: Trial): Promise<void> => {
    copy(trial);
    await indexDataset(trial.dir, { thumbnails: false });
  };
  const rename = (trial: Trial): string[] => ['tags', trial.dir, 'rename', 'solo', 'alone', '--json'];
  const solo = Math.ceil((IMAGES * 2) / 3);

  let indexRef: ReturnType<typeof dumpIndex>;
  const before = captions(template);
  let after: Map<string, string>;
  let exportRef: Map<string, string>;
  let derivedRef: Map<string, string>;

  return [
    {
      name: 'index',
      prepare: async (trial) => copy(trial),
      command: (trial) => ['index', trial.dir, '--json'],
      reference: async (trial) => {
        await runCli(['index', trial.dir, '--json']);
        indexRef = dumpIndex(join(trial.dir, '.tagbench', 'index.db'));
      },
      recover: async (trial) => {
        const problems: string[] = [];
        expectCode('tagbench index after the kill', await runCli(['index', trial.dir, '--json']), problems);
        if (JSON.stringify(dumpIndex(join(trial.dir, '.tagbench', 'index.db'))) !== JSON.stringify(indexRef))
          problems.push('the index differs from one made without a kill');
        problems.push(...strayTemps(trial.dir).map((path) => `temporary file left: ${path}`));
        return problems;
      },
    },
    {
      name: 'batch edit',
      prepare: copyIndexed,
      command: rename,
      reference: async (trial) => {
        await runCli(rename(trial));
        after = captions(trial.dir);
      },
      recover: async (trial) => {
        const problems = torn(captions(trial.dir), before, after);
        // Half the trials undo what the killed batch did, half run it again.
        const undo = trial.random() < 0.5;
        const run = await runCli(undo ? ['undo', trial.dir, '--json'] : rename(trial));
        if (undo && run.code !== 0 && !/nothing to undo/i.test(run.stderr + run.stdout))
          expectCode('tagbench undo after the kill', run, problems);
        if (!undo) expectCode('the batch run again after the kill', run, problems);
        problems.push(
          ...treeDiff(
            undo ? 'captions after undo' : 'captions after the re-run',
            captions(trial.dir),
            undo ? before : after,
          ),
        );
        const alone = indexedCount(trial.dir, 'alone');
        if (alone !== (undo ? 0 : solo))
          problems.push(`the index has ${alone} images tagged "alone" right after the ${undo ? 'undo' : 're-run'}`);
        await indexDataset(trial.dir, { thumbnails: false });
        problems.push(...strayTemps(trial.dir).map((path) => `temporary file left after the next index run: ${path}`));
        return problems;
      },
    },
    {
      name: 'undo',
      prepare: async (trial) => {
        await copyIndexed(trial);
        await runCli(rename(trial));
      },
      command: (trial) => ['undo', trial.dir, '--json'],
      reference: async (trial) => {
        after = captions(trial.dir);
        await runCli(['undo', trial.dir, '--json']);
      },
      recover: async (trial) => {
        const problems = torn(captions(trial.dir), before, after);
        const run = await runCli(['undo', trial.dir, '--json']);
        if (run.code !== 0 && !/nothing to undo/i.test(run.stderr + run.stdout))
          expectCode('tagbench undo again after the kill', run, problems);
        problems.push(...treeDiff('captions after the second undo', captions(trial.dir), before));
        const alone = indexedCount(trial.dir, 'alone');
        if (alone !== 0) problems.push(`the index has ${alone} images tagged "alone" right after the undo`);
        return problems;
      },
    },
    {
      name: 'export',
      prepare: copyIndexed,
      command: (trial) => ['export', trial.dir, '--out', trial.out, '--format', 'kohya', '--json'],
      reference: async (trial) => {
        await runCli(['export', trial.dir, '--out', trial.out, '--format', 'kohya', '--json']);
        exportRef = tree(trial.out, ['.tagbench-export.json'], trial.out);
      },
      recover: async (trial) => {
        const problems: string[] = [];
        const dataset = snapshotFiles(trial.dir);
        expectCode(
          'the export run again after the kill',
          await runCli(['export', trial.dir, '--out', trial.out, '--format', 'kohya', '--json']),
          problems,
        );
        problems.push(...treeDiff('export', tree(trial.out, ['.tagbench-export.json'], trial.out), exportRef));
        problems.push(...strayTemps(trial.out).map((path) => `temporary file left in the export: ${path}`));
        if (JSON.stringify([...snapshotFiles(trial.dir)]) !== JSON.stringify([...dataset]))
          problems.push('the export changed the dataset');
        return problems;
      },
    },
    {
      name: 'process',
      prepare: copyIndexed,
      command: (trial) => ['process', trial.dir, '--resize', '256', '--mode', 'crop', '--json'],
      reference: async (trial) => {
        await runCli(['process', trial.dir, '--resize', '256', '--mode', 'crop', '--json']);
        derivedRef = tree(join(trial.dir, '.tagbench', 'derived'));
      },
      recover: async (trial) => {
        const problems: string[] = [];
        const { jobs } = JSON.parse((await runCli(['jobs', trial.dir, '--json'])).stdout) as {
          jobs: { id: number; kind: string; state: string }[];
        };
        const job = jobs.find((j) => j.kind === 'process');
        if (job && job.state !== 'done') {
          const run = await runCli(['resume', trial.dir, String(job.id)]);
          if (/running in another process/.test(run.stderr))
            problems.push(`resume right after the kill: ${run.stderr.trim()}`);
          else expectCode(`tagbench resume of a ${job.state} job`, run, problems);
        } else if (!job) {
          expectCode(
            'process run again (the kill came before the job was made)',
            await runCli(['process', trial.dir, '--resize', '256', '--mode', 'crop', '--json']),
            problems,
          );
        }
        problems.push(...treeDiff('derived images', tree(join(trial.dir, '.tagbench', 'derived')), derivedRef));
        problems.push(
          ...strayTemps(join(trial.dir, '.tagbench', 'derived')).map((path) => `temporary file left: ${path}`),
        );
        return problems;
      },
    },
  ];
}

/** One finished trial. */
export interface TrialResult {
  scenario: string;
  trial: number;
  delayMs: number;
  killed: boolean;
  problems: string[];
}

/**
 * Runs `trials` trials of each scenario: each on a fresh copy of the template, killed after a random
 * delay within the unkilled command's run time (from just after Node's start-up to its end).
 */
export async function runFaultTrials(options: {
  seed: number;
  trials: number;
  only?: readonly string[];
  log?: (line: string) => void;
  work: string;
}): Promise<TrialResult[]> {
  const log = options.log ?? (() => {});
  const template = await templateIn(options.work);
  const random = seededRandom(options.seed);
  const results: TrialResult[] = [];
  const started = performance.now();
  await runCli(['--help']);
  const startupMs = performance.now() - started;
  let n = 0;
  const nextTrial = (): Trial => {
    n++;
    const dir = join(options.work, `trial-${n}`);
    rmSync(dir, { recursive: true, force: true });
    rmSync(`${dir}-export`, { recursive: true, force: true });
    return { dir, out: `${dir}-export`, random };
  };
  for (const scenario of scenarios(template)) {
    if (options.only && !options.only.includes(scenario.name)) continue;
    const ref = nextTrial();
    await scenario.prepare(ref);
    const t0 = performance.now();
    await scenario.reference(ref);
    const runMs = performance.now() - t0;
    for (let i = 0; i < options.trials; i++) {
      const trial = nextTrial();
      await scenario.prepare(trial);
      const delayMs = Math.round(startupMs * 0.8 + random() * Math.max(50, runMs - startupMs * 0.8));
      const { killed } = await runKilled(scenario.command(trial), delayMs);
      const problems = await scenario.recover(trial);
      results.push({ scenario: scenario.name, trial: i, delayMs, killed, problems });
      log(
        `${scenario.name} #${i}: killed after ${delayMs} ms${killed ? '' : ' (it had finished)'}: ${problems.length === 0 ? 'recovered' : problems.join('; ')}`,
      );
      if (problems.length === 0) {
        rmSync(trial.dir, { recursive: true, force: true });
        rmSync(trial.out, { recursive: true, force: true });
      }
    }
    rmSync(ref.dir, { recursive: true, force: true });
    rmSync(ref.out, { recursive: true, force: true });
  }
  return results;
}
