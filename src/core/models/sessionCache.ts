/**
 * Loaded ONNX Runtime sessions, one per model file, shared by every image of a batch. A session is
 * released after it has been idle for `idleMs` (default 60 s), or at once by `releaseAll()` (e.g.
 * before another heavy model job starts). A session in use is never released under a caller: it is
 * dropped from the cache and released when its last lease ends.
 */
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { InferenceSession } from 'onnxruntime-node';

/** Options of a SessionCache. */
export interface SessionCacheOptions {
  /** Release a session this long after its last use; default 60,000 ms. */
  idleMs?: number;
  /**
   * Threads one model run uses. Default: the number of cores. Measured on a 2-core machine with the
   * Real-ESRGAN compact x4 model: idle, a 160 px tile took 215 ms with 1 thread, 112 ms with 2 (108
   * spinning); with other processes keeping about one core busy, a 512x512 image took 3.1 s with 1
   * thread, 3.3 s with 2, 4.1-4.7 s with 2 spinning threads.
   */
  intraOpNumThreads?: number;
  /** Threads across independent graph nodes; default 1 (these models are one chain of convolutions). */
  interOpNumThreads?: number;
  /**
   * Let ONNX Runtime's pool threads spin while waiting for work (its own default). Default false:
   * spinning is ~4% faster on idle cores but slower than a single thread once anything else wants a
   * core (see intraOpNumThreads).
   */
  spinning?: boolean;
}

/** A session lent to a caller; call release() when done with it (it stays cached). */
export interface SessionLease {
  readonly session: InferenceSession;
  release(): void;
}

interface Entry {
  file: string;
  loading: Promise<InferenceSession>;
  session?: InferenceSession;
  leases: number;
  timer?: NodeJS.Timeout;
  /** Dropped from the cache (idle or releaseAll): release the session when the last lease ends. */
  evicted: boolean;
}

/** One loaded InferenceSession per model file, reused across calls and released when idle. */
export class SessionCache {
  readonly idleMs: number;
  readonly intraOpNumThreads: number;
  readonly interOpNumThreads: number;
  readonly spinning: boolean;
  private readonly entries = new Map<string, Entry>();
  private readonly releasing = new Set<Promise<void>>();

  constructor(options: SessionCacheOptions = {}) {
    this.idleMs = options.idleMs ?? 60_000;
    this.intraOpNumThreads = options.intraOpNumThreads ?? availableParallelism();
    this.interOpNumThreads = options.interOpNumThreads ?? 1;
    this.spinning = options.spinning ?? false;
  }

  /** Lends the session of a model file, loading it if needed. */
  async acquire(file: string): Promise<SessionLease> {
    const key = resolve(file);
    let entry = this.entries.get(key);
    if (!entry) {
      const created: Entry = {
        file: key,
        leases: 0,
        evicted: false,
        loading: InferenceSession.create(key, {
          executionProviders: ['cpu'],
          intraOpNumThreads: this.intraOpNumThreads,
          interOpNumThreads: this.interOpNumThreads,
          graphOptimizationLevel: 'all',
          extra: { session: { intra_op: { allow_spinning: this.spinning ? '1' : '0' } } },
        }),
      };
      entry = created;
      this.entries.set(key, entry);
      created.loading.then(
        (session) => (created.session = session),
        () => {
          if (this.entries.get(key) === created) this.entries.delete(key);
        },
      );
    }
    entry.leases++;
    clearTimeout(entry.timer);
    entry.timer = undefined;
    let session: InferenceSession;
    try {
      session = await entry.loading;
    } catch (error) {
      entry.leases--;
      throw error;
    }
    const held = entry;
    let released = false;
    return {
      session,
      release: () => {
        if (released) return;
        released = true;
        this.endLease(held);
      },
    };
  }

  /** Runs `use` with the model's session and ends the lease afterwards. */
  async withSession<T>(file: string, use: (session: InferenceSession) => Promise<T>): Promise<T> {
    const lease = await this.acquire(file);
    try {
      return await use(lease.session);
    } finally {
      lease.release();
    }
  }

  /** Whether a session for this model file is loaded (or loading) in the cache. */
  has(file: string): boolean {
    return this.entries.has(resolve(file));
  }

  /** Number of cached sessions. */
  get size(): number {
    return this.entries.size;
  }

  /** Releases every cached session (those in use are released as soon as their leases end). */
  async releaseAll(): Promise<void> {
    for (const entry of [...this.entries.values()]) this.evict(entry);
    await Promise.all([...this.releasing]);
  }

  private endLease(entry: Entry): void {
    entry.leases--;
    if (entry.leases > 0) return;
    if (entry.evicted) {
      this.dispose(entry);
      return;
    }
    entry.timer = setTimeout(() => this.evict(entry), this.idleMs);
    entry.timer.unref();
  }

  private evict(entry: Entry): void {
    clearTimeout(entry.timer);
    entry.timer = undefined;
    if (this.entries.get(entry.file) === entry) this.entries.delete(entry.file);
    entry.evicted = true;
    if (entry.leases === 0) this.dispose(entry);
  }

  private dispose(entry: Entry): void {
    const done = entry.loading
      .then((session) => session.release())
      .catch(() => undefined)
      .finally(() => this.releasing.delete(done));
    this.releasing.add(done);
  }
}

/** The cache the upscaler uses unless given another one. */
export const defaultSessionCache = new SessionCache();
