/**
 * A job whose process died (kill -9) is detected at once on the same host: its owner (host, pid,
 * process start time) is recorded, so `resume` does not wait for the heartbeat to go stale.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { indexDataset } from '../../src/core/index/indexer.ts';
import { openDatasetIndex } from '../../src/core/index/datasetIndex.ts';
import { createJob, getJob, pauseInterruptedJobs, setJobState } from '../../src/core/jobs/jobStore.ts';
import { makeTempDir, removeTempDirs } from '../helpers/tempDir.ts';
import { runCli } from '../helpers/runCli.ts';

const modules = {
  index: new URL('../../src/core/index/datasetIndex.ts', import.meta.url).href,
  service: new URL('../../src/core/jobs/jobService.ts', import.meta.url).href,
  runner: new URL('../../src/core/jobs/jobRunner.ts', import.meta.url).href,
};

/** Starts a process that plans a process job over the dataset and runs it with items that never finish; resolves once it runs. */
async function startJobInChild(root: string): Promise<{ child: ChildProcess; jobId: number }> {
  const code = `Promise.all([import(${JSON.stringify(modules.index)}), import(${JSON.stringify(modules.service)}), import(${JSON.stringify(modules.runner)})])
    .then(([index, service, runner]) => {
      const { db } = index.openDatasetIndex(${JSON.stringify(root)});
      const params = { crop: 'none', resize: null, upscale: null, format: 'auto', quality: 95, flatten: null, keepMetadata: false };
      const id = service.planJob(db, ${JSON.stringify(root)}, { kind: 'process', query: '', params });
      runner.runJob(db, id, () => new Promise(() => {}), { concurrency: 1, onProgress: () => process.stdout.write('running ' + id + '\\n') });
    })`;
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  const jobId = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const match = /running (\d+)/.exec(out);
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`the job process exited (${code}) before its job ran`)));
  });
  return { child, jobId };
}

async function kill9(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

describe('jobs whose process died', function () {
  this.timeout(60_000);
  let root: string;

  before(async () => {
    root = join(makeTempDir(), 'ds');
    mkdirSync(root);
    for (const [i, colour] of ['#aa3300', '#0033aa'].entries()) {
      await sharp({ create: { width: 64, height: 64, channels: 3, background: colour } })
        .png()
        .toFile(join(root, `img${i}.png`));
    }
    await indexDataset(root);
  });
  after(removeTempDirs);

  it('a job killed with SIGKILL is paused at once, and tagbench resume finishes it', async () => {
    const { child, jobId } = await startJobInChild(root);
    {
      const { db } = openDatasetIndex(root);
      try {
        assert.equal(getJob(db, jobId)!.state, 'running');
        assert.deepEqual(pauseInterruptedJobs(db), [], 'a live owner keeps its job');
      } finally {
        db.close();
      }
    }
    await kill9(child);
    const { db } = openDatasetIndex(root);
    try {
      assert.deepEqual(
        pauseInterruptedJobs(db).map((j) => j.id),
        [jobId],
        'the dead owner is seen at once, not after the heartbeat timeout',
      );
      assert.equal(getJob(db, jobId)!.state, 'paused');
    } finally {
      db.close();
    }
    const resumed = await runCli(['resume', root, String(jobId), '--json']);
    assert.equal(resumed.code, 0, resumed.stderr);
    const out = JSON.parse(resumed.stdout) as { state: string; done: number };
    assert.deepEqual([out.state, out.done], ['done', 2]);
  });

  it('tagbench resume right after a SIGKILL runs the job instead of calling it running elsewhere', async () => {
    const { child, jobId } = await startJobInChild(root);
    await kill9(child);
    const resumed = await runCli(['resume', root, String(jobId), '--json']);
    assert.doesNotMatch(resumed.stderr, /running in another process/);
    assert.equal(resumed.code, 0, resumed.stderr);
  });

  it('judges another host by its heartbeat, and a reused pid by its start time', () => {
    const { db } = openDatasetIndex(root);
    try {
      const elsewhere = createJob(db, 'export', 'On another host', {}, ['a']);
      setJobState(db, elsewhere, 'running');
      db.prepare(
        "UPDATE jobs SET heartbeat = ?, owner_host = 'another-host', owner_pid = 1, owner_start = 'x:1' WHERE id = ?",
      ).run(Date.now(), elsewhere);
      const reused = createJob(db, 'export', 'Pid reused', {}, ['a']);
      setJobState(db, reused, 'running');
      db.prepare(
        "UPDATE jobs SET heartbeat = ?, owner_host = ?, owner_pid = ?, owner_start = 'not:this-process' WHERE id = ?",
      ).run(Date.now(), hostname(), process.pid, reused);
      assert.deepEqual(
        pauseInterruptedJobs(db).map((j) => j.id),
        [reused],
      );
      assert.equal(getJob(db, elsewhere)!.state, 'running', 'a fresh heartbeat from another host counts');
    } finally {
      db.close();
    }
  });
});
