/** Boot glue shared by webview apps: the RPC endpoint bridged to the extension host over postMessage. */
import { RpcEndpoint } from '../../src/protocol/rpc.ts';
import type { ProtocolSide } from '../../src/protocol/rpc.ts';
import type { VsCodeApi } from './vscodeApi.ts';

/** An RpcEndpoint whose messages go to the host and whose incoming messages are the window's `message` events. */
export function connectToHost<Local extends ProtocolSide, Remote extends ProtocolSide>(
  api: VsCodeApi<unknown>,
): RpcEndpoint<Local, Remote> {
  const rpc = new RpcEndpoint<Local, Remote>((message) => api.postMessage(message));
  rpc.onProblem = (description) => console.warn(description);
  window.addEventListener('message', (event: MessageEvent) => rpc.receive(event.data));
  return rpc;
}
