/**
 * The finishing step of an export job, once every item is through: the manifest (removing what left
 * the set), and the format's own files (kohya's dataset.toml, Hugging Face's metadata.jsonl per split).
 */
import type { Database } from 'better-sqlite3';
import { join } from 'node:path';
import { writeFileAtomic } from '../atomicWrite.ts';
import { jobItems } from '../jobs/jobStore.ts';
import { readManifest, writeManifest } from './exportFolder.ts';
import type { ExportManifest } from './exportFolder.ts';
import { safeName } from './exportImage.ts';
import type { ExportFormat, ExportItemResult, ExportParams } from './exportImage.ts';
import { kohyaDatasetToml, stepsPerEpoch } from './kohyaConfig.ts';
import { hfMetadataJsonl } from './hfMetadata.ts';

/** What an export job's finishing step reports (the `details` of its job report). */
export type ExportDetails = {
  /** The export folder. */
  out: string;
  format: ExportFormat;
  /** Images in the export. */
  images: number;
  /** Images of the previous export removed because they left the set. */
  removed: number;
  /** Images x repeats, summed over the subsets (images for hf and plain). */
  stepsPerEpoch: number;
  /** kohya: the repeats of the concept folder. */
  repeats?: number;
  /** hf: images in the train and test splits. */
  train?: number;
  test?: number;
};

/** Writes the manifest and the format's files of a finished export job; returns what it reports. */
export function finishExport(db: Database, jobId: number, params: ExportParams, root: string): ExportDetails {
  const results = [...jobItems(db, jobId, 'done'), ...jobItems(db, jobId, 'skipped')]
    .map((i) => i.result as ExportItemResult)
    .sort((a, b) => (a.path < b.path ? -1 : 1));
  const previous = readManifest(params.out);
  const manifest: ExportManifest = { tagbench: 1, format: params.format, dataset: root, items: {} };
  for (const r of results) {
    manifest.items[r.path] = { source: r.source, sourceSha256: r.sourceSha256, recipeKey: r.recipeKey, captionHash: r.captionHash, caption: r.caption };
  }
  const removed = writeManifest(params.out, manifest, previous);
  const keepTokens = Math.max(0, ...results.map((r) => r.keepTokens));
  const details: ExportDetails = { out: params.out, format: params.format, images: results.length, removed, stepsPerEpoch: results.length };
  if (params.format === 'kohya') {
    const subsets = [{ imageDir: join(params.out, `${params.repeats}_${safeName(params.name)}`), repeats: params.repeats, classTokens: params.classTokens, keepTokens, images: results.length }];
    writeFileAtomic(join(params.out, 'dataset.toml'), kohyaDatasetToml({
      resolution: params.resolution ?? 1024, batchSize: 1, captionExtension: '.txt', shuffleCaption: true,
      enableBucket: true, bucketNoUpscale: true, minBucketReso: 256, maxBucketReso: 2048, bucketResoSteps: 64, subsets,
    }));
    details.repeats = params.repeats;
    details.stepsPerEpoch = stepsPerEpoch(subsets);
  } else if (params.format === 'hf') {
    for (const split of ['train', 'test']) {
      const rows = results.filter((r) => r.folder === split).map((r) => ({ fileName: r.path.slice(split.length + 1), text: r.text }));
      if (rows.length > 0) writeFileAtomic(join(params.out, split, 'metadata.jsonl'), hfMetadataJsonl(rows));
    }
    details.train = results.filter((r) => r.folder === 'train').length;
    details.test = results.filter((r) => r.folder === 'test').length;
  }
  return details;
}
