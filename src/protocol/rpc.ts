/**
 * The one messaging layer of Tagbench: typed requests (with responses) and notifications over any
 * channel that carries structured-cloneable messages: webview <-> extension host, host <-> worker.
 * No runtime dependencies, so webviews, workers and the host all share it.
 */

/** The shape of a protocol as seen from one side: what it answers and what it is told. */
export interface ProtocolSide {
  requests: Record<string, { params: unknown; result: unknown }>;
  notifications: Record<string, unknown>;
}

/** A message as it travels. */
export type WireMessage =
  | { rpc: 'request'; id: number; method: string; params: unknown }
  | { rpc: 'response'; id: number; result: unknown }
  | { rpc: 'error'; id: number; error: RpcErrorData }
  | { rpc: 'notify'; method: string; params: unknown };

/** An error as it travels: a message, and optionally a code and details for the other side to act on. */
export interface RpcErrorData {
  message: string;
  code?: string;
  data?: unknown;
}

/** An error returned by the other side of an RPC call. */
export class RpcError extends Error {
  readonly code: string | undefined;
  readonly data: unknown;

  constructor(error: RpcErrorData) {
    super(error.message);
    this.name = 'RpcError';
    this.code = error.code;
    this.data = error.data;
  }
}

/** Thrown by a request handler to send a specific code and data to the caller. */
export class HandlerError extends Error {
  readonly code: string;
  readonly data: unknown;

  constructor(code: string, message: string, data?: unknown) {
    super(message);
    this.name = 'HandlerError';
    this.code = code;
    this.data = data;
  }
}

type Handler = (params: unknown) => unknown;
type Validator = (params: unknown) => string | undefined;

/**
 * One end of a channel. `Local` lists what this end answers; `Remote` what the other end answers.
 * Incoming requests can be validated before their handler runs (webview input is untrusted).
 */
export class RpcEndpoint<Local extends ProtocolSide, Remote extends ProtocolSide> {
  private readonly send: (message: WireMessage) => void;
  private readonly requestHandlers = new Map<string, { handler: Handler; validate: Validator | undefined }>();
  private readonly notificationHandlers = new Map<string, { handler: Handler; validate: Validator | undefined }>();
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  private nextId = 1;
  private disposed = false;
  /** Called when a message cannot be handled (unknown method, invalid params, a throwing notification handler). */
  onProblem: (description: string) => void = () => {};

  constructor(send: (message: WireMessage) => void) {
    this.send = send;
  }

  /** Sends a request and resolves with the other side's result (rejects with RpcError). */
  request<M extends keyof Remote['requests'] & string>(
    method: M,
    params: Remote['requests'][M]['params'],
  ): Promise<Remote['requests'][M]['result']> {
    if (this.disposed) return Promise.reject(new Error(`Cannot call ${method}: the channel is closed.`));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.send({ rpc: 'request', id, method, params });
    });
  }

  /** Sends a notification (no answer). */
  notify<M extends keyof Remote['notifications'] & string>(method: M, params: Remote['notifications'][M]): void {
    if (!this.disposed) this.send({ rpc: 'notify', method, params });
  }

  /** Answers requests for `method`; `validate` returns a reason when the params are unacceptable. */
  handle<M extends keyof Local['requests'] & string>(
    method: M,
    handler: (
      params: Local['requests'][M]['params'],
    ) => Local['requests'][M]['result'] | Promise<Local['requests'][M]['result']>,
    validate?: Validator,
  ): void {
    this.requestHandlers.set(method, { handler: handler as Handler, validate });
  }

  /** Receives notifications for `method`. */
  on<M extends keyof Local['notifications'] & string>(
    method: M,
    handler: (params: Local['notifications'][M]) => void,
    validate?: Validator,
  ): void {
    this.notificationHandlers.set(method, { handler: handler as Handler, validate });
  }

  /** Feeds a message that arrived from the other side. Anything that is not a wire message is ignored. */
  receive(raw: unknown): void {
    if (this.disposed || !isWireMessage(raw)) return;
    switch (raw.rpc) {
      case 'response':
      case 'error': {
        const pending = this.pending.get(raw.id);
        if (!pending) return;
        this.pending.delete(raw.id);
        if (raw.rpc === 'response') pending.resolve(raw.result);
        else pending.reject(new RpcError(raw.error));
        return;
      }
      case 'request':
        void this.answer(raw.id, raw.method, raw.params);
        return;
      case 'notify': {
        const entry = this.notificationHandlers.get(raw.method);
        const problem = !entry ? `unknown notification ${raw.method}` : entry.validate?.(raw.params);
        if (problem) {
          this.onProblem(`Ignored ${raw.method}: ${problem}`);
          return;
        }
        try {
          entry!.handler(raw.params);
        } catch (err) {
          this.onProblem(`${raw.method} failed: ${(err as Error).message}`);
        }
      }
    }
  }

  /** Rejects pending requests and stops sending and receiving. */
  dispose(): void {
    this.disposed = true;
    for (const { reject } of this.pending.values()) reject(new Error('The channel was closed.'));
    this.pending.clear();
  }

  private async answer(id: number, method: string, params: unknown): Promise<void> {
    const entry = this.requestHandlers.get(method);
    const problem = !entry ? `Unknown request "${method}".` : entry.validate?.(params);
    if (problem) {
      this.onProblem(`Refused ${method}: ${problem}`);
      this.send({ rpc: 'error', id, error: { message: problem, code: 'invalid-request' } });
      return;
    }
    try {
      const result = await entry!.handler(params);
      if (!this.disposed) this.send({ rpc: 'response', id, result });
    } catch (err) {
      if (this.disposed) return;
      const error: RpcErrorData = { message: err instanceof Error ? err.message : String(err) };
      if (err instanceof HandlerError) {
        error.code = err.code;
        if (err.data !== undefined) error.data = err.data;
      } else if (err instanceof Error && err.name !== 'Error') {
        error.code = err.name;
      }
      this.send({ rpc: 'error', id, error });
    }
  }
}

function isWireMessage(value: unknown): value is WireMessage {
  if (typeof value !== 'object' || value === null) return false;
  const m = value as Record<string, unknown>;
  switch (m.rpc) {
    case 'request':
      return typeof m.id === 'number' && typeof m.method === 'string';
    case 'response':
      return typeof m.id === 'number';
    case 'error':
      return (
        typeof m.id === 'number' &&
        typeof m.error === 'object' &&
        m.error !== null &&
        typeof (m.error as RpcErrorData).message === 'string'
      );
    case 'notify':
      return typeof m.method === 'string';
    default:
      return false;
  }
}
