/**
 * Runs an annotator over a stream of batches with more than one annotate() call in flight, so a
 * local model's next batch is read and decoded (on libuv's threads) while the current one runs.
 * Results come back batch by batch, in order. This pays only when the model leaves cores free
 * (e.g. intraOpNumThreads below the core count): on 2 cores with the model on both, a tagger with two
 * calls in flight was 23.0% and 10.1% slower than bare inference in two runs, against 7.4% and 9.7%
 * one call at a time, as decoding competes with the model's threads (test/bench/taggerBench.ts).
 */
import type { AnnotationError, AnnotationRequest, AnnotationResult, Annotator } from '../annotator.ts';

/** One annotated batch: its requests and one result or error per request. */
export interface AnnotatedBatch {
  requests: AnnotationRequest[];
  results: (AnnotationResult | AnnotationError)[];
}

/** Options of annotateBatches. */
export interface PipelineOptions {
  /** annotate() calls in flight (default 2: one running, one decoding; 1 runs them one at a time). */
  depth?: number;
  signal?: AbortSignal;
}

/**
 * Annotates each batch the source yields, keeping up to `depth` calls in flight, and yields the
 * batches in order. The source is pulled as soon as a call has started, so reading the next batch's
 * files overlaps the current batch too. A rejected call (a model that cannot be used, a cancellation)
 * rejects the iteration; calls still in flight are awaited first.
 */
export async function* annotateBatches(
  annotator: Annotator,
  source: Iterable<AnnotationRequest[]> | AsyncIterable<AnnotationRequest[]>,
  options: PipelineOptions = {},
): AsyncGenerator<AnnotatedBatch> {
  const depth = Math.max(1, Math.floor(options.depth ?? 2));
  const queue: Array<{ requests: AnnotationRequest[]; results: Promise<(AnnotationResult | AnnotationError)[]> }> = [];
  try {
    for await (const requests of source) {
      if (requests.length === 0) continue;
      const results = annotator.annotate(requests, options.signal);
      results.catch(() => undefined);
      queue.push({ requests, results });
      while (queue.length >= depth) {
        const next = queue.shift()!;
        yield { requests: next.requests, results: await next.results };
      }
    }
    while (queue.length > 0) {
      const next = queue.shift()!;
      yield { requests: next.requests, results: await next.results };
    }
  } finally {
    await Promise.allSettled(queue.map((q) => q.results));
  }
}
