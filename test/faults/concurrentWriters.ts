/**
 * Concurrency trials: two `tagbench` processes on one dataset at once, started a random moment apart.
 * - an index run that re-reads every image while a batch edit renames a tag: right after both, without
 *   another index run, the index holds every caption as it is on disk;
 * - an export while a batch edit renames a tag: the export holds each caption as it was before or after
 *   the batch (never a mix), and the same export run again brings every changed caption up to date.
 */
import { cpSync, readdirSync, readFileSync, rmSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../helpers/runCli.ts';
import type { CliResult } from '../helpers/runCli.ts';
import { decodeCaption } from '../../src/core/caption/captionFile.ts';
import { indexDataset } from '../../src/core/index/indexer.ts';
import { openDatasetIndex } from '../../src/core/index/datasetIndex.ts';
import { searchImages } from '../../src/core/index/search.ts';
import { seededRandom, templateIn } from './faultScenarios.ts';

/** One finished trial. */
export interface ConcurrencyResult {
  trial: string;
  staggerMs: number;
  problems: string[];
}

const FOLDERS = ['10_alice', '5_bob'];

function captionFiles(dir: string): string[] {
  return FOLDERS.flatMap((folder) =>
    readdirSync(join(dir, folder))
      .filter((n) => n.endsWith('.txt'))
      .map((n) => `${folder}/${n}`),
  );
}

function exitProblems(what: string, run: CliResult): string[] {
  return run.code === 0 ? [] : [`${what} exited ${run.code}: ${run.stderr.trim().split('\n')[0]}`];
}

/** Runs two commands, the second `staggerMs` after the first. */
async function both(first: string[], second: string[], staggerMs: number): Promise<[CliResult, CliResult]> {
  const a = runCli(first);
  await new Promise((resolve) => setTimeout(resolve, staggerMs));
  const b = runCli(second);
  return [await a, await b];
}

/** Runs `trials` trials of each pair; folders of failed trials are kept in `work`. */
export async function runConcurrencyTrials(options: {
  seed: number;
  trials: number;
  work: string;
  log?: (line: string) => void;
}): Promise<ConcurrencyResult[]> {
  const log = options.log ?? (() => {});
  const template = await templateIn(options.work);
  const random = seededRandom(options.seed);
  const results: ConcurrencyResult[] = [];
  for (let i = 0; i < options.trials; i++) {
    for (const pair of ['index + batch edit', 'export + batch edit'] as const) {
      const dir = join(options.work, `concurrent-${results.length + 1}`);
      const out = `${dir}-export`;
      rmSync(dir, { recursive: true, force: true });
      rmSync(out, { recursive: true, force: true });
      cpSync(template, dir, { recursive: true, preserveTimestamps: true });
      await indexDataset(dir, { thumbnails: false });
      const rename = ['tags', dir, 'rename', 'solo', 'alone', '--json'];
      const staggerMs = Math.round(random() * 600);
      const problems: string[] = [];
      if (pair === 'index + batch edit') {
        // Touch every image so the index run reads each one (and its caption) again.
        const later = new Date(Date.now() + 10_000);
        for (const folder of FOLDERS) {
          for (const name of readdirSync(join(dir, folder)))
            if (name.endsWith('.png')) utimesSync(join(dir, folder, name), later, later);
        }
        const [index, batch] = await both(['index', dir, '--json'], rename, staggerMs);
        problems.push(...exitProblems('index', index), ...exitProblems('batch edit', batch));
        const { db } = openDatasetIndex(dir);
        try {
          const rows = new Map(searchImages(db, '', { limit: 10_000 }).items.map((item) => [item.path, item.caption]));
          for (const file of captionFiles(dir)) {
            const onDisk = decodeCaption(readFileSync(join(dir, file))).text.trimEnd(); // search gives captions trimmed
            const image = file.replace(/\.txt$/, '.png');
            if (rows.get(image)?.trimEnd() !== onDisk)
              problems.push(
                `the index has ${JSON.stringify(rows.get(image))} for ${file}, the file ${JSON.stringify(onDisk)}`,
              );
          }
        } finally {
          db.close();
        }
      } else {
        const exportArgs = ['export', dir, '--out', out, '--format', 'kohya', '--json'];
        const [exported, batch] = await both(exportArgs, rename, staggerMs);
        problems.push(...exitProblems('export', exported), ...exitProblems('batch edit', batch));
        const exportedCaption = (file: string): string => readFileSync(join(out, file), 'utf8');
        for (const file of captionFiles(dir)) {
          const text = exportedCaption(file);
          if (text.includes('solo') && text.includes('alone'))
            problems.push(`${file} in the export mixes before and after`);
        }
        problems.push(...exitProblems('the export run again', await runCli(exportArgs)));
        for (const file of captionFiles(dir)) {
          const source = decodeCaption(readFileSync(join(dir, file))).text;
          if (source.includes('alone') !== exportedCaption(file).includes('alone'))
            problems.push(`${file} in the export is not up to date after the re-run`);
        }
      }
      const trial = `${pair} #${i}`;
      results.push({ trial, staggerMs, problems: problems.slice(0, 6) });
      log(
        `${trial}: second command ${staggerMs} ms after the first: ${problems.length === 0 ? 'consistent' : problems.slice(0, 6).join('; ')}`,
      );
      if (problems.length === 0) {
        rmSync(dir, { recursive: true, force: true });
        rmSync(out, { recursive: true, force: true });
      }
    }
  }
  return results;
}
