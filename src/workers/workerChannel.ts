/** The RPC endpoint of a worker thread, talking to the thread that started it. */
import { parentPort } from 'node:worker_threads';
import { RpcEndpoint } from '../protocol/rpc.ts';
import type { ProtocolSide } from '../protocol/rpc.ts';

/** Connects this worker to its parent; `Local` is what the worker answers, `Remote` what the parent does. */
export function connectToParent<Local extends ProtocolSide, Remote extends ProtocolSide>(): RpcEndpoint<Local, Remote> {
  const port = parentPort;
  if (!port) throw new Error('This module must run in a worker thread.');
  const endpoint = new RpcEndpoint<Local, Remote>((message) => port.postMessage(message));
  port.on('message', (message: unknown) => endpoint.receive(message));
  return endpoint;
}
