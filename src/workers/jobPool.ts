/** The pool of job workers, and the item runner a job uses to send its items to them. */
import { availableParallelism } from 'node:os';
import { WorkerPool } from './workerPool.ts';
import type { JobEnvironment, JobWorkerApi } from '../protocol/jobProtocol.ts';
import type { ItemRequest, ItemRunner } from '../core/jobs/jobService.ts';
import { ItemAborted } from '../core/jobs/jobRunner.ts';
import type { ItemOutcome } from '../core/jobs/jobRunner.ts';
import { MicroBatcher } from '../core/jobs/microBatcher.ts';
import type { AnnotateParams } from '../core/annotate/annotatorSpec.ts';
import type { ItemAnnotation } from '../core/annotate/annotateItems.ts';
import { RpcError } from '../protocol/rpc.ts';
import { itemOutcome } from '../core/annotate/annotateItems.ts';
import { exportUnchangedImage } from '../core/export/exportImage.ts';

/** A pool of `size` job workers (default: the number of cores). */
export function createJobPool(size = availableParallelism()): WorkerPool<JobWorkerApi> {
  // The worker sits beside this module: src/workers/jobWorker.ts in the sources, dist/jobWorker.cjs in bundles.
  const script = new URL(import.meta.url.endsWith('.ts') ? './jobWorker.ts' : './jobWorker.cjs', import.meta.url);
  return new WorkerPool<JobWorkerApi>(script, size);
}

/** Runs cloud annotations in this thread (they wait on the network, and share one rate limit). */
export type CloudItemRunner = (
  request: Extract<ItemRequest, { kind: 'annotate' }>,
  signal: AbortSignal,
) => Promise<ItemOutcome>;

/** Options of poolItemRunner. */
export interface PoolRunnerOptions {
  /** Where cloud annotation items go; without it, a cloud annotate job fails with a clear message. */
  cloud?: CloudItemRunner;
}

/** Sends items to the pool (local annotations in batches); a cancelled item stays pending. */
export function poolItemRunner(
  pool: WorkerPool<JobWorkerApi>,
  env: JobEnvironment,
  options: PoolRunnerOptions = {},
): ItemRunner {
  const batchers = new Map<string, MicroBatcher<string, ItemAnnotation>>();
  const batcherFor = (params: AnnotateParams): MicroBatcher<string, ItemAnnotation> => {
    const key = JSON.stringify(params);
    let batcher = batchers.get(key);
    if (!batcher) {
      const size = params.annotator.type === 'cloud' ? 1 : params.annotator.batchSize;
      batcher = new MicroBatcher<string, ItemAnnotation>(size, (keys, signal) =>
        pool.run('annotateBatch', { params, keys, env }, signal),
      );
      batchers.set(key, batcher);
    }
    return batcher;
  };
  return async (request, signal) => {
    try {
      if (request.kind === 'annotate') {
        if (request.params.annotator.type === 'cloud') {
          if (!options.cloud) throw new Error('Cloud annotation is not available here.');
          return await options.cloud(request, signal);
        }
        return itemOutcome(await batcherFor(request.params).add(request.key, signal));
      }
      if (request.kind === 'export') {
        // An unchanged image is answered here (a few file checks), without a round trip to a worker.
        const unchanged = exportUnchangedImage(env, request.params, request.key);
        if (unchanged) return unchanged;
        // A worker needs only this image's output name, not the whole export's.
        const name = request.params.names[request.key];
        const names = name === undefined ? {} : { [request.key]: name };
        return await pool.run(
          'runItem',
          { request: { ...request, params: { ...request.params, names } }, env },
          signal,
        );
      }
      return await pool.run('runItem', { request, env }, signal);
    } catch (err) {
      if (
        signal.aborted &&
        (err instanceof ItemAborted ||
          (err instanceof RpcError ? err.code === 'ItemAborted' : (err as Error).name === 'AbortError'))
      )
        throw new ItemAborted();
      throw err;
    }
  };
}
