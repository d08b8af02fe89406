/** Messages between the extension host and its index worker thread (the data worker's are in dataProtocol.ts, the job workers' in jobProtocol.ts). */
import type { IndexOptions, IndexProgress, IndexSummary } from '../core/index/indexer.ts';

/** Index worker: runs one indexing pass at a time. */
export interface IndexWorkerApi {
  requests: {
    run: { params: { root: string; options: Omit<IndexOptions, 'signal' | 'onProgress'> }; result: IndexSummary };
  };
  notifications: {
    cancel: Record<string, never>;
  };
}

/** What the index worker tells the host while it runs. */
export interface IndexWorkerEvents {
  requests: Record<string, never>;
  notifications: {
    progress: IndexProgress;
  };
}
