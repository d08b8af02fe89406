/** Messages between a job's runner and the pool workers that do its items. */
import type { ItemRequest } from '../core/jobs/jobService.ts';
import type { ItemOutcome } from '../core/jobs/jobRunner.ts';
import type { AnnotateParams } from '../core/annotate/annotatorSpec.ts';
import type { ItemAnnotation } from '../core/annotate/annotateItems.ts';

/** Where the dataset is and the settings items need. */
export interface JobEnvironment {
  root: string;
  captionExtension: string;
  maxPixels: number;
  /** The folder of the built-in upscaler models (the extension's or the CLI's `models/`). */
  builtInModels?: string;
  /** A folder of the user's own models. */
  userModels?: string;
}

/** What a job worker answers. */
export interface JobWorkerApi {
  requests: {
    runItem: { params: { request: ItemRequest; env: JobEnvironment }; result: ItemOutcome };
    /** Annotates a batch of images with a local model and writes the results into their files. */
    annotateBatch: {
      params: { params: AnnotateParams; keys: string[]; env: JobEnvironment };
      result: ItemAnnotation[];
    };
  };
  notifications: {
    /** Cancel the item in progress (it stays pending). */
    cancel: Record<string, never>;
  };
}
