/**
 * The local annotators of a job worker, one per spec, kept between batches so the model loads once
 * per run. A different spec closes the previous annotator (and releases its sessions).
 */
import type { Annotator } from './annotator.ts';
import type { AnnotatorSpec } from './annotatorSpec.ts';
import { LocalTagger } from './local/localTagger.ts';
import { LocalScorer } from './local/localScorer.ts';

/** What a worker knows about its environment that annotators need. */
export interface LocalAnnotatorEnv {
  maxPixels: number;
}

let cached: { key: string; annotator: Annotator } | undefined;

/** The parameters a spec's results record (thresholds, batch size). */
export function annotatorParams(spec: AnnotatorSpec): Record<string, unknown> {
  if (spec.type === 'tagger') return { general: spec.general, character: spec.character };
  if (spec.type === 'scorer') return {};
  return { style: spec.style, maxSide: spec.maxSide, ...(spec.template ? { template: spec.template } : {}) };
}

/** The worker's annotator for a local spec, created on first use. */
export async function localAnnotator(spec: AnnotatorSpec, env: LocalAnnotatorEnv): Promise<Annotator> {
  const key = JSON.stringify(spec);
  if (cached?.key === key) return cached.annotator;
  await cached?.annotator.close();
  cached = undefined;
  let annotator: Annotator;
  if (spec.type === 'tagger') {
    annotator = new LocalTagger({
      folder: spec.path,
      generalThreshold: spec.general,
      characterThreshold: spec.character,
      batchSize: spec.batchSize,
      maxInputPixels: env.maxPixels,
    });
  } else if (spec.type === 'scorer') {
    annotator = new LocalScorer({ folder: spec.path, batchSize: spec.batchSize, maxInputPixels: env.maxPixels });
  } else {
    throw new Error(
      `${spec.provider}:${spec.model} is a cloud model; it runs in the job's own thread, not in a pool worker.`,
    );
  }
  cached = { key, annotator };
  return annotator;
}
