/**
 * The `dataset.toml` that kohya sd-scripts reads with `--dataset_config`: `[general]`, one
 * `[[datasets]]` with resolution and bucket settings, and one `[[datasets.subsets]]` per concept folder.
 */
import { stringify } from 'smol-toml';

/** One concept folder of a kohya export. */
export interface KohyaSubset {
  /** Absolute path of the `<repeats>_<name>` folder. */
  imageDir: string;
  repeats: number;
  classTokens: string;
  keepTokens: number;
  images: number;
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
    datasets: [{
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
      })),
    }],
  };
  return `# Written by Tagbench for kohya sd-scripts: train with --dataset_config ${'dataset.toml'}\n${stringify(document)}\n`;
}

/** Images x repeats: the steps of one epoch at batch size 1. */
export function stepsPerEpoch(subsets: readonly KohyaSubset[]): number {
  return subsets.reduce((sum, s) => sum + s.images * s.repeats, 0);
}
