/**
 * The `dataset.toml` that kohya sd-scripts reads with `--dataset_config`: `[general]`, one
 * `[[datasets]]` with resolution and bucket settings, and one `[[datasets.subsets]]` per concept folder
 * (`is_reg = true` for regularisation images). Only keys sd-scripts accepts are written.
 */
import { isAbsolute } from 'node:path';
import { stringify } from 'smol-toml';

/** One concept folder of a kohya export. */
export interface KohyaSubset {
  /** The `<repeats>_<name>` folder as image_dir is written: relative to the toml's folder (`10_alice`, `reg/1_woman`) or absolute. */
  imageDir: string;
  repeats: number;
  classTokens: string;
  keepTokens: number;
  images: number;
  /** Regularisation images (sd-scripts balances them to the training images' count). */
  isReg?: boolean;
}

/** Settings of a kohya export's dataset.toml. */
export interface KohyaConfig {
  resolution: number;
  batchSize: number;
  captionExtension: string;
  shuffleCaption: boolean;
  subsets: KohyaSubset[];
  enableBucket: boolean;
  bucketNoUpscale: boolean;
  minBucketReso: number;
  maxBucketReso: number;
  bucketResoSteps: number;
}

/** The dataset.toml text. */
export function kohyaDatasetToml(config: KohyaConfig): string {
  const keepTokens = Math.max(0, ...config.subsets.map((s) => s.keepTokens));
  const document = {
    general: {
      shuffle_caption: config.shuffleCaption,
      caption_extension: config.captionExtension,
      keep_tokens: keepTokens,
    },
    datasets: [
      {
        resolution: config.resolution,
        batch_size: config.batchSize,
        enable_bucket: config.enableBucket,
        min_bucket_reso: config.minBucketReso,
        max_bucket_reso: config.maxBucketReso,
        bucket_reso_steps: config.bucketResoSteps,
        bucket_no_upscale: config.bucketNoUpscale,
        subsets: config.subsets.map((s) => ({
          image_dir: s.imageDir,
          num_repeats: s.repeats,
          ...(s.classTokens ? { class_tokens: s.classTokens } : {}),
          keep_tokens: s.keepTokens,
          caption_extension: config.captionExtension,
          ...(s.isReg ? { is_reg: true } : {}),
        })),
      },
    ],
  };
  const relative = config.subsets.some((s) => !isAbsolute(s.imageDir));
  const header = relative
    ? '# Written by Tagbench for kohya sd-scripts. The image_dir paths are relative to this folder: start the\n' +
      '# trainer from here (--dataset_config dataset.toml), or export with --paths absolute.\n'
    : '# Written by Tagbench for kohya sd-scripts: train with --dataset_config dataset.toml\n';
  return `${header}${stringify(document)}\n`;
}

/**
 * The steps of one epoch at batch size 1, as sd-scripts counts them: images x repeats of the training
 * subsets, plus the regularisation images it registers to match that count (their repeats in order
 * until the training count is reached, or repeated further until it is; none without training images).
 */
export function stepsPerEpoch(subsets: readonly KohyaSubset[]): number {
  const train = subsets.filter((s) => !s.isReg).reduce((sum, s) => sum + s.images * s.repeats, 0);
  const reg = subsets.filter((s) => s.isReg && s.images > 0);
  if (train === 0 || reg.length === 0) return train;
  let registered = 0;
  for (const s of reg) {
    if (registered + s.images * s.repeats >= train)
      return train + registered + Math.ceil((train - registered) / s.repeats) * s.repeats;
    registered += s.images * s.repeats;
  }
  return train + train;
}
