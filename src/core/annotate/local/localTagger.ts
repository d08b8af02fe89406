/**
 * A Danbooru-style ONNX tagger (WD14, wd-v3, eva02 ...) as an Annotator: each annotate() call
 * decodes and preprocesses its images concurrently (taggerPreprocess.ts), runs them through the
 * model in one batched session.run, and post-processes each image's scores (taggerPostprocess.ts).
 * An image that cannot be decoded fails alone (AnnotationError 'image'); a model that does not meet
 * the tagger contract makes annotate() reject with a ModelContractError.
 *
 * Preprocessing adds 7-10% to the model run for a model of realistic cost (test/bench/taggerBench.ts),
 * one call at a time. ONNX Runtime's run blocks the JavaScript thread while sharp decodes on libuv's
 * threads, so two calls in flight (annotateBatches) decode the next batch during the current run;
 * that only pays when the model leaves cores free (with every core running the model, it was no faster).
 */
import { basename, join, resolve } from 'node:path';
import { Tensor } from 'onnxruntime-node';
import { AnnotationError } from '../annotator.ts';
import type { AnnotationRequest, AnnotationResult, Annotator } from '../annotator.ts';
import { SessionCache } from '../../models/sessionCache.ts';
import { loadingModel, modelVersion } from './modelVersion.ts';
import { readSelectedTags, readTaggerContract, TAGGER_MODEL_FILE } from './taggerContract.ts';
import type { TaggerContract } from './taggerContract.ts';
import { DEFAULT_THRESHOLDS, taggerOutput } from './taggerPostprocess.ts';
import type { TaggerThresholds } from './taggerPostprocess.ts';
import { taggerBatch } from './taggerPreprocess.ts';

/** Options of a LocalTagger. */
export interface LocalTaggerOptions {
  /** Folder holding `model.onnx` and `selected_tags.csv`. */
  folder: string;
  /** Where the session comes from; default: a cache of the tagger's own, released by close(). */
  sessions?: SessionCache;
  /** Threshold of general tags and every other category but character (default 0.35). */
  generalThreshold?: number;
  /** Threshold of character tags (default 0.85). */
  characterThreshold?: number;
  /** Raw scores below this are not kept for review (default 0.1). */
  rawMin?: number;
  /** Keep at most this many raw below-threshold candidates (default 50). */
  rawTop?: number;
  /** Images per annotate() call the tagger asks for (default 8). */
  batchSize?: number;
  /** Name in the id `tagger:<name>`; default: the folder's name. */
  name?: string;
  /** Refuse images with more pixels (decompression bombs); default sharp's 268 megapixels. */
  maxInputPixels?: number;
}

/** What a loaded tagger knows about its model. */
export interface LoadedTagger extends TaggerContract {
  /** First 12 hex digits of model.onnx's SHA-256. */
  version: string;
  modelFile: string;
}

/** A local ONNX tagger. */
export class LocalTagger implements Annotator {
  readonly id: string;
  readonly batchSize: number;
  readonly folder: string;
  readonly modelFile: string;
  readonly thresholds: TaggerThresholds;
  private readonly sessions: SessionCache;
  private readonly ownSessions: boolean;
  private readonly maxInputPixels: number | undefined;
  private loading: Promise<LoadedTagger> | undefined;

  constructor(options: LocalTaggerOptions) {
    this.folder = resolve(options.folder);
    this.modelFile = join(this.folder, TAGGER_MODEL_FILE);
    this.id = `tagger:${options.name ?? basename(this.folder)}`;
    this.batchSize = Math.max(1, Math.floor(options.batchSize ?? 8));
    this.thresholds = {
      general: options.generalThreshold ?? DEFAULT_THRESHOLDS.general,
      character: options.characterThreshold ?? DEFAULT_THRESHOLDS.character,
      rawMin: options.rawMin ?? DEFAULT_THRESHOLDS.rawMin,
      rawTop: options.rawTop ?? DEFAULT_THRESHOLDS.rawTop,
    };
    this.ownSessions = options.sessions === undefined;
    this.sessions = options.sessions ?? new SessionCache();
    this.maxInputPixels = options.maxInputPixels;
  }

  /** The parameters results carry. */
  get params(): Record<string, unknown> {
    return { general: this.thresholds.general, character: this.thresholds.character };
  }

  /** Reads the tag list, loads the session, checks the contract and hashes the weights (once); rejects with a ModelContractError for an unusable model. */
  load(): Promise<LoadedTagger> {
    if (!this.loading) {
      const loading = this.loadOnce();
      this.loading = loading;
      loading.catch(() => {
        if (this.loading === loading) this.loading = undefined;
      });
    }
    return this.loading;
  }

  private async loadOnce(): Promise<LoadedTagger> {
    const tags = readSelectedTags(this.folder);
    const version = modelVersion(this.modelFile);
    const label = basename(this.folder);
    const contract = await loadingModel(this.modelFile, label, 'tagger', () =>
      this.sessions.withSession(this.modelFile, async (session) => readTaggerContract(session, tags, label)),
    );
    return { ...contract, version: await version, modelFile: this.modelFile };
  }

  /** Tags a batch of images with one model run; one result or AnnotationError per request, in order. */
  async annotate(
    requests: readonly AnnotationRequest[],
    signal?: AbortSignal,
  ): Promise<(AnnotationResult | AnnotationError)[]> {
    signal?.throwIfAborted();
    const model = await this.load();
    const lease = await this.sessions.acquire(this.modelFile);
    try {
      const batch = await taggerBatch(
        requests.map((r) => r.image),
        model.size,
        this.maxInputPixels === undefined ? {} : { maxInputPixels: this.maxInputPixels },
      );
      signal?.throwIfAborted();
      const results = new Array<AnnotationResult | AnnotationError>(requests.length);
      for (const [i, error] of batch.failed)
        results[i] = new AnnotationError(
          'image',
          `${requests[i]!.path}: cannot be decoded: ${error.message.split('\n')[0]}`,
          { cause: error },
        );
      const pixels = model.size * model.size * 3;
      const chunk = model.maxBatch ?? Math.max(1, batch.decoded.length);
      for (let start = 0; start < batch.decoded.length; start += chunk) {
        const count = Math.min(chunk, batch.decoded.length - start);
        const feed = new Tensor('float32', batch.data.subarray(start * pixels, (start + count) * pixels), [
          count,
          model.size,
          model.size,
          3,
        ]);
        const output = (await lease.session.run({ [model.inputName]: feed }))[model.outputName];
        if (!output || output.dims.length !== 2 || output.dims[0] !== count || output.dims[1] !== model.tags.length) {
          throw new Error(
            `${basename(this.folder)}: the model gave an output shaped [${output?.dims.join(',') ?? ''}] for ${count} images and ${model.tags.length} tags`,
          );
        }
        const scores = output.data as Float32Array;
        const at = new Date().toISOString();
        for (let k = 0; k < count; k++) {
          const { tags, rating, raw } = taggerOutput(scores, k * model.tags.length, model.tags, this.thresholds);
          results[batch.decoded[start + k]!] = {
            model: this.id,
            version: model.version,
            kind: 'tags',
            params: this.params,
            at,
            tags,
            ...(rating ? { rating } : {}),
            raw,
          };
        }
      }
      return results;
    } finally {
      lease.release();
    }
  }

  /** Releases the session when the tagger owns its cache (a shared cache keeps it until idle). */
  async close(): Promise<void> {
    if (this.ownSessions) await this.sessions.releaseAll();
  }
}
