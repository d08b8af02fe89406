import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import {
  closeEditLocks,
  editLockFile,
  EditLockTimeoutError,
  withEditLock,
  withEditLockAsync,
} from '../../src/core/edits/editLock.ts';
import { makeTempDir, removeTempDirs } from '../helpers/tempDir.ts';

const HOLDER = fileURLToPath(new URL('../fixtures/locks/holdEditLock.ts', import.meta.url));

/** A worker thread of this process holding the lock for `ms`; resolves once it holds it. */
function holdInThread(root: string, ms: number, purpose: string): Promise<{ done: Promise<void> }> {
  const worker = new Worker(HOLDER, { workerData: [root, String(ms), purpose] });
  const done = new Promise<void>((resolve, reject) => {
    worker.once('error', reject);
    worker.once('exit', () => resolve());
  });
  return new Promise((resolve, reject) => {
    worker.once('message', () => resolve({ done }));
    worker.once('error', reject);
  });
}

/** A child process holding the lock for `ms`; resolves once it holds it. */
function holdInProcess(root: string, ms: number, purpose: string): Promise<{ pid: number; kill: () => Promise<void> }> {
  const child = spawn(process.execPath, [HOLDER, root, String(ms), purpose], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.stdout.setEncoding('utf8').once('data', () =>
      resolve({
        pid: child.pid!,
        kill: async () => {
          child.kill('SIGKILL');
          await exited;
        },
      }),
    );
  });
}

describe('the per-dataset edit lock', function () {
  this.timeout(60_000);
  let root: string;
  beforeEach(() => {
    root = makeTempDir();
  });
  afterEach(() => {
    closeEditLocks();
    removeTempDirs();
  });

  it('is an SQLite file under .tagbench/locks/, created on first use, and runs the function under it', () => {
    assert.equal(
      withEditLock(root, { purpose: 'test' }, () => 42),
      42,
    );
    assert.ok(existsSync(editLockFile(root)));
    assert.deepEqual(
      readdirSync(join(root, '.tagbench', 'locks')).sort(),
      ['edits.holder.json', 'edits.lock'],
      'no journal or temporary file is left',
    );
  });

  it('is re-entrant on one thread', () => {
    const order: string[] = [];
    withEditLock(root, { purpose: 'outer', timeoutMs: 100 }, () => {
      order.push('outer');
      withEditLock(root, { purpose: 'inner', timeoutMs: 100 }, () => order.push('inner'));
    });
    assert.deepEqual(order, ['outer', 'inner']);
  });

  it('excludes another thread of the same process, naming it, until it lets go', async () => {
    const held = await holdInThread(root, 700, 'a batch in a worker');
    const started = performance.now();
    assert.throws(
      () =>
        withEditLock(root, { purpose: 'test', timeoutMs: 100 }, () =>
          assert.fail('ran while another thread held the lock'),
        ),
      (err: Error) => {
        assert.ok(err instanceof EditLockTimeoutError);
        assert.equal(err.holder?.purpose, 'a batch in a worker');
        assert.match(
          err.message,
          /^Another Tagbench writer \(a batch in a worker, process \d+, in this process, since \d\d:\d\d:\d\d UTC\) is editing this dataset's captions and sidecars; gave up after waiting 100 ms\. /,
        );
        return true;
      },
    );
    assert.ok(performance.now() - started >= 90, 'it waited before giving up');
    assert.equal(
      withEditLock(root, { purpose: 'test', timeoutMs: 10_000 }, () => 'ran'),
      'ran',
      'and gets it once the other lets go',
    );
    await held.done;
  });

  it('is released at once when its holder is killed with SIGKILL', async () => {
    const holder = await holdInProcess(root, 60_000, 'tagbench tags rename');
    assert.throws(
      () => withEditLock(root, { purpose: 'test', timeoutMs: 50 }, () => 0),
      (err: Error) => {
        assert.ok(err instanceof EditLockTimeoutError);
        assert.match(err.message, new RegExp(`\\(tagbench tags rename, process ${holder.pid}, since`));
        return true;
      },
    );
    await holder.kill();
    const started = performance.now();
    assert.equal(
      withEditLock(root, { purpose: 'test', timeoutMs: 0 }, () => 'ran'),
      'ran',
    );
    assert.ok(performance.now() - started < 1000);
  });

  it('waits without blocking the thread in its asynchronous form', async () => {
    const holder = await holdInProcess(root, 600, 'a long batch');
    let ticks = 0;
    const timer = setInterval(() => ticks++, 10);
    try {
      const started = performance.now();
      const value = await withEditLockAsync(root, { purpose: 'an editor save', timeoutMs: 10_000 }, () => 'saved');
      assert.equal(value, 'saved');
      assert.ok(performance.now() - started >= 200, 'it waited for the holder');
      assert.ok(ticks >= 10, `the event loop went on meanwhile (${ticks} ticks)`);
    } finally {
      clearInterval(timer);
      await holder.kill();
    }
    await assert.rejects(
      holdInProcess(root, 2000, 'another batch').then(async (h) => {
        try {
          await withEditLockAsync(root, { purpose: 'an editor save', timeoutMs: 100 }, () => 'saved');
        } finally {
          await h.kill();
        }
      }),
      (err: Error) => err instanceof EditLockTimeoutError && /gave up after waiting 100 ms/.test(err.message),
    );
  });
});
