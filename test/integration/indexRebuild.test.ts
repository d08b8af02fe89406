/**
 * `tagbench rebuild` (indexDataset with rebuild) rebuilds inside the existing index file: the job
 * history stays, and connections that have the index open (VS Code's data worker) go on working.
 */
import assert from 'node:assert/strict';
import { openSync, writeSync, closeSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { indexDataset } from '../../src/core/index/indexer.ts';
import { openDatasetIndex } from '../../src/core/index/datasetIndex.ts';
import { createJob, listJobs } from '../../src/core/jobs/jobStore.ts';
import { datasetLayout } from '../../src/core/dataset/datasetLayout.ts';
import { generateSample } from '../sample/sampleDataset.ts';
import { makeTempDir, removeTempDirs } from '../helpers/tempDir.ts';
import { dumpIndex } from '../helpers/datasetSnapshot.ts';

describe('rebuilding the index', function () {
  this.timeout(60_000);
  let root: string;

  before(async () => {
    root = join(makeTempDir(), 'ds');
    await generateSample(root, { count: 12, seed: 3 });
    await indexDataset(root);
  });
  after(removeTempDirs);

  it('keeps the job history and works while another connection has the index open', async () => {
    const layout = datasetLayout(root);
    const before = dumpIndex(layout.indexFile);
    const holder = openDatasetIndex(root);
    try {
      const id = createJob(holder.db, 'process', 'A paused job', { root }, ['a.png']);
      const summary = await indexDataset(root, { rebuild: true });
      assert.equal(summary.new, 12, 'every file was read again');
      assert.deepEqual(dumpIndex(layout.indexFile), before, 'the same state as before');
      const count = holder.db.prepare('SELECT count(*) FROM images').pluck().get() as number;
      assert.equal(count, 12, 'the open connection sees the rebuilt index, not a deleted file');
      assert.deepEqual(
        listJobs(holder.db).map((j) => j.id),
        [id],
      );
      assert.match(summary.messages.join(' '), /emptied to be rebuilt from the files \(the job history is kept\)/);
    } finally {
      holder.db.close();
    }
    const { db } = openDatasetIndex(root);
    try {
      assert.deepEqual(
        listJobs(db).map((j) => j.title),
        ['A paused job'],
        'the job history survived the rebuild',
      );
    } finally {
      db.close();
    }
  });

  it('replaces an index whose pages are damaged when no one else has it open', async () => {
    const layout = datasetLayout(root);
    const before = dumpIndex(layout.indexFile);
    const pages = statSync(layout.indexFile).size / 4096;
    assert.ok(pages > 4);
    const fd = openSync(layout.indexFile, 'r+');
    for (let page = 2; page < pages; page++) writeSync(fd, Buffer.alloc(64, 0xee), 0, 64, page * 4096 + 100);
    closeSync(fd);
    const summary = await indexDataset(root, { rebuild: true });
    assert.match(
      summary.messages.join(' '),
      /is damaged .*rebuilding it from the files|could not be read .*rebuilding it from the files/,
    );
    assert.deepEqual(dumpIndex(layout.indexFile), before);
    const { db } = openDatasetIndex(root);
    try {
      assert.equal(listJobs(db).length, 1, 'the job history is in jobs.db, untouched');
    } finally {
      db.close();
    }
  });
});
