/**
 * What an annotation run uses, as plain data a job stores and a worker rebuilds the annotator from.
 * API keys are never part of it: they come from the front end at run time.
 */
import type { MergeOptions } from './mergeAnnotation.ts';

/** A local Danbooru-style tagger: a folder with `model.onnx` and `selected_tags.csv`. */
export interface TaggerSpec {
  type: 'tagger';
  /** Absolute path of the model folder. */
  path: string;
  general: number;
  character: number;
  batchSize: number;
}

/** A local scorer: an image-embedding model plus an aesthetic head. */
export interface ScorerSpec {
  type: 'scorer';
  /** Absolute path of the scorer folder. */
  path: string;
  batchSize: number;
}

/** Cloud providers (`openai-compatible`: any server speaking OpenAI's API, by base URL). */
export type CloudProvider = 'openai' | 'anthropic' | 'google' | 'openai-compatible';

/** Caption styles of cloud models. */
export type CaptionStyle = 'tags' | 'sentence' | 'both';

/** A cloud vision model through its provider's SDK (or any OpenAI-compatible endpoint by base URL). */
export interface CloudSpec {
  type: 'cloud';
  provider: CloudProvider;
  model: string;
  baseUrl?: string;
  style: CaptionStyle;
  /** A prompt template file overriding the built-in one. */
  template?: string;
  trigger?: string;
  /** Images are downscaled to this long side before upload. */
  maxSide: number;
  /** Requests per minute and requests at once. */
  rpm: number;
  concurrency: number;
  /** Send the run through the provider's batch engine (cheaper, slower). */
  batch?: boolean;
}

/** Any annotator spec. */
export type AnnotatorSpec = TaggerSpec | ScorerSpec | CloudSpec;

/** The parameters of an annotate job. */
export interface AnnotateParams {
  annotator: AnnotatorSpec;
  merge: MergeOptions;
  captionExtension: string;
}

/** The model id results of this spec carry (`tagger:<folder>`, `scorer:<folder>`, `openai:<model>`). */
export function annotatorId(spec: AnnotatorSpec): string {
  if (spec.type === 'cloud') return `${spec.provider}:${spec.model}`;
  const name =
    spec.path
      .replace(/[\\/]+$/, '')
      .split(/[\\/]/)
      .pop() ?? spec.path;
  return `${spec.type}:${name}`;
}

/** The kind of result the spec gives. */
export function annotatorKind(spec: AnnotatorSpec): 'tags' | 'caption' | 'score' {
  if (spec.type === 'tagger') return 'tags';
  if (spec.type === 'scorer') return 'score';
  return spec.style === 'tags' ? 'tags' : 'caption';
}

/**
 * Items in flight at once for a spec: one batch for a local model (a single session already uses
 * every core through ONNX Runtime's threads; a second worker would only fight it for them), or the
 * provider's concurrency.
 */
export function annotateConcurrency(spec: AnnotatorSpec): number {
  return spec.type === 'cloud' ? Math.max(1, spec.concurrency) : Math.max(1, spec.batchSize);
}
