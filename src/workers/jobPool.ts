/** The pool of job workers, and the item runner a job uses to send its items to them. */
import { availableParallelism } from 'node:os';
import { WorkerPool } from './workerPool.ts';
import type { JobEnvironment, JobWorkerApi } from '../protocol/jobProtocol.ts';
import type { ItemRunner } from '../core/jobs/jobService.ts';
import { ItemAborted } from '../core/jobs/jobRunner.ts';
import { RpcError } from '../protocol/rpc.ts';

/** A pool of `size` job workers (default: the number of cores). */
export function createJobPool(size = availableParallelism()): WorkerPool<JobWorkerApi> {
  // The worker sits beside this module: src/workers/jobWorker.ts in the sources, dist/jobWorker.cjs in bundles.
  const script = new URL(import.meta.url.endsWith('.ts') ? './jobWorker.ts' : './jobWorker.cjs', import.meta.url);
  return new WorkerPool<JobWorkerApi>(script, size);
}

/** Sends items to the pool; a cancelled item stays pending. */
export function poolItemRunner(pool: WorkerPool<JobWorkerApi>, env: JobEnvironment): ItemRunner {
  return async (request, signal) => {
    try {
      return await pool.run('runItem', { request, env }, signal);
    } catch (err) {
      if (signal.aborted && (err instanceof RpcError ? err.code === 'ItemAborted' : (err as Error).name === 'AbortError')) throw new ItemAborted();
      throw err;
    }
  };
}
