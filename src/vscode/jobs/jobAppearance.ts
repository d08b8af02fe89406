/**
 * How a job shows in the Jobs view: a label short enough for the default side bar width, its state in
 * a few words, the long text for its hover, an icon per outcome, and the context value the menus'
 * `when` clauses read. No VS Code API here.
 */
import type { JobInfo } from '../../core/jobs/jobStore.ts';
import type { JobProgress } from '../../core/jobs/jobRunner.ts';

/** How a job shows in the Jobs view. */
export interface JobAppearance {
  /** Short enough for the default side bar width: what the job does and on how many images. */
  label: string;
  /** The state in a few words (progress, ETA, failures). */
  description: string;
  /** The long text for the hover, one line each. */
  details: string[];
  /** A codicon id, and a theme colour for it. */
  icon: string;
  color?: string;
  /**
   * `job-<state>`, with `-failures` when items failed: the menus' `when` clauses use it (Retry Failed
   * Items and Show Failed Items only for jobs with failures).
   */
  contextValue: string;
}

const VERBS: Record<string, string> = { export: 'Export', process: 'Process', annotate: 'Annotate' };

/** The label, state, hover text, icon and context value of a job (with its live progress while it runs). */
export function jobAppearance(job: JobInfo, live?: JobProgress): JobAppearance {
  const done = live ? live.done : job.done;
  const failed = live ? live.failed : job.failed;
  const skipped = live ? live.skipped : job.skipped;
  const finished = done + failed + skipped;
  const verb = VERBS[job.kind];
  const label = verb ? `${verb} ${count(job.total, 'image')}` : job.title;
  const failures = failed > 0 ? `${number(failed)} failed` : '';
  const details = [
    `${capitalize(job.state)}: ${number(finished)} of ${count(job.total, 'item')} finished ` +
      `(${number(done)} done, ${number(skipped)} up to date, ${number(failed)} failed).`,
  ];
  if (live && live.rate > 0) {
    details.push(
      `${live.rate.toFixed(1)} items/s${live.etaSeconds != null ? `, about ${formatSeconds(live.etaSeconds)} left` : ''}.`,
    );
  }
  if (job.message) details.push(job.message);
  if (failed > 0 && job.state !== 'running') {
    details.push('Expand the job for each failed item and its reason; Retry Failed Items runs them again.');
  }
  const contextValue = `job-${job.state}${failed > 0 ? '-failures' : ''}`;
  const percent = job.total > 0 ? `${Math.floor((finished / job.total) * 100)}%` : '';
  switch (job.state) {
    case 'running': {
      const eta = live?.etaSeconds != null ? `ETA ${formatSeconds(live.etaSeconds)}` : '';
      return { label, description: join(percent, eta, failures), details, icon: 'sync~spin', contextValue };
    }
    case 'queued':
      return { label, description: 'queued', details, icon: 'clock', contextValue };
    case 'paused':
      return {
        label,
        description: join(`paused at ${finished}/${job.total}`, failures),
        details,
        icon: 'debug-pause',
        contextValue,
      };
    case 'done':
      return failed > 0
        ? {
            label,
            description: `${number(failed)} of ${number(job.total)} failed`,
            details,
            icon: 'warning',
            color: 'problemsWarningIcon.foreground',
            contextValue,
          }
        : { label, description: 'done', details, icon: 'check', color: 'testing.iconPassed', contextValue };
    case 'failed':
      return {
        label,
        description: join('failed', failures),
        details,
        icon: 'error',
        color: 'problemsErrorIcon.foreground',
        contextValue,
      };
    default:
      return { label, description: job.state, details, icon: 'circle-outline', contextValue };
  }
}

function join(...parts: string[]): string {
  return parts.filter(Boolean).join(' · ');
}

function count(n: number, noun: string): string {
  return `${number(n)} ${noun}${n === 1 ? '' : 's'}`;
}

function number(n: number): string {
  return n.toLocaleString('en-US');
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function formatSeconds(seconds: number): string {
  if (seconds < 60) return `${Math.ceil(seconds)}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${String(Math.floor(seconds % 60)).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}
