/**
 * The finishing step of an export job, once every item is through: the manifest (removing what left
 * the set), and the format's own files (kohya's dataset.toml with a subset per concept folder, Hugging
 * Face's metadata.jsonl per split), and what the job reports.
 */
import { findAtomicTemps, removeStrayTemps } from '../strayTempFiles.ts';
import type { Database } from 'better-sqlite3';
import { writeFileAtomic } from '../atomicWrite.ts';
import { jobItems } from '../jobs/jobStore.ts';
import { cachedManifest, exportPath, writeManifest } from './exportFolder.ts';
import type { ExportManifest } from './exportFolder.ts';
import type { ExportFormat, ExportItemResult, ExportParams } from './exportImage.ts';
import { conceptOf, kohyaSubsetOf } from './kohyaConcepts.ts';
import { kohyaDatasetToml, stepsPerEpoch } from './kohyaConfig.ts';
import type { KohyaSubset } from './kohyaConfig.ts';
import { hfMetadataJsonl } from './hfMetadata.ts';

/** One kohya subset of an export as reported. */
export type ExportSubsetReport = {
  /** Output-relative folder (`10_alice`, `reg/1_woman`). */
  folder: string;
  /** Its absolute path (dataset.toml's image_dir is this with --paths absolute, else `folder`). */
  imageDir: string;
  repeats: number;
  classTokens: string;
  isReg: boolean;
  images: number;
  /** Images x repeats. */
  steps: number;
  /** The dataset's concept folders its images come from (none for images outside any). */
  concepts: string[];
};

/** What an export job's finishing step reports (the `details` of its job report). */
export type ExportDetails = {
  /** The export folder. */
  out: string;
  format: ExportFormat;
  /** Images in the export. */
  images: number;
  /** Images of the previous export removed because they left the set. */
  removed: number;
  /** At batch size 1: kohya as sd-scripts counts it (regularisation images balanced to the training images); images otherwise. */
  stepsPerEpoch: number;
  /** kohya: the repeats of the `<repeats>_<name>` folder (each concept folder has its own, see subsets). */
  repeats?: number;
  /** kohya: one per folder of dataset.toml. */
  subsets?: ExportSubsetReport[];
  /** kohya with a name or repeats given: the concept folders whose images went into one folder. */
  merged?: { into: string; folders: string[] };
  /** hf: images in the train and test splits. */
  train?: number;
  test?: number;
  /** Things the user should know, one sentence each (e.g. an old output left behind a link). */
  warnings: string[];
};

/** Writes the manifest and the format's files of a finished export job; returns what it reports. */
export function finishExport(db: Database, jobId: number, params: ExportParams, root: string): ExportDetails {
  const results = [...jobItems(db, jobId, 'done'), ...jobItems(db, jobId, 'skipped')]
    .map((i) => i.result as ExportItemResult)
    .sort((a, b) => (a.path < b.path ? -1 : 1));
  const previous = cachedManifest(params.out);
  const manifest: ExportManifest = { tagbench: 1, format: params.format, dataset: root, items: {} };
  for (const r of results) {
    manifest.items[r.path] = {
      source: r.source,
      sourceSha256: r.sourceSha256,
      recipeKey: r.recipeKey,
      captionHash: r.captionHash,
      caption: r.caption,
      ...(r.sourceSize !== undefined ? { sourceSize: r.sourceSize, sourceMtimeMs: r.sourceMtimeMs } : {}),
      ...(r.inputKey !== undefined
        ? { inputKey: r.inputKey, outputMtimeMs: r.outputMtimeMs, captionMtimeMs: r.captionMtimeMs }
        : {}),
    };
  }
  const { removed, warnings } = writeManifest(params.out, manifest, previous);
  // Temporary files an export killed halfway left (a live writer's are never touched).
  removeStrayTemps(findAtomicTemps(params.out));
  const details: ExportDetails = {
    out: params.out,
    format: params.format,
    images: results.length,
    removed,
    stepsPerEpoch: results.length,
    warnings,
  };
  if (params.format === 'kohya') {
    const subsets = kohyaSubsets(params, results);
    writeFileAtomic(
      exportPath(params.out, 'dataset.toml', true),
      kohyaDatasetToml({
        resolution: params.resolution ?? 1024,
        batchSize: 1,
        captionExtension: '.txt',
        shuffleCaption: true,
        enableBucket: true,
        bucketNoUpscale: true,
        minBucketReso: 256,
        maxBucketReso: 2048,
        bucketResoSteps: 64,
        // Relative paths (the default) let the export folder move to a training machine as it is.
        subsets: subsets.map((s) => ({ ...s, imageDir: params.paths === 'absolute' ? s.imageDir : s.folder })),
      }),
    );
    details.repeats = params.repeats;
    details.stepsPerEpoch = stepsPerEpoch(subsets);
    details.subsets = subsets.map((s) => ({
      folder: s.folder,
      imageDir: s.imageDir,
      repeats: s.repeats,
      classTokens: s.classTokens,
      isReg: s.isReg,
      images: s.images,
      steps: s.steps,
      concepts: s.concepts,
    }));
    const into = kohyaSubsetOf(params, '').folder;
    const merged = params.concepts === 'keep' ? [] : (subsets.find((s) => s.folder === into)?.concepts ?? []);
    if (merged.length > 0) details.merged = { into, folders: merged };
    for (const s of subsets) {
      if (s.repeats > 100 && s.concepts.length > 0 && s.folder !== into) {
        warnings.push(
          `${s.concepts.join(', ')} ${s.concepts.length === 1 ? 'is' : 'are'} read as ${s.repeats} repeats from the folder name, as sd-scripts reads it; rename the folder or merge the concept folders if that is not meant.`,
        );
      }
    }
    const uncaptioned = subsets
      .map((s) => ({ s, n: results.filter((r) => r.folder === s.folder && r.text === '').length }))
      .filter(({ n }) => n > 0);
    for (const { s, n } of uncaptioned) {
      warnings.push(
        `${n} image${n === 1 ? '' : 's'} in ${s.folder} ${n === 1 ? 'has' : 'have'} no caption; no caption file is written for ${n === 1 ? 'it' : 'them'} (sd-scripts stops at an empty one) and sd-scripts trains ${n === 1 ? 'it' : 'them'} on ${s.classTokens ? `the class tokens "${s.classTokens}"` : 'an empty caption'}.`,
      );
    }
    if (subsets.length > 0 && subsets.every((s) => s.isReg))
      warnings.push(
        'The export holds regularisation images only; sd-scripts trains on none of them without training images.',
      );
  } else if (params.format === 'hf') {
    for (const split of ['train', 'test']) {
      const rows = results
        .filter((r) => r.folder === split)
        .map((r) => ({ fileName: r.path.slice(split.length + 1), text: r.text }));
      if (rows.length > 0)
        writeFileAtomic(exportPath(params.out, `${split}/metadata.jsonl`, true), hfMetadataJsonl(rows));
    }
    details.train = results.filter((r) => r.folder === 'train').length;
    details.test = results.filter((r) => r.folder === 'test').length;
  }
  return details;
}

/** The kohya subsets of an export's images: training folders first, then regularisation ones, each by folder name. */
function kohyaSubsets(
  params: ExportParams,
  results: readonly ExportItemResult[],
): (ExportSubsetReport & KohyaSubset)[] {
  const byFolder = new Map<string, ExportSubsetReport & KohyaSubset>();
  for (const r of results) {
    const subset = kohyaSubsetOf(params, r.source);
    let entry = byFolder.get(r.folder);
    if (!entry) {
      entry = {
        folder: r.folder,
        imageDir: exportPath(params.out, r.folder, false),
        repeats: subset.repeats,
        classTokens: subset.classTokens,
        isReg: subset.isReg,
        images: 0,
        steps: 0,
        concepts: [],
        keepTokens: 0,
      };
      byFolder.set(r.folder, entry);
    }
    entry.images++;
    entry.steps += entry.repeats;
    entry.keepTokens = Math.max(entry.keepTokens, r.keepTokens);
    const concept = conceptOf(r.source);
    if (concept && !entry.concepts.includes(concept.folder)) entry.concepts.push(concept.folder);
  }
  for (const entry of byFolder.values()) entry.concepts.sort();
  return [...byFolder.values()].sort(
    (a, b) => Number(a.isReg) - Number(b.isReg) || (a.folder < b.folder ? -1 : a.folder > b.folder ? 1 : 0),
  );
}
