/**
 * A fixed-size pool of worker threads speaking the RPC layer. Requests go to an idle worker or wait
 * in a queue; a request's AbortSignal removes it from the queue, or tells its worker to cancel (the
 * worker answers `cancel` notifications). A worker that dies is replaced.
 */
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { RpcEndpoint } from '../protocol/rpc.ts';
import type { ProtocolSide } from '../protocol/rpc.ts';

/** What a pool's workers must answer besides their own requests: a `cancel` notification. */
export interface CancellableSide extends ProtocolSide {
  notifications: { cancel: Record<string, never> } & ProtocolSide['notifications'];
}

type NoEvents = { requests: Record<string, never>; notifications: Record<string, never> };

interface Slot<Api extends CancellableSide> {
  worker: Worker;
  rpc: RpcEndpoint<NoEvents, Api>;
  busy: boolean;
}

interface Waiting {
  start: () => void;
  reject: (err: Error) => void;
  signal: AbortSignal | undefined;
}

/** A pool of workers running `script`. */
export class WorkerPool<Api extends CancellableSide> {
  private readonly script: URL | string;
  private readonly slots: Slot<Api>[] = [];
  private readonly queue: Waiting[] = [];
  private destroyed = false;
  readonly size: number;

  constructor(script: URL | string, size = availableParallelism()) {
    this.script = script;
    this.size = Math.max(1, size);
  }

  /** Sends a request to the next free worker. Rejects with an AbortError when aborted before it starts. */
  async run<M extends keyof Api['requests'] & string>(
    method: M,
    params: Api['requests'][M]['params'],
    signal?: AbortSignal,
  ): Promise<Api['requests'][M]['result']> {
    const slot = await this.acquire(signal);
    const onAbort = (): void => slot.rpc.notify('cancel', {} as Api['notifications']['cancel']);
    signal?.addEventListener('abort', onAbort);
    try {
      return await slot.rpc.request(method, params);
    } finally {
      signal?.removeEventListener('abort', onAbort);
      this.release(slot);
    }
  }

  /** Ends every worker; queued requests are rejected. */
  async destroy(): Promise<void> {
    this.destroyed = true;
    for (const waiting of this.queue.splice(0)) waiting.reject(new Error('The worker pool was closed.'));
    await Promise.all(
      this.slots.splice(0).map(async (slot) => {
        slot.rpc.dispose();
        await slot.worker.terminate();
      }),
    );
  }

  private acquire(signal: AbortSignal | undefined): Promise<Slot<Api>> {
    if (this.destroyed) return Promise.reject(new Error('The worker pool was closed.'));
    if (signal?.aborted) return Promise.reject(abortError());
    const idle = this.slots.find((s) => !s.busy) ?? (this.slots.length < this.size ? this.spawn() : undefined);
    if (idle) {
      idle.busy = true;
      return Promise.resolve(idle);
    }
    return new Promise((resolve, reject) => {
      const waiting: Waiting = {
        start: () => {
          signal?.removeEventListener('abort', onAbort);
          this.acquire(signal).then(resolve, reject);
        },
        reject,
        signal,
      };
      const onAbort = (): void => {
        const index = this.queue.indexOf(waiting);
        if (index >= 0) this.queue.splice(index, 1);
        reject(abortError());
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.queue.push(waiting);
    });
  }

  private release(slot: Slot<Api>): void {
    slot.busy = false;
    this.queue.shift()?.start();
  }

  private spawn(): Slot<Api> {
    const worker = new Worker(this.script);
    worker.unref();
    const rpc = new RpcEndpoint<NoEvents, Api>((message) => worker.postMessage(message));
    const slot: Slot<Api> = { worker, rpc, busy: false };
    worker.on('message', (message: unknown) => rpc.receive(message));
    worker.on('error', () => undefined);
    worker.on('exit', () => {
      rpc.dispose();
      const index = this.slots.indexOf(slot);
      if (index >= 0) this.slots.splice(index, 1);
      if (!this.destroyed) this.queue.shift()?.start();
    });
    this.slots.push(slot);
    return slot;
  }
}

function abortError(): Error {
  const err = new Error('The request was cancelled before it started.');
  err.name = 'AbortError';
  return err;
}
