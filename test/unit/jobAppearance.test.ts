/** How jobs show in the Jobs view: short label and state, an icon per outcome, and context values the menus read. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JobInfo } from '../../src/core/jobs/jobStore.ts';
import { jobAppearance } from '../../src/vscode/jobs/jobAppearance.ts';

const REPO = join(import.meta.dirname, '..', '..');

/** A job as listJobs reports it. */
function job(overrides: Partial<JobInfo>): JobInfo {
  return {
    id: 7,
    kind: 'export',
    title: 'Export 240 images (folder:10_alice has:caption) as kohya to /home/me/training/alice-v2-export',
    params: {},
    state: 'done',
    createdAt: 0,
    startedAt: 0,
    finishedAt: 1,
    message: null,
    total: 240,
    done: 240,
    failed: 0,
    skipped: 0,
    ...overrides,
  };
}

/** The regular expression of a `viewItem =~ /.../` clause of a view/item/context menu entry. */
function menuPatterns(command: string, group?: string): RegExp[] {
  type Menus = Record<string, { command: string; when?: string; group?: string }[]>;
  const manifest = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { contributes: { menus: Menus } };
  return manifest.contributes.menus['view/item/context']!.filter(
    (entry) => entry.command === command && (group === undefined || entry.group === group),
  ).map((entry) => {
    const match = /viewItem =~ \/(.+?)\/(?:\s|$)/.exec(entry.when ?? '');
    assert.ok(match, `${command}: a viewItem regex in "${entry.when}"`);
    return new RegExp(match[1]!);
  });
}

describe('Jobs view items', () => {
  it('keeps the label and the state short enough for the default side bar width, with the long text in the hover', () => {
    const look = jobAppearance(job({}));
    assert.equal(look.label, 'Export 240 images');
    assert.equal(look.description, 'done');
    assert.ok(look.label.length + look.description.length <= 32, `${look.label} ${look.description}`);
    assert.match(look.details[0]!, /^Done: 240 of 240 items finished \(240 done, 0 up to date, 0 failed\)\.$/);
    const progress = { jobId: 7, total: 240, done: 100, failed: 3, skipped: 20, rate: 2.5, etaSeconds: 47 };
    const running = jobAppearance(job({ state: 'running', done: 10, failed: 2 }), progress);
    assert.equal(running.description, '51% · ETA 47s · 3 failed');
    assert.ok(running.label.length + running.description.length <= 42);
    assert.ok(running.details.includes('2.5 items/s, about 47s left.'), running.details.join('\n'));
  });

  it('gives a clean job, a job with failures, a failed, a running and a paused job each its own icon', () => {
    assert.deepEqual(pick(jobAppearance(job({}))), {
      icon: 'check',
      color: 'testing.iconPassed',
      contextValue: 'job-done',
    });
    const failures = jobAppearance(job({ done: 237, failed: 3 }));
    assert.deepEqual(pick(failures), {
      icon: 'warning',
      color: 'problemsWarningIcon.foreground',
      contextValue: 'job-done-failures',
    });
    assert.equal(failures.description, '3 of 240 failed');
    assert.deepEqual(pick(jobAppearance(job({ state: 'failed', done: 0, failed: 240 }))), {
      icon: 'error',
      color: 'problemsErrorIcon.foreground',
      contextValue: 'job-failed-failures',
    });
    assert.deepEqual(pick(jobAppearance(job({ state: 'running', done: 3 }))), {
      icon: 'sync~spin',
      color: undefined,
      contextValue: 'job-running',
    });
    const paused = jobAppearance(job({ state: 'paused', done: 30, failed: 1, message: 'Cancelled.' }));
    assert.deepEqual(pick(paused), { icon: 'debug-pause', color: undefined, contextValue: 'job-paused-failures' });
    assert.equal(paused.description, 'paused at 31/240 · 1 failed');
    assert.ok(paused.details.includes('Cancelled.'));
  });

  it('offers Retry Failed Items and Show Failed Items only for jobs with failures (package.json menus)', () => {
    const retry = menuPatterns('tagbench.retryFailedItems');
    const show = menuPatterns('tagbench.showJobFailures');
    assert.ok(retry.length > 0 && show.length > 0);
    const offered = (patterns: RegExp[], value: string): boolean => patterns.every((p) => p.test(value));
    for (const clean of [job({}), job({ state: 'paused', done: 12 }), job({ state: 'running', done: 1 })]) {
      const value = jobAppearance(clean).contextValue;
      assert.equal(
        retry.some((p) => p.test(value)),
        false,
        `Retry Failed Items offered for ${value}`,
      );
      assert.equal(
        show.some((p) => p.test(value)),
        false,
        `Show Failed Items offered for ${value}`,
      );
    }
    const withFailures = [
      job({ done: 237, failed: 3 }),
      job({ state: 'paused', done: 12, failed: 1 }),
      job({ state: 'failed', done: 0, failed: 2 }),
    ];
    for (const failing of withFailures) {
      const value = jobAppearance(failing).contextValue;
      assert.ok(offered(retry, value), `Retry Failed Items missing for ${value}`);
      assert.ok(offered(show, value), `Show Failed Items missing for ${value}`);
    }
    assert.ok(menuPatterns('tagbench.cancelJob').every((p) => p.test('job-running') && p.test('job-running-failures')));
    const resume = menuPatterns('tagbench.resumeJob');
    assert.ok(resume.every((p) => p.test('job-paused') && p.test('job-paused-failures') && !p.test('job-done')));
  });
});

function pick(look: ReturnType<typeof jobAppearance>): {
  icon: string;
  color: string | undefined;
  contextValue: string;
} {
  return { icon: look.icon, color: look.color, contextValue: look.contextValue };
}
