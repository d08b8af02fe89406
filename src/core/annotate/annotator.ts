/**
 * The one interface every annotator implements (local ONNX taggers and scorers, cloud vision models),
 * and the shape of what they return: always with provenance (model, version, parameters, time).
 */
import type { TagCategory } from '../../shared/tagCategory.ts';

/** A tag a model proposes, with its confidence (0..1; 1 for models that give none). */
export interface TagScore {
  name: string;
  category: TagCategory;
  confidence: number;
}

/** One image to annotate. `image` holds the encoded file; `caption` the current caption text. */
export interface AnnotationRequest {
  /** Dataset-relative path (for messages). */
  path: string;
  image: Buffer;
  caption: string | null;
}

/** What an annotator said about one image. */
export interface AnnotationResult {
  /** Stable model id: `tagger:wd-vit-tagger-v3`, `scorer:<name>`, `openai:gpt-4.1-mini`, ... */
  model: string;
  /** Version of the weights or the provider's model revision (e.g. the first 12 hex of the model file's SHA-256). */
  version: string;
  kind: 'tags' | 'caption' | 'score';
  /** The parameters that shaped the result (thresholds, prompt template id, style, ...). */
  params: Record<string, unknown>;
  /** ISO time. */
  at: string;
  /** Tags at or above their category's threshold, most confident first. */
  tags?: TagScore[];
  /** The rating (general / sensitive / questionable / explicit) as its own field. */
  rating?: { name: string; confidence: number };
  /** Raw scores of the model's top candidates, by tag, for review (taggers). */
  raw?: Record<string, number>;
  /** A natural-language caption (captioning models). */
  caption?: string;
  /** An aesthetic or quality score (scorers). */
  score?: number;
  /** The image embedding a scorer computed (kept for similarity search). */
  embedding?: Float32Array;
  /** Tokens used (cloud models). */
  usage?: { inputTokens: number; outputTokens: number };
}

/** Why an annotation failed; `retryable` failures are retried with backoff. */
export type AnnotationFailure =
  'policy' | 'rate-limit' | 'server' | 'timeout' | 'malformed' | 'auth' | 'bad-request' | 'image' | 'other';

/** A failed annotation of one image by one model. */
export class AnnotationError extends Error {
  readonly failure: AnnotationFailure;
  readonly retryable: boolean;
  /** Seconds the provider asked to wait (Retry-After), when it did. */
  readonly retryAfterSeconds: number | undefined;

  constructor(
    failure: AnnotationFailure,
    message: string,
    options: { retryable?: boolean; retryAfterSeconds?: number; cause?: unknown } = {},
  ) {
    super(message, options.cause !== undefined ? { cause: options.cause } : undefined);
    this.name = 'AnnotationError';
    this.failure = failure;
    this.retryable = options.retryable ?? (failure === 'rate-limit' || failure === 'server' || failure === 'timeout');
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

/** An annotator: annotates a batch of images (one result or error per image, in order). */
export interface Annotator {
  /** The model id its results carry. */
  readonly id: string;
  /** How many images it likes per call (1 for cloud models; more for batched local inference). */
  readonly batchSize: number;
  annotate(
    requests: readonly AnnotationRequest[],
    signal?: AbortSignal,
  ): Promise<(AnnotationResult | AnnotationError)[]>;
  /** Releases sessions and connections. */
  close(): Promise<void>;
}
