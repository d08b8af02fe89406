/**
 * The batch engines through the official SDKs against the fake servers: submit (JSONL upload or
 * message batch), poll through the lifecycle, resume from the persisted state with a new engine,
 * results mapped per custom_id (successes, per-item errors, refusals, expired), splitting by size,
 * image errors kept out of the batch, cancellation.
 */
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { AnnotationError } from '../../src/core/annotate/annotator.ts';
import type { AnnotationRequest, AnnotationResult } from '../../src/core/annotate/annotator.ts';
import { createBatchEngine, hasBatchApi } from '../../src/core/annotate/cloud/batchEngine.ts';
import { BatchSubmitError, customIdOf } from '../../src/core/annotate/cloud/batchState.ts';
import { anthropicBatchRequest } from '../../src/core/annotate/cloud/anthropicBatch.ts';
import { prepareRequest, resolveCloudOptions } from '../../src/core/annotate/cloud/cloudAnnotator.ts';
import type { BatchEngine, BatchItemOutcome, CloudBatchState } from '../../src/core/annotate/cloud/batchState.ts';
import type { CloudAnnotatorOptions } from '../../src/core/annotate/cloud/cloudAnnotator.ts';
import { FakeOpenAI } from '../fixtures/providers/fakeOpenAI.ts';
import { FakeAnthropic } from '../fixtures/providers/fakeAnthropic.ts';

const KEY = 'sk-batch-0123456789abcdefghijklmnopqrstuvwxyz';
let image: Buffer;

before(async () => {
  image = await sharp({ create: { width: 1600, height: 1200, channels: 3, background: { r: 10, g: 150, b: 90 } } })
    .jpeg()
    .toBuffer();
});

function requests(n: number): AnnotationRequest[] {
  return Array.from({ length: n }, (_, i) => ({
    path: `set/img${i}.jpg`,
    image,
    caption: i === 0 ? 'old caption' : null,
  }));
}

/** Polls until done (the fakes move on per retrieve); returns the final state and the statuses seen. */
async function pollToEnd(
  engine: BatchEngine,
  state: CloudBatchState,
): Promise<{ state: CloudBatchState; statuses: string[] }> {
  const statuses: string[] = [];
  for (let i = 0; i < 20; i++) {
    const progress = await engine.poll(state);
    state = progress.state;
    statuses.push(state.status);
    if (progress.done) return { state, statuses };
  }
  throw new Error('the batch never finished');
}

function byPath(outcomes: BatchItemOutcome[]): Map<string, AnnotationResult | AnnotationError> {
  return new Map(outcomes.map((o) => [o.path, o.outcome]));
}

describe('OpenAI Batch API through the SDK', () => {
  let server: FakeOpenAI;
  const options = (): CloudAnnotatorOptions => ({
    provider: 'openai',
    model: 'gpt-4.1-mini',
    apiKey: KEY,
    baseUrl: `${server.url}/v1`,
    style: 'tags',
    maxSide: 256,
  });
  beforeEach(async () => {
    server = await new FakeOpenAI().start();
  });
  afterEach(() => server.close());

  it('uploads the JSONL, creates the batch, polls to completed, maps outputs and per-item errors; resumes from the state', async () => {
    server.batchOutcome = (id) =>
      id.endsWith('1')
        ? { kind: 'server' }
        : id.endsWith('2')
          ? { kind: 'refusal' }
          : id.endsWith('3')
            ? { kind: 'expired' }
            : id.endsWith('4')
              ? { kind: 'malformed' }
              : { kind: 'ok' };
    const engine = createBatchEngine(options());
    const { states, imageErrors } = await engine.submit(requests(6));
    assert.equal(imageErrors.length, 0);
    assert.equal(states.length, 1);
    const state = states[0]!;
    assert.equal(state.provider, 'openai');
    assert.match(state.batchId, /^batch_/);
    assert.match(state.inputFileId ?? '', /^file-/);
    assert.equal(state.status, 'validating');
    assert.deepEqual(
      Object.values(state.customIds),
      requests(6).map((r) => r.path),
    );

    // The uploaded file: one chat completion request per image, with custom_id, schema and a downscaled image.
    const upload = server.files.get(state.inputFileId!)!;
    assert.equal(upload.purpose, 'batch');
    const lines = upload.content
      .toString('utf8')
      .trim()
      .split('\n')
      .map(
        (l) =>
          JSON.parse(l) as {
            custom_id: string;
            method: string;
            url: string;
            body: {
              model: string;
              response_format: { type: string };
              messages: { content: { type: string; image_url?: { url: string }; text?: string }[] }[];
            };
          },
      );
    assert.equal(lines.length, 6);
    assert.deepEqual(
      lines.map((l) => l.custom_id),
      Object.keys(state.customIds),
    );
    assert.ok(
      lines.every(
        (l) =>
          l.method === 'POST' &&
          l.url === '/v1/chat/completions' &&
          l.body.model === 'gpt-4.1-mini' &&
          l.body.response_format.type === 'json_schema',
      ),
    );
    const dataUrl = lines[0]!.body.messages[0]!.content.find((c) => c.type === 'image_url')!.image_url!.url;
    const sent = await sharp(Buffer.from(dataUrl.split(',')[1]!, 'base64')).metadata();
    assert.deepEqual([sent.width, sent.height], [256, 192]);
    assert.match(lines[0]!.body.messages[0]!.content.find((c) => c.type === 'text')!.text!, /old caption/);
    assert.deepEqual(
      server.requests.map((r) => `${r.method} ${r.path.replace(/\?.*$/, '')}`),
      ['GET /v1/batches', 'POST /v1/files', 'POST /v1/batches'],
      'the key is checked by a request without images first',
    );
    assert.deepEqual(
      server.requestsTo('/v1/batches').filter((r) => r.method === 'POST')[0]!.json as Record<string, unknown>,
      {
        input_file_id: state.inputFileId,
        endpoint: '/v1/chat/completions',
        completion_window: '24h',
        metadata: { source: 'tagbench' },
      },
    );

    // A restart: a new engine from the persisted state (through JSON) polls and fetches the results.
    const persisted = JSON.parse(JSON.stringify(state)) as CloudBatchState;
    const resumed = createBatchEngine(options());
    const { state: final, statuses } = await pollToEnd(resumed, persisted);
    assert.deepEqual(statuses, ['in_progress', 'finalizing', 'completed']);
    const outcomes = await resumed.results(final);
    assert.equal(outcomes.length, 6);
    assert.equal(new Set(outcomes.map((o) => o.customId)).size, 6);
    const out = byPath(outcomes);
    const ok = out.get('set/img0.jpg') as AnnotationResult;
    assert.equal(ok.model, 'openai:gpt-4.1-mini');
    assert.equal(ok.version, server.modelVersion);
    assert.equal(ok.kind, 'tags');
    assert.deepEqual(ok.tags?.map((t) => t.name).slice(0, 2), ['1girl', 'solo']);
    assert.deepEqual(ok.usage, { inputTokens: 812, outputTokens: 37 });
    const failure = (path: string) => out.get(path) as AnnotationError;
    assert.equal(failure('set/img1.jpg').failure, 'server');
    assert.equal(failure('set/img1.jpg').retryable, true);
    assert.equal(failure('set/img2.jpg').failure, 'policy');
    assert.equal(failure('set/img3.jpg').failure, 'timeout');
    assert.equal(failure('set/img4.jpg').failure, 'malformed');
    assert.ok(!(out.get('set/img5.jpg') instanceof AnnotationError));
    // Nothing the engine produced carries the key.
    assert.ok(
      !JSON.stringify(
        outcomes.map((o) => (o.outcome instanceof AnnotationError ? o.outcome.message : o.outcome)),
      ).includes(KEY),
    );
  });

  it('splits into several batches by size and keeps unreadable images out', async () => {
    const engine = createBatchEngine(options());
    const reqs = requests(5);
    reqs.splice(2, 0, { path: 'set/broken.jpg', image: Buffer.from('garbage'), caption: null });
    const { states, imageErrors } = await engine.submit(reqs, { maxRequests: 2, maxBytes: 10 * 1024 * 1024 });
    assert.deepEqual(
      states.map((s) => Object.keys(s.customIds).length),
      [2, 2, 1],
    );
    assert.equal(imageErrors.length, 1);
    assert.equal(imageErrors[0]!.path, 'set/broken.jpg');
    assert.equal((imageErrors[0]!.outcome as AnnotationError).failure, 'image');
    const all = new Set([...states.flatMap((s) => Object.keys(s.customIds)), imageErrors[0]!.customId]);
    assert.equal(all.size, 6, 'custom ids are unique across the run');
    assert.equal(server.requestsTo('/v1/files').length, 3);
  });

  it('a cancelled batch reports its items cancelled', async () => {
    const engine = createBatchEngine(options());
    const { states } = await engine.submit(requests(3));
    const cancelled = await engine.cancel(states[0]!);
    assert.equal(cancelled.status, 'cancelling');
    const { state } = await pollToEnd(engine, cancelled);
    assert.equal(state.status, 'cancelled');
    const outcomes = await engine.results(state);
    assert.equal(outcomes.length, 3);
    assert.ok(outcomes.every((o) => o.outcome instanceof AnnotationError && o.outcome.name === 'AnnotationCancelled'));
  });

  it('results before the batch is finished are refused', async () => {
    const engine = createBatchEngine(options());
    const { states } = await engine.submit(requests(1));
    await assert.rejects(engine.results(states[0]!), /not finished/);
  });

  it('a failing upload is a BatchSubmitError with the classified error', async () => {
    const engine = createBatchEngine({ ...options(), baseUrl: `${server.url}/nowhere` });
    await assert.rejects(
      engine.submit(requests(1)),
      (err: unknown) =>
        err instanceof BatchSubmitError && err.error.failure === 'bad-request' && err.states.length === 0,
    );
  });

  it('only OpenAI and Anthropic have batch engines', () => {
    assert.equal(hasBatchApi('google'), false);
    assert.throws(
      () => createBatchEngine({ provider: 'google', model: 'gemini-2.5-flash', apiKey: 'k', style: 'tags' }),
      /no batch API/,
    );
    assert.throws(
      () => createBatchEngine({ provider: 'openai-compatible', model: 'x', style: 'tags' }),
      /no batch API/,
    );
  });
});

describe('Anthropic Message Batches through the SDK', () => {
  let server: FakeAnthropic;
  const options = (): CloudAnnotatorOptions => ({
    provider: 'anthropic',
    model: 'claude-haiku-4-5',
    apiKey: KEY,
    baseUrl: server.url,
    style: 'sentence',
    maxSide: 256,
  });
  beforeEach(async () => {
    server = await new FakeAnthropic().start();
  });
  afterEach(() => server.close());

  it('creates the batch, polls to ended, streams results mapped per custom_id; resumes from the state', async () => {
    server.batchOutcome = (id) =>
      id.endsWith('1')
        ? { kind: 'rate-limit' }
        : id.endsWith('2')
          ? { kind: 'refusal' }
          : id.endsWith('3')
            ? { kind: 'expired' }
            : id.endsWith('4')
              ? { kind: 'bad-request' }
              : id.endsWith('5')
                ? { kind: 'server', status: 529 }
                : { kind: 'ok' };
    const engine = createBatchEngine(options());
    const { states } = await engine.submit(requests(7));
    assert.equal(states.length, 1);
    const state = states[0]!;
    assert.equal(state.provider, 'anthropic');
    assert.match(state.batchId, /^msgbatch_/);
    assert.equal(state.status, 'in_progress');
    assert.deepEqual(
      server.requests.map((r) => `${r.method} ${r.path.replace(/\?.*$/, '')}`),
      ['GET /v1/messages/batches', 'POST /v1/messages/batches'],
      'the key is checked by a request without images first',
    );
    const sent = server.requestsTo('/v1/messages/batches').filter((r) => r.method === 'POST')[0]!.json as {
      requests: {
        custom_id: string;
        params: { model: string; tool_choice: unknown; messages: { content: { type: string }[] }[] };
      }[];
    };
    assert.deepEqual(
      sent.requests.map((r) => r.custom_id),
      Object.keys(state.customIds),
    );
    assert.ok(
      sent.requests.every(
        (r) => r.params.model === 'claude-haiku-4-5' && r.params.messages[0]!.content[0]!.type === 'image',
      ),
    );

    const resumed = createBatchEngine(options());
    const { state: final, statuses } = await pollToEnd(resumed, JSON.parse(JSON.stringify(state)) as CloudBatchState);
    assert.deepEqual(statuses, ['in_progress', 'ended']);
    const outcomes = await resumed.results(final);
    assert.equal(outcomes.length, 7);
    const out = byPath(outcomes);
    const ok = out.get('set/img0.jpg') as AnnotationResult;
    assert.equal(ok.kind, 'caption');
    assert.equal(ok.version, server.modelVersion);
    assert.match(ok.caption ?? '', /smiling girl/);
    const failure = (path: string) => out.get(path) as AnnotationError;
    assert.equal(failure('set/img1.jpg').failure, 'rate-limit');
    assert.equal(failure('set/img2.jpg').failure, 'policy');
    assert.equal(failure('set/img3.jpg').failure, 'timeout');
    assert.equal(failure('set/img4.jpg').failure, 'bad-request');
    assert.equal(failure('set/img5.jpg').failure, 'server');
    assert.ok(!(out.get('set/img6.jpg') instanceof AnnotationError));
  });

  it('splits by size, and cancellation reports items cancelled', async () => {
    const engine = createBatchEngine(options());
    const resolved = resolveCloudOptions(options());
    const one =
      Buffer.byteLength(
        anthropicBatchRequest(resolved, customIdOf(0), await prepareRequest(resolved, requests(1)[0]!)),
      ) + 1;
    const { states } = await engine.submit(requests(3), { maxRequests: 100, maxBytes: Math.floor(one * 1.5) });
    assert.equal(states.length, 3, 'one request per batch under a limit of one and a half requests');
    const cancelled = await engine.cancel(states[0]!);
    assert.equal(cancelled.status, 'canceling');
    const { state } = await pollToEnd(engine, cancelled);
    const outcomes = await engine.results(state);
    assert.ok(
      outcomes.length > 0 &&
        outcomes.every((o) => o.outcome instanceof AnnotationError && o.outcome.name === 'AnnotationCancelled'),
    );
  });
});
