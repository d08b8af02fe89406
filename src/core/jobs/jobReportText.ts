/** How a job run ended, in words: the one formatter the CLI and VS Code both use. */
import type { JobInfo } from './jobStore.ts';
import type { JobDetails } from './jobDetails.ts';
import { exportSummaryLines, exportSummaryText } from '../export/exportSummary.ts';

/** The job's item counts: "18 done, 1 skipped (up to date), 1 failed of 20". */
export function jobCountsText(job: JobInfo): string {
  return `${job.done} done, ${job.skipped} skipped (up to date), ${job.failed} failed of ${job.total}`;
}

/** What a job's details say, as sentences (none when there are no details worth a sentence). */
export function jobDetailsText(details: JobDetails | null): string[] {
  if (!details) return [];
  switch (details.kind) {
    case 'annotate': {
      const parts = [
        `${details.tagsAdded} tags added`,
        `${details.tagsSuggested} suggested for review`,
        `${details.captionsChanged} captions changed`,
      ];
      if (details.captionsHeld)
        parts.push(`${details.captionsHeld} hand-written captions kept (the model's text is held for review)`);
      const refused = details.policyViolations
        ? `; ${details.policyViolations} refused by the provider's content policy`
        : '';
      return [`${details.model}: ${details.annotated} annotated; ${parts.join(', ')}${refused}.`];
    }
    case 'process': {
      const lines: string[] = [];
      if (details.cropped || details.upscaled) lines.push(`${details.cropped} cropped, ${details.upscaled} upscaled.`);
      if (details.buckets.length > 0)
        lines.push(`Buckets: ${details.buckets.map((b) => `${b.bucket} x${b.count}`).join(', ')}`);
      return lines;
    }
    case 'export':
      return exportSummaryLines(details);
  }
}

/** The same in one paragraph, for a notification (an export's subsets listed inline). */
export function jobDetailsParagraph(details: JobDetails | null): string {
  return details?.kind === 'export' ? exportSummaryText(details) : jobDetailsText(details).join(' ');
}
