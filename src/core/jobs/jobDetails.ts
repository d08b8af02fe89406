/**
 * What a job's finishing step reports, one shape per job kind (`kind` is the job's kind). The CLI's
 * `--json` output of a run spreads these fields beside the job's own, so their names are a contract.
 */
import type { ExportDetails } from '../export/finishExport.ts';

/** A finished process job: images cropped and upscaled, and the bucket histogram. */
export interface ProcessJobDetails {
  kind: 'process';
  cropped: number;
  upscaled: number;
  /** Buckets by number of images, most first. */
  buckets: { bucket: string; count: number }[];
}

/** A finished export job: where it went, how many images, its subsets and the steps per epoch a trainer will see. */
export type ExportJobDetails = { kind: 'export' } & ExportDetails;

/** An annotate job (finished or paused): what its annotations did to the captions, and the provider's refusals in it. */
export interface AnnotateJobDetails {
  kind: 'annotate';
  model: string;
  annotated: number;
  tagsAdded: number;
  tagsSuggested: number;
  captionsChanged: number;
  /** Hand-written captions kept; the model's caption is held for review. */
  captionsHeld: number;
  /** Items of this job the provider refused under its content policy. */
  policyViolations: number;
}

/** What a job run reports beside its counts. */
export type JobDetails = ProcessJobDetails | ExportJobDetails | AnnotateJobDetails;

/** The details of a report of a job of `kind`; throws when the report has none of that kind. */
export function detailsOfKind<K extends JobDetails['kind']>(
  details: JobDetails | null,
  kind: K,
): Extract<JobDetails, { kind: K }> {
  if (details?.kind !== kind)
    throw new Error(`Expected the details of a finished ${kind} job, got ${details ? details.kind : 'none'}.`);
  return details as Extract<JobDetails, { kind: K }>;
}
