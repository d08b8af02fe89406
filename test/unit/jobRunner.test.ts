import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Database } from 'better-sqlite3';
import { openIndexDatabase } from '../../src/core/index/database.ts';
import {
  createJob,
  getJob,
  jobItems,
  listJobs,
  pauseInterruptedJobs,
  retryFailedItems,
  setJobState,
  HEARTBEAT_TIMEOUT_MS,
} from '../../src/core/jobs/jobStore.ts';
import { ItemAborted, ItemFailed, runJob } from '../../src/core/jobs/jobRunner.ts';
import { runJobLifecycle } from '../../src/core/jobs/jobLifecycle.ts';
import type { ItemExecutor } from '../../src/core/jobs/jobRunner.ts';
import { makeTempDir, removeTempDirs } from '../helpers/tempDir.ts';

const keys = Array.from({ length: 20 }, (_, i) => `img_${String(i).padStart(2, '0')}.png`);

describe('jobs', () => {
  let db: Database;
  beforeEach(() => {
    db = openIndexDatabase(join(makeTempDir(), 'index.db')).db;
  });
  afterEach(() => {
    db.close();
    removeTempDirs();
  });

  it('runs every item, records failures with their reason, and goes on', async () => {
    const id = createJob(db, 'process', 'Process 20 images', { crop: 'auto' }, keys);
    const execute: ItemExecutor = async ({ key }) => {
      if (key.endsWith('05.png')) throw new Error('The PNG data is corrupt.');
      if (key.endsWith('07.png')) return { state: 'skipped' };
      return { state: 'done', result: { out: key.toUpperCase() } };
    };
    const progress: number[] = [];
    const job = await runJob(db, id, execute, {
      concurrency: 3,
      onProgress: (p) => progress.push(p.done + p.failed + p.skipped),
    });
    assert.deepEqual([job.state, job.total, job.done, job.failed, job.skipped], ['done', 20, 18, 1, 1]);
    assert.equal(job.message, '1 of 20 items failed.');
    assert.deepEqual(
      jobItems(db, id, 'failed').map((i) => [i.key, i.error]),
      [['img_05.png', 'The PNG data is corrupt.']],
    );
    assert.deepEqual(jobItems(db, id, 'done')[0]!.result, { out: 'IMG_00.PNG' });
    assert.equal(progress.at(-1), 20);
    assert.deepEqual(
      listJobs(db).map((j) => j.id),
      [id],
    );
  });

  it('stops when cancelled, keeps what was done, and resumes without doing an item twice', async () => {
    const id = createJob(db, 'process', 'Process', {}, keys);
    const executed: string[] = [];
    const controller = new AbortController();
    const slow: ItemExecutor = async ({ key }, signal) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (signal.aborted) throw new ItemAborted();
      executed.push(key);
      if (executed.length === 6) controller.abort();
      return { state: 'done' };
    };
    const paused = await runJob(db, id, slow, { concurrency: 2, signal: controller.signal });
    assert.equal(paused.state, 'paused');
    assert.equal(paused.message, 'Cancelled.');
    assert.ok(paused.done >= 6 && paused.done <= 7, `${paused.done} done before stopping`);
    assert.equal(jobItems(db, id, 'pending').length, 20 - paused.done);
    const resumed = await runJob(db, id, slow, { concurrency: 2 });
    assert.equal(resumed.state, 'done');
    assert.equal(resumed.done, 20);
    assert.equal(executed.length, 20, 'every item ran exactly once');
    assert.equal(new Set(executed).size, 20);
  });

  it('retries failed items on request', async () => {
    const id = createJob(db, 'process', 'Process', {}, keys.slice(0, 3));
    let fail = true;
    await runJob(
      db,
      id,
      async () => {
        if (fail) throw new Error('temporary');
        return { state: 'done' };
      },
      { concurrency: 1 },
    );
    assert.equal(getJob(db, id)!.failed, 3);
    assert.equal(retryFailedItems(db, id), 3);
    fail = false;
    const job = await runJob(db, id, async () => ({ state: 'done' }), { concurrency: 1 });
    assert.deepEqual([job.done, job.failed], [3, 0]);
  });

  it('pauses a job whose work fails, with the error as its message, instead of leaving it running', async () => {
    const id = createJob(db, 'annotate', 'Annotate', {}, keys.slice(0, 2));
    await assert.rejects(
      runJobLifecycle(db, id, {}, async (run) => {
        run.finish({ seq: 0, key: keys[0]! }, { state: 'done' });
        throw new Error('The provider refused the upload.');
      }),
      /refused the upload/,
    );
    const job = getJob(db, id)!;
    assert.deepEqual([job.state, job.done, job.message], ['paused', 1, 'Stopped: The provider refused the upload.']);
  });

  it('refuses to run a job twice at once', async () => {
    const id = createJob(db, 'process', 'Process', {}, keys.slice(0, 1));
    let release!: () => void;
    const first = runJob(db, id, () => new Promise((resolve) => (release = () => resolve({ state: 'done' }))), {
      concurrency: 1,
    });
    await assert.rejects(
      runJob(db, id, async () => ({ state: 'done' }), { concurrency: 1 }),
      (err: Error) => err.name === 'JobRunningError',
    );
    release();
    assert.equal((await first).state, 'done');
  });

  it('keeps what is known about a failed item (a provider refusal) with the item', async () => {
    const id = createJob(db, 'annotate', 'Annotate', {}, keys.slice(0, 2));
    await runJob(
      db,
      id,
      async ({ key }) => {
        if (key === keys[0]) throw new ItemFailed('Refused by the content policy.', { failure: 'policy' });
        throw new Error('timeout');
      },
      { concurrency: 1 },
    );
    assert.deepEqual(
      jobItems(db, id, 'failed').map((i) => [i.key, i.error, i.result]),
      [
        [keys[0], 'Refused by the content policy.', { failure: 'policy' }],
        [keys[1], 'timeout', null],
      ],
    );
  });

  it('marks jobs left running by a gone process as paused, but not live ones', () => {
    const stale = createJob(db, 'export', 'Export', {}, keys);
    setJobState(db, stale, 'running');
    db.prepare('UPDATE jobs SET heartbeat = ? WHERE id = ?').run(Date.now() - HEARTBEAT_TIMEOUT_MS - 1000, stale);
    const live = createJob(db, 'export', 'Export', {}, keys);
    setJobState(db, live, 'running');
    db.prepare('UPDATE jobs SET heartbeat = ? WHERE id = ?').run(Date.now(), live);
    assert.deepEqual(
      pauseInterruptedJobs(db).map((j) => j.id),
      [stale],
    );
    assert.equal(getJob(db, stale)!.state, 'paused');
    assert.equal(getJob(db, live)!.state, 'running');
  });
});
