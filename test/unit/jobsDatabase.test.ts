import assert from 'node:assert/strict';
import BetterSqlite3 from 'better-sqlite3';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openIndexDatabase } from '../../src/core/index/database.ts';
import { MIGRATIONS, SCHEMA_V1 } from '../../src/core/index/migrations.ts';
import { APPLICATION_ID, SCHEMA_VERSION } from '../../src/core/index/schema.ts';
import { IndexUsersLock } from '../../src/core/index/indexUsers.ts';
import { prepareJobsDatabase } from '../../src/core/jobs/jobsDatabase.ts';
import { createJob, getJob, jobItems, listJobs } from '../../src/core/jobs/jobStore.ts';
import { makeTempDir, removeTempDirs } from '../helpers/tempDir.ts';

/** A schema 5 index (jobs inside it), as Tagbench wrote it before jobs.db, with one job and one provider batch. */
function schema5Index(file: string): void {
  const db = new BetterSqlite3(file);
  db.pragma('journal_mode = WAL');
  db.exec(SCHEMA_V1);
  for (const step of MIGRATIONS.filter((m) => m.from < 5)) step.up(db);
  db.pragma(`application_id = ${APPLICATION_ID}`);
  db.pragma('user_version = 5');
  db.prepare(
    `INSERT INTO jobs (id, kind, title, params, state, created_at) VALUES (7, 'annotate', 'Annotate 2 images', '{"root":"/d"}', 'paused', 1000)`,
  ).run();
  db.prepare(
    `INSERT INTO job_items (job_id, seq, key, state) VALUES (7, 0, 'a.png', 'done'), (7, 1, 'b.png', 'pending')`,
  ).run();
  db.prepare(
    `INSERT INTO job_batches (job_id, batch_id, state, applied) VALUES (7, 'batch_abc', '{"batchId":"batch_abc"}', 0)`,
  ).run();
  db.close();
}

function tables(file: string): string[] {
  const db = new BetterSqlite3(file, { readonly: true });
  try {
    return db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").pluck().all() as string[];
  } finally {
    db.close();
  }
}

describe('job history outside the index (jobs.db)', () => {
  afterEach(removeTempDirs);

  it('keeps jobs when the index is deleted', () => {
    const dir = makeTempDir();
    const file = join(dir, 'index.db');
    const { db } = openIndexDatabase(file);
    const id = createJob(db, 'process', 'Process 2 images', { root: dir }, ['a.png', 'b.png']);
    db.close();
    for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true });
    const again = openIndexDatabase(file);
    try {
      assert.equal(again.fresh, true);
      assert.deepEqual(
        listJobs(again.db).map((j) => [j.id, j.title, j.total]),
        [[id, 'Process 2 images', 2]],
      );
    } finally {
      again.db.close();
    }
    assert.ok(existsSync(join(dir, 'jobs.db')));
  });

  it('keeps jobs when a damaged index is replaced', () => {
    const dir = makeTempDir();
    const file = join(dir, 'index.db');
    const { db } = openIndexDatabase(file);
    createJob(db, 'export', 'Export', {}, ['a.png']);
    db.close();
    for (const suffix of ['-wal', '-shm']) rmSync(file + suffix, { force: true });
    writeFileSync(file, Buffer.alloc(8192, 0x41));
    const again = openIndexDatabase(file);
    try {
      assert.equal(again.fresh, true);
      assert.equal(listJobs(again.db).length, 1);
    } finally {
      again.db.close();
    }
  });

  it('moves the jobs of a schema 5 index into jobs.db once, ids, items and provider batches included', () => {
    const dir = makeTempDir();
    const file = join(dir, 'index.db');
    schema5Index(file);
    const opened = openIndexDatabase(file);
    try {
      assert.equal(opened.fresh, false);
      assert.match(opened.messages.join(' '), /upgraded from 5 to 6/);
      const job = getJob(opened.db, 7)!;
      assert.deepEqual([job.title, job.state, job.total, job.done], ['Annotate 2 images', 'paused', 2, 1]);
      assert.deepEqual(
        jobItems(opened.db, 7, 'pending').map((i) => i.key),
        ['b.png'],
      );
      assert.equal(opened.db.prepare('SELECT batch_id FROM job_batches WHERE job_id = 7').pluck().get(), 'batch_abc');
    } finally {
      opened.db.close();
    }
    assert.ok(
      !tables(file).includes('jobs') && !tables(file).includes('job_batches'),
      'the index holds no job table any more',
    );
    assert.ok(tables(join(dir, 'jobs.db')).includes('job_batches'));
    const again = openIndexDatabase(file);
    try {
      assert.equal(listJobs(again.db).length, 1, 'copied once');
    } finally {
      again.db.close();
    }
  });

  it('copies the jobs exactly once when the move was interrupted after the copy', () => {
    const dir = makeTempDir();
    const file = join(dir, 'index.db');
    schema5Index(file);
    const step = MIGRATIONS.find((m) => m.from === 5)!;
    const users = IndexUsersLock.acquire(join(dir, 'locks'));
    prepareJobsDatabase(join(dir, 'jobs.db'), users, []);
    users.release();
    const db = new BetterSqlite3(file);
    db.prepare('ATTACH ? AS jobdb').run(join(dir, 'jobs.db'));
    assert.ok(step.before, 'the move copies before it drops');
    step.before(db);
    db.close();
    // A crash here: the jobs are in jobs.db and still in the index.
    assert.ok(tables(file).includes('jobs'));
    const opened = openIndexDatabase(file);
    try {
      assert.deepEqual(
        listJobs(opened.db).map((j) => j.id),
        [7],
      );
      assert.equal(opened.db.pragma('user_version', { simple: true }), SCHEMA_VERSION);
    } finally {
      opened.db.close();
    }
  });

  it('moves a damaged jobs.db aside with a message and starts a new one', () => {
    const dir = makeTempDir();
    const file = join(dir, 'index.db');
    openIndexDatabase(file).db.close();
    const garbage = Buffer.alloc(4096, 0x42);
    writeFileSync(join(dir, 'jobs.db'), garbage);
    const opened = openIndexDatabase(file);
    try {
      assert.equal(opened.fresh, false, 'the index itself was fine');
      assert.match(opened.messages.join(' '), /jobs\.db could not be read .*moved to jobs\.db\.damaged-/);
      assert.deepEqual(listJobs(opened.db), []);
      createJob(opened.db, 'process', 'Process', {}, ['a.png']);
    } finally {
      opened.db.close();
    }
    const aside = readdirSync(dir).filter(
      (n) => n.startsWith('jobs.db.damaged-') && !n.endsWith('-wal') && !n.endsWith('-shm'),
    );
    assert.equal(aside.length, 1);
    assert.deepEqual(readFileSync(join(dir, aside[0]!)), garbage, 'the damaged file is kept as it was');
  });

  it('refuses a jobs.db from a newer Tagbench instead of dropping it', () => {
    const dir = makeTempDir();
    const file = join(dir, 'index.db');
    openIndexDatabase(file).db.close();
    const jobs = new BetterSqlite3(join(dir, 'jobs.db'));
    jobs.pragma('user_version = 99');
    jobs.close();
    assert.throws(() => openIndexDatabase(file), /jobs\.db was written by a newer Tagbench/);
    const check = new BetterSqlite3(join(dir, 'jobs.db'), { readonly: true });
    assert.equal(check.pragma('user_version', { simple: true }), 99);
    check.close();
  });
});
