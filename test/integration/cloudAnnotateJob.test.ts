import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import BetterSqlite3 from 'better-sqlite3';
import { indexDataset } from '../../src/core/index/indexer.ts';
import { parseSidecar } from '../../src/core/sidecar/sidecar.ts';
import { datasetLayout } from '../../src/core/dataset/datasetLayout.ts';
import { detailsOfKind } from '../../src/core/jobs/jobDetails.ts';
import { FakeOpenAI } from '../fixtures/providers/fakeOpenAI.ts';
import { FakeAnthropic } from '../fixtures/providers/fakeAnthropic.ts';
import { FakeGoogle } from '../fixtures/providers/fakeGoogle.ts';
import type { FakeProvider } from '../fixtures/providers/fakeServer.ts';
import { openDatasetIndex } from '../../src/core/index/datasetIndex.ts';
import { planJob, runPlannedJob } from '../../src/core/jobs/jobService.ts';
import { getJob, jobItems } from '../../src/core/jobs/jobStore.ts';
import { jobBatches } from '../../src/core/annotate/batchAnnotateJob.ts';
import { DEFAULT_MERGE } from '../../src/core/annotate/mergeAnnotation.ts';
import { makeTempDir, removeTempDirs } from '../helpers/tempDir.ts';
import { runCli } from '../helpers/runCli.ts';

const KEY = 'sk-test-0123456789abcdefghijklmnopqrstuvwxyz7890';

describe('cloud annotate jobs from the CLI', function () {
  this.timeout(60_000);
  let root: string;
  let server: FakeOpenAI;
  const annotate = (...extra: string[]) =>
    runCli(
      [
        'annotate',
        root,
        '--provider',
        'openai',
        '--model',
        'gpt-4.1-mini',
        '--base-url',
        `${server.url}/v1`,
        '--concurrency',
        '1',
        '--rpm',
        '6000',
        ...extra,
      ],
      { env: { OPENAI_API_KEY: KEY } },
    );

  before(async () => {
    root = join(makeTempDir(), 'ds');
    mkdirSync(root);
    for (const [name, colour] of [
      ['a', '#aa3030'],
      ['b', '#30aa30'],
      ['c', '#3030aa'],
      ['d', '#aaaa30'],
    ]) {
      await sharp({ create: { width: 2000, height: 1000, channels: 3, background: colour! } })
        .jpeg()
        .toFile(join(root, `${name}.jpg`));
    }
    await indexDataset(root);
    server = await new FakeOpenAI().start();
  });
  after(async () => {
    await server.close();
    removeTempDirs();
  });

  it('retries a 429 after its Retry-After, records a refusal as a policy violation, and writes the others', async () => {
    server.script.push({ kind: 'rate-limit', retryAfter: 1 }, { kind: 'ok' }, { kind: 'refusal' });
    const result = await annotate('--json');
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /Estimate: 4 images, 4 requests to openai:gpt-4\.1-mini/);
    const out = JSON.parse(result.stdout) as {
      annotated: number;
      failed: number;
      policyViolations: number;
      failures: { key: string; error: string }[];
    };
    assert.equal(out.annotated, 3);
    assert.equal(out.failed, 1);
    assert.equal(out.policyViolations, 1);
    assert.equal(out.failures[0]!.key, 'b.jpg');
    const calls = server.requestsTo('/v1/chat/completions');
    assert.equal(calls.length, 5, 'four images, one retried');
    assert.ok(calls[1]!.at - calls[0]!.at >= 950, 'the retry waited for Retry-After');
    assert.equal(
      readFileSync(join(root, 'a.txt'), 'utf8'),
      '1girl, solo, long hair, Blue Eyes, smile\n',
      'tags once each, spaced',
    );
    const refused = parseSidecar(readFileSync(join(root, 'b.tagbench.json')));
    assert.deepEqual(
      (refused.annotations as { model: string; failure: string }[]).map((a) => [a.model, a.failure]),
      [['openai:gpt-4.1-mini', 'policy']],
    );
    const side = parseSidecar(readFileSync(join(root, 'c.tagbench.json')));
    assert.equal(side.tags!.find((t) => t.name === 'smile')!.source, 'model:openai:gpt-4.1-mini');
    const all = result.stdout + result.stderr + readFileSync(join(root, 'c.tagbench.json'), 'utf8');
    assert.ok(!all.includes(KEY) && !all.includes(KEY.slice(8, 30)), 'the key is nowhere in the output or the files');
    const db = new BetterSqlite3(datasetLayout(root).jobsFile, { readonly: true });
    try {
      const params = db.prepare('SELECT params FROM jobs').pluck().all() as string[];
      assert.ok(
        params.every((p) => !p.includes(KEY)),
        'nor in the stored job',
      );
    } finally {
      db.close();
    }
  });

  it('warns before sending refused images again, and --skip-refused leaves them out', async () => {
    const estimate = await annotate('--estimate', '--json');
    assert.equal(estimate.code, 0, estimate.stderr);
    assert.equal((JSON.parse(estimate.stdout) as { refused: number }).refused, 1);
    const before = server.requestsTo('/v1/chat/completions').length;
    const skipped = await annotate('--skip-refused', '--merge', 'review', '--json', '-has:caption');
    assert.equal(skipped.code, 0, skipped.stderr);
    assert.match(skipped.stderr, /1 of these images were refused by openai:gpt-4\.1-mini before/);
    const out = JSON.parse(skipped.stdout) as { skipped: number; total: number };
    assert.equal(out.skipped, out.total, 'nothing else matched the query, and the refused image was skipped');
    assert.equal(server.requestsTo('/v1/chat/completions').length, before, 'no request for it');
  });

  it('refuses to start without a key, naming the variable', async () => {
    const result = await runCli(['annotate', root, '--provider', 'anthropic'], { env: { ANTHROPIC_API_KEY: '' } });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /Set ANTHROPIC_API_KEY/);
  });

  it("counts only this run's refusals: an image refused before that fails for another reason now is not a new refusal", async () => {
    // b.jpg was refused by the first run; now it cannot be read, so this run fails it without asking the provider.
    const bytes = readFileSync(join(root, 'b.jpg'));
    rmSync(join(root, 'b.jpg'));
    try {
      const result = await annotate('--json');
      assert.equal(result.code, 0, result.stderr);
      const out = JSON.parse(result.stdout) as {
        failed: number;
        policyViolations: number;
        failures: { key: string; error: string }[];
      };
      assert.deepEqual(
        out.failures.map((f) => f.key),
        ['b.jpg'],
      );
      assert.doesNotMatch(out.failures[0]!.error, /polic|refus/i);
      assert.equal(out.policyViolations, 0, 'no refusal in this run');
    } finally {
      writeFileSync(join(root, 'b.jpg'), bytes);
    }
  });
});

describe('cloud annotate jobs through the OpenAI Batch API', function () {
  this.timeout(60_000);
  let root: string;
  let server: FakeOpenAI;

  before(async () => {
    root = join(makeTempDir(), 'ds');
    mkdirSync(root);
    for (let i = 0; i < 5; i++)
      await sharp({
        create: {
          width: 600,
          height: 400,
          channels: 3,
          background: `#${(i * 40 + 20).toString(16).padStart(2, '0')}6080`,
        },
      })
        .png()
        .toFile(join(root, `img${i}.png`));
    await indexDataset(root);
    server = await new FakeOpenAI().start();
  });
  after(async () => {
    await server.close();
    removeTempDirs();
  });

  it('submits once, keeps the batch id in the index, resumes after a stop and applies per-item outcomes', async () => {
    server.batchOutcome = (id) => (id.endsWith('3') ? { kind: 'refusal' } : { kind: 'ok' });
    const { openDatasetIndex } = await import('../../src/core/index/datasetIndex.ts');
    const { planJob, runPlannedJob } = await import('../../src/core/jobs/jobService.ts');
    const { jobBatches } = await import('../../src/core/annotate/batchAnnotateJob.ts');
    const { DEFAULT_MERGE } = await import('../../src/core/annotate/mergeAnnotation.ts');
    const { db } = openDatasetIndex(root);
    try {
      const id = planJob(db, root, {
        kind: 'annotate',
        query: '',
        params: {
          annotator: {
            type: 'cloud',
            provider: 'openai',
            model: 'gpt-4.1-mini',
            baseUrl: `${server.url}/v1`,
            style: 'tags',
            maxSide: 256,
            rpm: 600,
            concurrency: 2,
            batch: true,
          },
          merge: DEFAULT_MERGE,
          captionExtension: '.txt',
        },
      });
      const noPool = () => Promise.reject(new Error('a batch job runs no items through the pool'));
      // Stop waiting after the first poll: the job pauses, the batch goes on at the provider.
      const stop = new AbortController();
      const first = await runPlannedJob(db, id, noPool, {
        concurrency: 1,
        apiKey: KEY,
        batchPollMs: 10,
        signal: stop.signal,
        onProgress: () => stop.abort(),
      });
      assert.equal(first.job.state, 'paused');
      assert.equal(first.job.done, 0);
      const saved = jobBatches(db, id);
      assert.equal(saved.length, 1);
      assert.match(saved[0]!.state.batchId, /^batch_/);
      // Resuming polls the same batch to its end and applies the results; nothing is submitted again.
      const second = await runPlannedJob(db, id, noPool, { concurrency: 1, apiKey: KEY, batchPollMs: 5 });
      assert.equal(second.job.state, 'done');
      assert.equal(second.job.done, 4);
      assert.equal(second.job.failed, 1);
      assert.equal(detailsOfKind(second.details, 'annotate').policyViolations, 1);
      assert.equal(server.requestsTo('/v1/batches').filter((r) => r.method === 'POST').length, 1, 'one batch created');
      assert.equal(jobBatches(db, id)[0]!.applied, true);
      assert.equal(readFileSync(join(root, 'img0.txt'), 'utf8'), '1girl, solo, long hair, Blue Eyes, smile\n');
      const side = parseSidecar(readFileSync(join(root, 'img3.tagbench.json')));
      assert.deepEqual(
        (side.annotations as { failure: string }[]).map((a) => a.failure),
        ['policy'],
      );
      const params = db.prepare('SELECT params FROM jobs').pluck().all() as string[];
      assert.ok(params.every((p) => !p.includes(KEY)));
    } finally {
      db.close();
    }
  });

  it('pauses a batch job whose submission fails, with the reason, instead of leaving it running', async () => {
    const { openDatasetIndex } = await import('../../src/core/index/datasetIndex.ts');
    const { planJob, runPlannedJob } = await import('../../src/core/jobs/jobService.ts');
    const { getJob } = await import('../../src/core/jobs/jobStore.ts');
    const { DEFAULT_MERGE } = await import('../../src/core/annotate/mergeAnnotation.ts');
    const { db } = openDatasetIndex(root);
    try {
      const id = planJob(db, root, {
        kind: 'annotate',
        query: '',
        params: {
          annotator: {
            type: 'cloud',
            provider: 'openai',
            model: 'gpt-4.1-mini',
            baseUrl: 'http://127.0.0.1:1/v1',
            style: 'tags',
            maxSide: 256,
            rpm: 600,
            concurrency: 2,
            batch: true,
          },
          merge: DEFAULT_MERGE,
          captionExtension: '.txt',
        },
      });
      const noPool = () => Promise.reject(new Error('a batch job runs no items through the pool'));
      await assert.rejects(runPlannedJob(db, id, noPool, { concurrency: 1, apiKey: KEY, batchPollMs: 5 }));
      const job = getJob(db, id)!;
      assert.equal(job.state, 'paused', 'resumable at once, not "running in another process"');
      assert.match(job.message ?? '', /^Stopped: /);
    } finally {
      db.close();
    }
  });

  it('runs a batch from the CLI with --batch', async () => {
    server.batchOutcome = () => ({ kind: 'ok' });
    const result = await runCli(
      [
        'annotate',
        root,
        '--provider',
        'openai',
        '--model',
        'gpt-4.1-mini',
        '--base-url',
        `${server.url}/v1`,
        '--batch',
        '--poll-seconds',
        '0',
        '--merge',
        'review',
        '--json',
      ],
      { env: { OPENAI_API_KEY: KEY } },
    );
    assert.equal(result.code, 0, result.stderr);
    const out = JSON.parse(result.stdout) as { done: number; total: number; tagsSuggested: number };
    assert.equal(out.total, 5);
    assert.equal(out.done, 5);
    assert.ok(out.tagsSuggested > 0, 'held for review');
    const google = await runCli(['annotate', root, '--provider', 'google', '--batch'], {
      env: { GEMINI_API_KEY: 'x'.repeat(20) },
    });
    assert.equal(google.code, 2);
    assert.match(google.stderr, /no batch API/);
  });
});

describe('cloud annotate jobs with a key the provider refuses', function () {
  this.timeout(60_000);
  const BAD = 'sk-bad-0000000000000000000000000000000000000000bad1';
  const IMAGES = 6;
  let root: string;

  beforeEach(async () => {
    root = join(makeTempDir(), 'ds');
    mkdirSync(root);
    for (let i = 0; i < IMAGES; i++)
      await sharp({
        create: { width: 300, height: 200, channels: 3, background: `#${(i * 30 + 40).toString(16)}5070` },
      })
        .png()
        .toFile(join(root, `img${i}.png`));
    await indexDataset(root);
  });
  afterEach(() => removeTempDirs());

  /** The dataset's files that annotation writes (captions and sidecars): none after a refused key. */
  const written = (): string[] => readdirSync(root).filter((f) => f.endsWith('.txt') || f.endsWith('.tagbench.json'));

  const providers: {
    id: string;
    label: string;
    env: string;
    model: string;
    make: () => FakeProvider;
    base: (url: string) => string;
    path: string;
  }[] = [
    {
      id: 'openai',
      label: 'OpenAI',
      env: 'OPENAI_API_KEY',
      model: 'gpt-4.1-mini',
      make: () => new FakeOpenAI(),
      base: (url) => `${url}/v1`,
      path: '/v1/chat/completions',
    },
    {
      id: 'anthropic',
      label: 'Anthropic',
      env: 'ANTHROPIC_API_KEY',
      model: 'claude-haiku-4-5',
      make: () => new FakeAnthropic(),
      base: (url) => url,
      path: '/v1/messages',
    },
    {
      id: 'google',
      label: 'Google Gemini',
      env: 'GEMINI_API_KEY',
      model: 'gemini-2.5-flash',
      make: () => new FakeGoogle(),
      base: (url) => url,
      path: '/v1beta/models/',
    },
  ];
  for (const p of providers) {
    it(`${p.id}: stops at the first refusal with one message, sends nothing else, and a resume with a valid key finishes the job`, async () => {
      const server = await p.make().start();
      server.acceptKey = KEY;
      try {
        const args = [
          'annotate',
          root,
          '--provider',
          p.id,
          '--model',
          p.model,
          '--base-url',
          p.base(server.url),
          '--concurrency',
          '4',
          '--rpm',
          '60000',
        ];
        const refused = await runCli(args, { env: { [p.env]: BAD } });
        assert.equal(refused.code, 1, refused.stderr);
        assert.equal(server.requestsTo(p.path).length, 1, 'one request, then nothing else');
        const lines = refused.stderr.split('\n').filter((l) => /refused/.test(l));
        assert.equal(lines.length, 1, refused.stderr);
        assert.match(
          lines[0]!,
          new RegExp(`The ${p.label} API key sk-b\\*\\*\\*bad1 was refused \\((OpenAI|Anthropic|Google) (401|400)`),
        );
        assert.match(
          lines[0]!,
          new RegExp(
            `set a valid key \\(${p.env} for the command line.*and resume the job; no further image was sent\\.`,
          ),
        );
        assert.ok(!refused.stderr.includes(BAD) && !refused.stdout.includes(BAD), 'the key itself is never printed');
        const jobs = JSON.parse((await runCli(['jobs', root, '--json'])).stdout) as {
          jobs: { id: number; state: string; done: number; failed: number; total: number; message: string }[];
        };
        const job = jobs.jobs[0]!;
        assert.deepEqual(
          [job.state, job.done, job.failed, job.total],
          ['paused', 0, 0, IMAGES],
          'paused, not every item failed',
        );
        assert.match(job.message, /API key .* was refused/);
        assert.deepEqual(written(), [], 'no caption, and no failure recorded in any sidecar');

        const resumed = await runCli(['resume', root, String(job.id), '--json'], { env: { [p.env]: KEY } });
        assert.equal(resumed.code, 0, resumed.stdout + resumed.stderr);
        const out = JSON.parse(resumed.stdout) as { state: string; done: number; failed: number };
        assert.deepEqual([out.state, out.done, out.failed], ['done', IMAGES, 0]);
        assert.equal(server.requestsTo(p.path).length, 1 + IMAGES);
      } finally {
        await server.close();
      }
    });
  }

  it('stops when the key is refused mid-run (revoked): the items done stay done, the rest stay pending', async () => {
    const server = await new FakeOpenAI().start();
    server.acceptKey = KEY;
    server.fallback = () => {
      if (server.requestsTo('/v1/chat/completions').length >= 2) server.acceptKey = 'a key revoked meanwhile';
      return { kind: 'ok' };
    };
    try {
      const result = await runCli(
        [
          'annotate',
          root,
          '--provider',
          'openai',
          '--model',
          'gpt-4.1-mini',
          '--base-url',
          `${server.url}/v1`,
          '--concurrency',
          '1',
          '--rpm',
          '60000',
          '--json',
        ],
        { env: { OPENAI_API_KEY: KEY } },
      );
      assert.equal(result.code, 1, result.stderr);
      const out = JSON.parse(result.stdout) as { state: string; done: number; failed: number; message: string };
      assert.deepEqual([out.state, out.done, out.failed], ['paused', 2, 0]);
      assert.match(out.message, /The OpenAI API key sk-t\*\*\*7890 was refused/);
      assert.equal(
        server.requestsTo('/v1/chat/completions').length,
        3,
        'the third request was refused; no fourth was sent',
      );
    } finally {
      await server.close();
    }
  });

  for (const p of providers.filter((x) => x.id !== 'google')) {
    it(`${p.id} batch: refuses before uploading any image, pauses, and a resume with a valid key submits and finishes`, async () => {
      const server = await p.make().start();
      server.acceptKey = KEY;
      if (server instanceof FakeAnthropic) server.pollsUntilEnded = 1;
      const { db } = openDatasetIndex(root);
      try {
        const id = planJob(db, root, {
          kind: 'annotate',
          query: '',
          params: {
            annotator: {
              type: 'cloud',
              provider: p.id as 'openai' | 'anthropic',
              model: p.model,
              baseUrl: p.base(server.url),
              style: 'tags',
              maxSide: 256,
              rpm: 600,
              concurrency: 2,
              batch: true,
            },
            merge: DEFAULT_MERGE,
            captionExtension: '.txt',
          },
        });
        const noPool = () => Promise.reject(new Error('a batch job runs no items through the pool'));
        const refused = await runPlannedJob(db, id, noPool, { concurrency: 1, apiKey: BAD, batchPollMs: 5 });
        assert.equal(refused.job.state, 'paused');
        assert.deepEqual([refused.job.done, refused.job.failed], [0, 0]);
        assert.match(
          refused.job.message ?? '',
          new RegExp(`^The ${p.label} API key sk-b\\*\\*\\*bad1 was refused .*; no further image was sent\\.$`),
        );
        assert.equal(
          server.requests.filter((r) => r.method === 'POST').length,
          0,
          'no upload, no batch: the images never left',
        );
        assert.equal(jobBatches(db, id).length, 0);
        assert.equal(jobItems(db, id, 'pending').length, IMAGES);
        assert.deepEqual(written(), []);

        const resumed = await runPlannedJob(db, id, noPool, { concurrency: 1, apiKey: KEY, batchPollMs: 5 });
        assert.equal(resumed.job.state, 'done');
        assert.deepEqual([resumed.job.done, resumed.job.failed], [IMAGES, 0]);
        assert.equal(getJob(db, id)!.message, null);
      } finally {
        db.close();
        await server.close();
      }
    });
  }
});
