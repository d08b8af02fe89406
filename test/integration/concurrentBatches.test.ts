import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { indexDataset } from '../../src/core/index/indexer.ts';
import { openDatasetIndex } from '../../src/core/index/datasetIndex.ts';
import { searchImages } from '../../src/core/index/search.ts';
import { makeTempDir, removeTempDirs } from '../helpers/tempDir.ts';
import { runCli } from '../helpers/runCli.ts';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { snapshotFiles } from '../helpers/datasetSnapshot.ts';

const HOLDER = fileURLToPath(new URL('../fixtures/locks/holdEditLock.ts', import.meta.url));

interface BatchJson {
  batch: string | null;
  changed: number;
  unchanged: number;
  conflicts: number;
  problems: { path: string; reason: string }[];
}

const IMAGES = 80;
const TRIALS = 8;

describe('two batch edits at once, as two processes', function () {
  this.timeout(600_000);
  let root: string;
  const caption = (i: number): string => `tagA, girl ${i}, sky, smile\n`;
  const captionFile = (i: number): string => join(root, `img${String(i).padStart(3, '0')}.txt`);

  before(async () => {
    root = makeTempDir();
    const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: { r: 10, g: 20, b: 30 } } })
      .png()
      .toBuffer();
    for (let i = 0; i < IMAGES; i++) {
      // distinct bytes per image, so each is its own image in the index
      writeFileSync(join(root, `img${String(i).padStart(3, '0')}.png`), Buffer.concat([png, Buffer.from(String(i))]));
      writeFileSync(captionFile(i), caption(i));
    }
    await indexDataset(root, { thumbnails: false });
  });
  after(removeTempDirs);

  it(`never loses an edit: every caption gets both renames and each report matches the files (${TRIALS} trials)`, async () => {
    for (let trial = 0; trial < TRIALS; trial++) {
      for (let i = 0; i < IMAGES; i++) writeFileSync(captionFile(i), caption(i));
      await indexDataset(root, { thumbnails: false });
      const [first, second] = await Promise.all([
        runCli(['tags', root, 'rename', 'tagA', 'tagB', '--json']),
        runCli(['tags', root, 'rename', 'sky', 'skyX', '--json']),
      ]);
      const reports = [first, second].map((run) => JSON.parse(run.stdout) as BatchJson);
      const lost: string[] = [];
      for (let i = 0; i < IMAGES; i++) {
        const text = readFileSync(captionFile(i), 'utf8');
        if (text !== `tagB, girl ${i}, skyX, smile\n`) lost.push(`${i}: ${JSON.stringify(text)}`);
      }
      assert.deepEqual(lost, [], `trial ${trial}: captions missing an edit`);
      for (const run of [first, second])
        assert.equal(run.code, 0, `trial ${trial}: ${run.stderr}${run.stdout.slice(0, 400)}`);
      for (const report of reports) {
        assert.deepEqual(
          [report.changed, report.unchanged, report.conflicts],
          [IMAGES, 0, 0],
          `trial ${trial}: ${JSON.stringify(report.problems.slice(0, 3))}`,
        );
      }
      const { db } = openDatasetIndex(root);
      try {
        const search = (query: string): number => searchImages(db, query, { limit: 0 }).total;
        assert.deepEqual(
          [search('tagB skyX'), search('tagA'), search('sky')],
          [IMAGES, 0, 0],
          `trial ${trial}: the index follows both`,
        );
      } finally {
        db.close();
      }
    }
  });

  it('gives up after --wait seconds while another writer holds the dataset, naming it, and changes nothing', async () => {
    const child = spawn(process.execPath, [HOLDER, root, '60000', 'tagbench tags normalize'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    await new Promise((resolve) => child.stdout.once('data', resolve));
    const before = snapshotFiles(root);
    const run = await runCli(['tags', root, 'rename', 'smile', 'grin', '--wait', '0.3']);
    assert.equal(run.code, 1);
    assert.equal(run.stdout, '');
    assert.match(
      run.stderr,
      new RegExp(
        `^tagbench: Another Tagbench writer \\(tagbench tags normalize, process ${child.pid}, since \\d\\d:\\d\\d:\\d\\d UTC\\) is editing this dataset's captions and sidecars; gave up after waiting 300 ms\\. Try again when it has finished\\.\n$`,
      ),
      'one clear sentence: a busy dataset is not a bug to debug',
    );
    assert.deepEqual(snapshotFiles(root), before);
    child.kill('SIGKILL');
    await exited;
  });
});
