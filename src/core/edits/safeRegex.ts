/**
 * Regular expressions a user types (the gallery's Replace with regex) run under a time budget, so a
 * pattern that backtracks catastrophically (`(a+)+$` on a long caption) is stopped with a clear error
 * instead of freezing the thread that plans the batch. JavaScript cannot interrupt a running match
 * from the thread running it, so matching happens on a helper thread that the caller waits for
 * synchronously (Atomics.wait); the budget runs from when the helper picks the job up, so a busy
 * machine's scheduling delay does not count against it. A helper that overruns is terminated and the
 * next call starts a new one. The helper starts on first use and sleeps between calls (no CPU).
 *
 * Measured with test/bench/regexBench.ts on a 2-core VM under a load of about 20: a round trip adds
 * 0 to 160 µs a caption of 13 tags (up to 0.5 s over 3,000 captions, next to 50 to 100 ms of native
 * replacing), and starting the helper 0.3 to 1 s once per process; running each caption under `vm`
 * with a timeout instead costs 0.6 to 1 ms a caption (a watchdog thread per call), 8 to 45 times more.
 */
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';

/** How long one call (all the tags of one caption) may take. Real patterns take microseconds. */
export const REGEX_BUDGET_MS = 250;

/** How long the helper thread may take to start, or to pick a job up. */
const START_BUDGET_MS = 15_000;

/** A regular expression that ran out of its time budget. */
export class RegexTimeoutError extends Error {
  readonly source: string;
  readonly budgetMs: number;
  /** The file it was running on, when the caller named it. */
  readonly file: string | undefined;

  constructor(source: string, budgetMs: number, file?: string) {
    super(`The expression /${source}/ took too long on ${file ?? 'a caption'} (over ${budgetMs} ms); simplify it.`);
    this.name = 'RegexTimeoutError';
    this.source = source;
    this.budgetMs = budgetMs;
    this.file = file;
  }

  /** The same error, naming the file the expression was running on. */
  on(file: string): RegexTimeoutError {
    return new RegexTimeoutError(this.source, this.budgetMs, file);
  }
}

/** A user's regular expression, checked for syntax when made; every use is bounded in time. */
export class BoundedRegex {
  readonly source: string;
  readonly flags: string;

  /** Throws SyntaxError for an invalid pattern (compiling does not match, so it is safe to do here). */
  constructor(source: string, flags = 'gu') {
    new RegExp(source, flags);
    this.source = source;
    this.flags = flags;
  }

  /** Each text with matches replaced as String.prototype.replace does; RegexTimeoutError past the budget. */
  replaceEach(texts: readonly string[], replacement: string, budgetMs = REGEX_BUDGET_MS): string[] {
    if (texts.length === 0) return [];
    const reply = helper().run({ source: this.source, flags: this.flags, texts, replacement }, budgetMs);
    if (reply === undefined) throw new RegexTimeoutError(this.source, budgetMs);
    if ('error' in reply) throw new Error(`The expression /${this.source}/ failed: ${reply.error}`);
    return reply.texts;
  }
}

interface Job {
  source: string;
  flags: string;
  texts: readonly string[];
  replacement: string;
}

type Reply = { texts: string[] } | { error: string };

const STARTING = 0;
const IDLE = 1;
const REQUEST = 2;
const RUNNING = 3;

/** The helper's loop: wait for a job, do it, post the reply, go back to waiting. CommonJS, run with `eval`. */
const HELPER_SOURCE = `
const { workerData, receiveMessageOnPort } = require('node:worker_threads');
const { port, state } = workerData;
const s = new Int32Array(state);
let cached = null;
Atomics.store(s, 0, ${IDLE});
Atomics.notify(s, 0);
for (;;) {
  while (Atomics.load(s, 0) !== ${REQUEST}) Atomics.wait(s, 0, ${IDLE});
  Atomics.store(s, 0, ${RUNNING});
  Atomics.notify(s, 0);
  const job = receiveMessageOnPort(port).message;
  let reply;
  try {
    const key = job.flags + '/' + job.source;
    if (!cached || cached.key !== key) cached = { key, re: new RegExp(job.source, job.flags) };
    reply = { texts: job.texts.map((text) => text.replace(cached.re, job.replacement)) };
  } catch (err) {
    reply = { error: String((err && err.message) || err) };
  }
  port.postMessage(reply);
  Atomics.store(s, 0, ${IDLE});
  Atomics.notify(s, 0);
}
`;

/** The helper thread and its channel. */
class RegexHelper {
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly state = new Int32Array(new SharedArrayBuffer(4));
  dead = false;

  constructor() {
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    this.worker = new Worker(HELPER_SOURCE, {
      eval: true,
      workerData: { port: port2, state: this.state.buffer },
      transferList: [port2],
    });
    this.worker.unref();
    this.worker.on('error', () => this.end());
    this.worker.on('exit', () => (this.dead = true));
    if (!this.waitWhile(STARTING, START_BUDGET_MS)) {
      this.end();
      throw new Error('The regular expression helper thread did not start.');
    }
  }

  /** Runs a job; undefined when it ran over `budgetMs` (the helper is then ended). */
  run(job: Job, budgetMs: number): Reply | undefined {
    this.port.postMessage(job);
    Atomics.store(this.state, 0, REQUEST);
    Atomics.notify(this.state, 0);
    if (!this.waitWhile(REQUEST, START_BUDGET_MS)) {
      this.end();
      return { error: 'the helper thread did not pick the job up' };
    }
    if (!this.waitWhile(RUNNING, budgetMs)) {
      this.end();
      return undefined;
    }
    const received = receiveMessageOnPort(this.port);
    if (!received) {
      this.end();
      return { error: 'the helper thread gave no answer' };
    }
    return received.message as Reply;
  }

  /** Waits (blocking this thread) while the state is `value`; false when `ms` passed first. */
  private waitWhile(value: number, ms: number): boolean {
    const deadline = performance.now() + ms;
    while (Atomics.load(this.state, 0) === value) {
      const left = deadline - performance.now();
      if (left <= 0) return false;
      Atomics.wait(this.state, 0, value, left);
    }
    return true;
  }

  private end(): void {
    this.dead = true;
    this.port.close();
    void this.worker.terminate();
  }
}

let current: RegexHelper | undefined;

function helper(): RegexHelper {
  if (!current || current.dead) current = new RegexHelper();
  return current;
}
