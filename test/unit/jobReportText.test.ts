import assert from 'node:assert/strict';
import { jobCountsText, jobDetailsText } from '../../src/core/jobs/jobReportText.ts';
import { detailsOfKind } from '../../src/core/jobs/jobDetails.ts';
import type { JobInfo } from '../../src/core/jobs/jobStore.ts';

const job: JobInfo = {
  id: 3,
  kind: 'export',
  title: 'Export',
  params: {},
  state: 'done',
  createdAt: 0,
  startedAt: 0,
  finishedAt: 0,
  message: null,
  total: 20,
  done: 18,
  failed: 1,
  skipped: 1,
};

describe('job report text (the one formatter both fronts use)', () => {
  it('says the counts', () => {
    assert.equal(jobCountsText(job), '18 done, 1 skipped (up to date), 1 failed of 20');
  });

  it('says what each kind of job reports', () => {
    assert.deepEqual(jobDetailsText(null), []);
    assert.deepEqual(
      jobDetailsText({
        kind: 'export',
        out: '/out',
        format: 'kohya',
        images: 12,
        removed: 2,
        stepsPerEpoch: 120,
        repeats: 10,
        warnings: [],
        subsets: [
          {
            folder: '10_alice',
            imageDir: '/out/10_alice',
            repeats: 10,
            classTokens: 'alice',
            isReg: false,
            images: 12,
            steps: 120,
            concepts: ['10_alice'],
          },
        ],
      }),
      ['Exported 12 images to /out (x10 repeats = 120 steps per epoch); removed 2 no longer selected.'],
    );
    assert.deepEqual(
      jobDetailsText({
        kind: 'export',
        out: '/out',
        format: 'plain',
        images: 3,
        removed: 0,
        stepsPerEpoch: 3,
        warnings: [],
      }),
      ['Exported 3 images to /out.'],
    );
    assert.deepEqual(
      jobDetailsText({
        kind: 'process',
        cropped: 2,
        upscaled: 0,
        buckets: [
          { bucket: '832x1216', count: 3 },
          { bucket: '1024x1024', count: 1 },
        ],
      }),
      ['2 cropped, 0 upscaled.', 'Buckets: 832x1216 x3, 1024x1024 x1'],
    );
    assert.deepEqual(
      jobDetailsText({
        kind: 'annotate',
        model: 'openai:gpt-4.1-mini',
        annotated: 3,
        tagsAdded: 9,
        tagsSuggested: 0,
        captionsChanged: 3,
        captionsHeld: 1,
        policyViolations: 1,
      }),
      [
        'openai:gpt-4.1-mini: 3 annotated; 9 tags added, 0 suggested for review, 3 captions changed, 1 hand-written captions kept ' +
          "(the model's text is held for review); 1 refused by the provider's content policy.",
      ],
    );
  });

  it("narrows a report's details to its kind, or says it has none", () => {
    assert.equal(detailsOfKind({ kind: 'process', cropped: 1, upscaled: 0, buckets: [] }, 'process').cropped, 1);
    assert.throws(() => detailsOfKind(null, 'export'), /finished export job, got none/);
  });
});
