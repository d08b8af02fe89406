/**
 * Batch edit benchmark: plan, apply and undo a rename over 5,000 captions (journal, files, index),
 * against a reference measured in the same run: the same 5,000 caption files written atomically
 * with nothing else (no journal, no index, no checks). Goal: apply within 2x of that reference.
 * Also the cost of taking and giving back the dataset's edit lock (goal: under 1 ms).
 *
 *   node test/bench/batchBench.ts [--quick] [--runs N]   (--quick: 500 captions)
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { indexDataset } from '../../src/core/index/indexer.ts';
import { openDatasetIndex } from '../../src/core/index/datasetIndex.ts';
import { searchImages } from '../../src/core/index/search.ts';
import { applyBatch, planBatch } from '../../src/core/edits/batchEdit.ts';
import { undoLastBatch } from '../../src/core/edits/batchUndo.ts';
import { writeFileAtomic } from '../../src/core/atomicWrite.ts';
import { closeEditLocks, withEditLock } from '../../src/core/edits/editLock.ts';
import { benchPath, hasFiles, report } from './benchUtil.ts';

const { values } = parseArgs({
  options: { quick: { type: 'boolean', default: false }, runs: { type: 'string', default: '3' } },
});
const COUNT = values.quick ? 500 : 5000;
const RUNS = Number(values.runs);
const GOAL_RATIO = 2;

const dir = benchPath(`batch-${COUNT}`);
const caption = (i: number): string =>
  `1girl, solo, girl ${i}, long hair, blue eyes, smile, sky, outdoors, looking at viewer\n`;
const name = (i: number): string => `img${String(i).padStart(5, '0')}`;
if (!hasFiles(dir, COUNT, '.png')) {
  console.log(`generating ${COUNT} tiny PNGs with captions in ${dir} ...`);
  const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: { r: 40, g: 80, b: 120 } } })
    .png()
    .toBuffer();
  for (let i = 0; i < COUNT; i++)
    writeFileSync(join(dir, `${name(i)}.png`), Buffer.concat([png, Buffer.from(String(i))]));
}
for (let i = 0; i < COUNT; i++) writeFileSync(join(dir, `${name(i)}.txt`), caption(i));
rmSync(join(dir, '.tagbench', 'journal'), { recursive: true, force: true });
await indexDataset(dir, { thumbnails: false });

const { db, root } = openDatasetIndex(dir);
const targets = searchImages(db, '', { limit: COUNT }).items.map((i) => ({ id: i.id, path: i.path }));
const times = { plan: [] as number[], apply: [] as number[], undo: [] as number[], reference: [] as number[] };
const time = (list: number[], fn: () => void): void => {
  const started = performance.now();
  fn();
  list.push(performance.now() - started);
};
try {
  for (let run = 0; run < RUNS; run++) {
    let plan = planBatch(root, targets, { kind: 'replaceTag', find: 'sky', replace: 'blue sky', regex: false }, '.txt');
    time(
      times.plan,
      () =>
        (plan = planBatch(
          root,
          targets,
          { kind: 'replaceTag', find: 'sky', replace: 'blue sky', regex: false },
          '.txt',
        )),
    );
    let changed = 0;
    time(times.apply, () => (changed = applyBatch(root, db, plan).changed));
    if (changed !== COUNT) throw new Error(`the batch changed ${changed} captions, not ${COUNT}`);
    time(times.undo, () => undoLastBatch(root, db));
    if (readFileSync(join(root, `${name(0)}.txt`), 'utf8') !== caption(0))
      throw new Error('the undo did not restore the captions');
    const edited = targets.map((_, i) => caption(i).replace('sky', 'blue sky'));
    time(times.reference, () => {
      for (let i = 0; i < COUNT; i++) writeFileAtomic(join(root, `${name(i)}.txt`), edited[i]!);
    });
    for (let i = 0; i < COUNT; i++) writeFileAtomic(join(root, `${name(i)}.txt`), caption(i));
  }
} finally {
  db.close();
}

const lockTimes: number[] = [];
withEditLock(root, { purpose: 'bench' }, () => 0);
for (let i = 0; i < 500; i++) time(lockTimes, () => withEditLock(root, { purpose: 'bench' }, () => i));
closeEditLocks();

const median = (list: number[]): number => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)]!;
const ms = (list: number[]): string => `${median(list).toFixed(0)} ms`;
console.log(`\nrename over ${COUNT} captions, median of ${RUNS} runs`);
const ratio = median(times.apply) / median(times.reference);
report(`plan (read ${COUNT} captions)`, ms(times.plan), 'figure only', true);
report(`reference: ${COUNT} atomic caption writes`, ms(times.reference), 'figure only', true);
report(
  `apply (journal, files, index)`,
  `${ms(times.apply)} (${ratio.toFixed(2)}x reference)`,
  `< ${GOAL_RATIO}x reference`,
  ratio < GOAL_RATIO,
);
report(
  `undo (files, index)`,
  `${ms(times.undo)} (${(median(times.undo) / median(times.reference)).toFixed(2)}x reference)`,
  'figure only',
  true,
);
const lockMs = median(lockTimes);
report(
  'edit lock: acquire and release',
  `${(lockMs * 1000).toFixed(0)} µs (median of ${lockTimes.length})`,
  '< 1 ms',
  lockMs < 1,
);
if (ratio >= GOAL_RATIO || lockMs >= 1) process.exitCode = 1;
if (existsSync(join(root, '.tagbench', 'journal')))
  rmSync(join(root, '.tagbench', 'journal'), { recursive: true, force: true });
