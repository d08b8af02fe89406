/**
 * A CLIP-style aesthetic scorer as an Annotator: images are centre-cropped and CLIP-normalised
 * (clipPreprocess.ts), embedded by one model ([b,3,S,S] -> [b,d]), L2-normalised (as the LAION
 * aesthetic predictor does; optional) and scored by a head ([b,d] -> [b,1]). Each result keeps the
 * embedding the head saw, for similarity search. One batched run of each model per annotate() call.
 */
import { basename, resolve } from 'node:path';
import { Tensor } from 'onnxruntime-node';
import { AnnotationError } from '../annotator.ts';
import type { AnnotationRequest, AnnotationResult, Annotator } from '../annotator.ts';
import { SessionCache } from '../../models/sessionCache.ts';
import { ModelContractError } from '../../models/upscalerContract.ts';
import { clipPixels, writeClipNchw } from './clipPreprocess.ts';
import { loadingModel, modelVersion } from './modelVersion.ts';
import { readScorerContract, SCORER_EMBEDDING_FILES, SCORER_HEAD_FILE, scorerFiles } from './scorerContract.ts';
import type { ScorerContract } from './scorerContract.ts';

/** Options of a LocalScorer: a folder (clip.onnx or embedding.onnx, and aesthetic.onnx) or the two files. */
export interface LocalScorerOptions {
  folder?: string;
  /** The embedding model; default: the folder's clip.onnx or embedding.onnx. */
  embeddingFile?: string;
  /** The aesthetic head; default: the folder's aesthetic.onnx. */
  headFile?: string;
  /** Name in the id `scorer:<name>`; default: the folder's name (or the head file's stem). */
  name?: string;
  /** L2-normalise the embedding before the head (default true, as the LAION aesthetic predictor). */
  normalize?: boolean;
  /** Images per annotate() call (default 16). */
  batchSize?: number;
  /** Where the sessions come from; default: a cache of the scorer's own, released by close(). */
  sessions?: SessionCache;
  /** Refuse images with more pixels (decompression bombs); default sharp's 268 megapixels. */
  maxInputPixels?: number;
}

/** What a loaded scorer knows about its models. */
export interface LoadedScorer extends ScorerContract {
  /** `<12 hex of the embedding model's SHA-256>+<12 hex of the head's>`. */
  version: string;
}

/** A local ONNX embedding + aesthetic head scorer. */
export class LocalScorer implements Annotator {
  readonly id: string;
  readonly batchSize: number;
  readonly normalize: boolean;
  readonly embeddingFile: string;
  readonly headFile: string;
  private readonly label: string;
  private readonly sessions: SessionCache;
  private readonly ownSessions: boolean;
  private readonly maxInputPixels: number | undefined;
  private loading: Promise<LoadedScorer> | undefined;

  constructor(options: LocalScorerOptions) {
    const found = options.folder ? scorerFiles(resolve(options.folder)) : {};
    const embeddingFile = options.embeddingFile ?? found.embedding;
    const headFile = options.headFile ?? found.head;
    const label =
      options.name ??
      (options.folder ? basename(resolve(options.folder)) : basename(headFile ?? 'scorer').replace(/\.onnx$/i, ''));
    if (!embeddingFile)
      throw new ModelContractError(
        `${label} cannot be used as a scorer: it has no embedding model (${SCORER_EMBEDDING_FILES.join(' or ')})`,
      );
    if (!headFile)
      throw new ModelContractError(
        `${label} cannot be used as a scorer: it has no aesthetic head (${SCORER_HEAD_FILE})`,
      );
    this.embeddingFile = resolve(embeddingFile);
    this.headFile = resolve(headFile);
    this.label = label;
    this.id = `scorer:${label}`;
    this.normalize = options.normalize ?? true;
    this.batchSize = Math.max(1, Math.floor(options.batchSize ?? 16));
    this.ownSessions = options.sessions === undefined;
    this.sessions = options.sessions ?? new SessionCache();
    this.maxInputPixels = options.maxInputPixels;
  }

  /** The parameters results carry. */
  get params(): Record<string, unknown> {
    return { normalize: this.normalize };
  }

  /** Loads both sessions, checks the contract and hashes the weights (once); rejects with a ModelContractError for unusable models. */
  load(): Promise<LoadedScorer> {
    if (!this.loading) {
      const loading = this.loadOnce();
      this.loading = loading;
      loading.catch(() => {
        if (this.loading === loading) this.loading = undefined;
      });
    }
    return this.loading;
  }

  private async loadOnce(): Promise<LoadedScorer> {
    const versions = Promise.all([modelVersion(this.embeddingFile), modelVersion(this.headFile)]);
    const contract = await loadingModel(this.embeddingFile, this.label, 'scorer', () =>
      this.sessions.withSession(this.embeddingFile, (embedding) =>
        loadingModel(this.headFile, this.label, 'scorer', () =>
          this.sessions.withSession(this.headFile, async (head) => readScorerContract(embedding, head, this.label)),
        ),
      ),
    );
    const [a, b] = await versions;
    return { ...contract, version: `${a}+${b}` };
  }

  /** Scores a batch of images; one result or AnnotationError per request, in order. */
  async annotate(
    requests: readonly AnnotationRequest[],
    signal?: AbortSignal,
  ): Promise<(AnnotationResult | AnnotationError)[]> {
    signal?.throwIfAborted();
    const model = await this.load();
    const embeddingLease = await this.sessions.acquire(this.embeddingFile);
    const headLease = await this.sessions.acquire(this.headFile).catch((error: unknown) => {
      embeddingLease.release();
      throw error;
    });
    try {
      const settled = await Promise.allSettled(
        requests.map((r) => clipPixels(r.image, model.size, this.maxInputPixels)),
      );
      signal?.throwIfAborted();
      const decoded: number[] = [];
      const results = new Array<AnnotationResult | AnnotationError>(requests.length);
      settled.forEach((s, i) => {
        if (s.status === 'fulfilled') decoded.push(i);
        else
          results[i] = new AnnotationError(
            'image',
            `${requests[i]!.path}: cannot be decoded: ${String((s.reason as Error)?.message ?? s.reason).split('\n')[0]}`,
            { cause: s.reason },
          );
      });
      const pixels = model.size * model.size * 3;
      const chunk = model.maxBatch ?? Math.max(1, decoded.length);
      for (let start = 0; start < decoded.length; start += chunk) {
        const indices = decoded.slice(start, start + chunk);
        const data = new Float32Array(indices.length * pixels);
        indices.forEach((requestIndex, slot) =>
          writeClipNchw((settled[requestIndex] as PromiseFulfilledResult<Buffer>).value, data, slot),
        );
        const feed = new Tensor('float32', data, [indices.length, 3, model.size, model.size]);
        const embedded = (await embeddingLease.session.run({ [model.embeddingInput]: feed }))[model.embeddingOutput];
        if (!embedded || embedded.dims.length !== 2 || embedded.dims[0] !== indices.length)
          throw new Error(
            `${this.label}: the embedding model gave an output shaped [${embedded?.dims.join(',') ?? ''}] for ${indices.length} images`,
          );
        const dim = embedded.dims[1]!;
        const vectors = Float32Array.from(embedded.data as Float32Array);
        if (this.normalize) {
          for (let k = 0; k < indices.length; k++) {
            const row = vectors.subarray(k * dim, (k + 1) * dim);
            let sum = 0;
            for (const v of row) sum += v * v;
            const norm = Math.sqrt(sum);
            if (norm > 0) for (let j = 0; j < dim; j++) row[j]! /= norm;
          }
        }
        const scored = (
          await headLease.session.run({ [model.headInput]: new Tensor('float32', vectors, [indices.length, dim]) })
        )[model.headOutput];
        if (!scored || scored.dims[0] !== indices.length || (scored.data as Float32Array).length !== indices.length)
          throw new Error(
            `${this.label}: the head gave an output shaped [${scored?.dims.join(',') ?? ''}] for ${indices.length} images`,
          );
        const scores = scored.data as Float32Array;
        const at = new Date().toISOString();
        indices.forEach((requestIndex, k) => {
          results[requestIndex] = {
            model: this.id,
            version: model.version,
            kind: 'score',
            params: this.params,
            at,
            score: scores[k]!,
            embedding: vectors.slice(k * dim, (k + 1) * dim),
          };
        });
      }
      return results;
    } finally {
      headLease.release();
      embeddingLease.release();
    }
  }

  /** Releases the sessions when the scorer owns its cache (a shared cache keeps them until idle). */
  async close(): Promise<void> {
    if (this.ownSessions) await this.sessions.releaseAll();
  }
}
