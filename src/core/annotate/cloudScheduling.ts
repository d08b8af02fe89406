/**
 * One request scheduler per cloud run: the provider's rate limit and concurrency, retries with
 * backoff, as the run's spec sets them.
 */
import type { CloudSpec } from './annotatorSpec.ts';
import type { RequestScheduler as Scheduler } from './cloudItemRunner.ts';
import { RequestScheduler } from './cloud/requestScheduler.ts';

/** A scheduler function over a RequestScheduler configured from the spec. */
export function requestScheduler(spec: CloudSpec): Scheduler {
  const scheduler = new RequestScheduler({ rpm: spec.rpm, concurrency: spec.concurrency });
  return (_request, call, signal) => scheduler.run(call, signal);
}
