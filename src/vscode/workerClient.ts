/** Starting a worker thread from the extension's bundle and talking to it over the RPC layer. */
import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import { RpcEndpoint } from '../protocol/rpc.ts';
import type { ProtocolSide } from '../protocol/rpc.ts';

/** A running worker and its endpoint. `Remote` is what the worker answers; `Local` what this side does. */
export interface WorkerClient<Remote extends ProtocolSide, Local extends ProtocolSide> {
  rpc: RpcEndpoint<Local, Remote>;
  worker: Worker;
  /** Ends the worker; pending requests are rejected. */
  terminate(): Promise<void>;
}

/** Starts `dist/<name>.cjs` of the extension at `extensionPath` as a worker thread. */
export function startWorker<Remote extends ProtocolSide, Local extends ProtocolSide>(
  extensionPath: string,
  name: string,
  onExit?: (code: number) => void,
): WorkerClient<Remote, Local> {
  const worker = new Worker(join(extensionPath, 'dist', `${name}.cjs`));
  const rpc = new RpcEndpoint<Local, Remote>((message) => worker.postMessage(message));
  worker.on('message', (message: unknown) => rpc.receive(message));
  worker.on('error', (err) => rpc.onProblem(`worker ${name} failed: ${err.message}`));
  worker.on('exit', (code) => {
    rpc.dispose();
    onExit?.(code);
  });
  return {
    rpc,
    worker,
    async terminate() {
      rpc.dispose();
      await worker.terminate();
    },
  };
}
