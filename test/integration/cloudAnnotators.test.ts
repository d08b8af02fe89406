/**
 * The cloud annotators through their official SDKs against local fake servers: every scripted case
 * (success, 429 with Retry-After, 5xx, timeout, refusal / policy, malformed output, auth, bad
 * request, corrupt image) maps to the right result or AnnotationError, and the requests carry a
 * downscaled image and the JSON schema, never leaking the key into messages.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { AnnotationError } from '../../src/core/annotate/annotator.ts';
import type { AnnotationRequest, AnnotationResult, Annotator } from '../../src/core/annotate/annotator.ts';
import { createCloudAnnotator } from '../../src/core/annotate/cloud/createCloudAnnotator.ts';
import type { CloudAnnotatorOptions } from '../../src/core/annotate/cloud/cloudAnnotator.ts';
import { maskKey } from '../../src/core/annotate/cloud/cloudErrors.ts';
import {
  CloudConfigError,
  apiKeyFromEnv,
  cloudConfig,
  cloudModel,
  cloudProvider,
  parseCloudConfig,
} from '../../src/core/annotate/cloud/cloudConfig.ts';
import type { CloudProviderId } from '../../src/core/annotate/cloud/cloudConfig.ts';
import {
  ANNOTATION_STYLES,
  builtInTemplate,
  parseModelOutput,
  renderPrompt,
  responseSchema,
  templateFromText,
} from '../../src/core/annotate/cloud/promptTemplates.ts';
import { FakeOpenAI } from '../fixtures/providers/fakeOpenAI.ts';
import { FakeAnthropic } from '../fixtures/providers/fakeAnthropic.ts';
import { FakeGoogle } from '../fixtures/providers/fakeGoogle.ts';
import type { FakeProvider, FakeStep, RecordedRequest } from '../fixtures/providers/fakeServer.ts';
import { BMP_VARIANTS, encodeBmp, twoColourImage } from '../fixtures/bmpWriter.ts';

const KEY = 'sk-test-0123456789abcdefghijklmnopqrstuvwxyz7890';

let photo: Buffer;
let transparent: Buffer;

async function request(image: Buffer = photo, caption: string | null = null): Promise<AnnotationRequest> {
  return { path: 'a/b.jpg', image, caption };
}

/** The image a recorded request carried, decoded: format and size. */
async function sentImage(
  provider: CloudProviderId,
  recorded: RecordedRequest,
): Promise<{ mime: string; width: number; height: number }> {
  const body = recorded.json as Record<string, unknown>;
  let mime: string;
  let data: string;
  if (provider === 'anthropic') {
    const source = (
      body.messages as { content: { type: string; source?: { media_type: string; data: string } }[] }[]
    )[0]!.content.find((c) => c.type === 'image')!.source!;
    mime = source.media_type;
    data = source.data;
  } else if (provider === 'google') {
    const inline = (body.contents as { parts: { inlineData?: { mimeType: string; data: string } }[] }[])[0]!.parts.find(
      (p) => p.inlineData,
    )!.inlineData!;
    mime = inline.mimeType;
    data = inline.data;
  } else {
    const url = (body.messages as { content: { type: string; image_url?: { url: string } }[] }[])[0]!.content.find(
      (c) => c.type === 'image_url',
    )!.image_url!.url;
    const m = /^data:([^;]+);base64,(.*)$/.exec(url)!;
    mime = m[1]!;
    data = m[2]!;
  }
  const meta = await sharp(Buffer.from(data, 'base64')).metadata();
  return { mime, width: meta.width, height: meta.height };
}

/** The pixels of the image a recorded request carried, as 8-bit RGBA. */
async function sentPixels(provider: CloudProviderId, recorded: RecordedRequest): Promise<Buffer> {
  const text = recorded.body.toString('utf8');
  const data =
    provider === 'openai'
      ? /data:image\/[a-z]+;base64,([A-Za-z0-9+/=]+)/.exec(text)![1]!
      : /"data":"([A-Za-z0-9+/=]+)"/.exec(text)![1]!;
  return sharp(Buffer.from(data, 'base64')).ensureAlpha().raw().toBuffer();
}

/** The JSON schema a recorded request asked for (its property names). */
function requestedSchema(provider: CloudProviderId, recorded: RecordedRequest): string[] {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- three providers' request shapes
  const body = recorded.json as Record<string, any>;
  if (provider === 'anthropic') {
    assert.deepEqual(body.tool_choice, { type: 'tool', name: body.tools[0].name });
    return Object.keys(body.tools[0].input_schema.properties);
  }
  if (provider === 'google') {
    assert.equal(body.generationConfig.responseMimeType, 'application/json');
    return Object.keys(body.generationConfig.responseSchema.properties);
  }
  assert.equal(body.response_format.type, 'json_schema');
  assert.equal(body.response_format.json_schema.strict, true);
  return Object.keys(body.response_format.json_schema.schema.properties);
}

async function annotateOne(
  annotator: Annotator,
  req?: AnnotationRequest,
  signal?: AbortSignal,
): Promise<AnnotationResult | AnnotationError> {
  const [out] = await annotator.annotate([req ?? (await request())], signal);
  return out!;
}

function expectError(
  out: AnnotationResult | AnnotationError,
  failure: AnnotationError['failure'],
  retryable: boolean,
): AnnotationError {
  assert.ok(out instanceof AnnotationError, `expected an AnnotationError ${failure}, got ${JSON.stringify(out)}`);
  assert.equal(out.failure, failure, out.message);
  assert.equal(out.retryable, retryable, `${failure} retryable`);
  assert.ok(!out.message.includes(KEY), `the key leaked into: ${out.message}`);
  return out;
}

before(async () => {
  photo = await sharp({ create: { width: 2000, height: 1500, channels: 3, background: { r: 200, g: 120, b: 40 } } })
    .jpeg()
    .toBuffer();
  transparent = await sharp({
    create: { width: 300, height: 600, channels: 4, background: { r: 0, g: 0, b: 255, alpha: 0.5 } },
  })
    .png()
    .toBuffer();
});

const providers: { id: CloudProviderId; make: () => FakeProvider; base: (url: string) => string; model: string }[] = [
  { id: 'openai', make: () => new FakeOpenAI(), base: (url) => `${url}/v1`, model: 'gpt-4.1-mini' },
  { id: 'anthropic', make: () => new FakeAnthropic(), base: (url) => url, model: 'claude-haiku-4-5' },
  { id: 'google', make: () => new FakeGoogle(), base: (url) => url, model: 'gemini-2.5-flash' },
];

for (const p of providers) {
  describe(`cloud annotator: ${p.id} through its SDK`, function () {
    let server: FakeProvider;
    const make = (extra: Partial<CloudAnnotatorOptions> = {}): Annotator =>
      createCloudAnnotator({
        provider: p.id,
        model: p.model,
        apiKey: KEY,
        baseUrl: p.base(server.url),
        style: 'both',
        maxSide: 512,
        timeoutMs: 2000,
        ...extra,
      });

    beforeEach(async () => {
      server = await p.make().start();
    });
    afterEach(async () => {
      await server.close();
    });

    it('annotates: tags and caption parsed, provenance and usage recorded, image downscaled, schema requested', async () => {
      const annotator = make({ trigger: 'ohwx' });
      assert.equal(annotator.id, `${p.id}:${p.model}`);
      assert.equal(annotator.batchSize, 1);
      const out = await annotateOne(annotator, await request(photo, 'an old caption'));
      assert.ok(!(out instanceof AnnotationError), String(out));
      assert.equal(out.kind, 'caption');
      assert.equal(out.model, `${p.id}:${p.model}`);
      assert.equal(out.version, server.modelVersion);
      assert.deepEqual(
        out.tags?.map((t) => t.name),
        ['1girl', 'solo', 'long hair', 'Blue_Eyes', 'smile'],
      );
      assert.ok(out.tags?.every((t) => t.category === 'general' && t.confidence === 1));
      assert.match(out.caption ?? '', /smiling girl/);
      assert.equal(out.params.style, 'both');
      assert.equal(out.params.template, 'builtin:both-v1');
      assert.match(String(out.params.templateHash), /^[0-9a-f]{12}$/);
      assert.equal(out.params.maxSide, 512);
      assert.ok(out.usage && out.usage.inputTokens > 0 && out.usage.outputTokens > 0);
      assert.ok(!Number.isNaN(Date.parse(out.at)));

      assert.equal(server.requests.length, 1);
      const sent = server.requests[0]!;
      assert.deepEqual(await sentImage(p.id, sent), { mime: 'image/jpeg', width: 512, height: 384 });
      assert.deepEqual(requestedSchema(p.id, sent).sort(), ['caption', 'tags']);
      const text = sent.body.toString('utf8');
      assert.match(text, /ohwx/, 'the trigger word is in the prompt');
      assert.match(text, /an old caption/, 'the current caption is in the prompt');
      // The key travels in a header, never in the URL.
      assert.ok(!sent.path.includes(KEY));
      const headers = JSON.stringify(sent.headers);
      assert.ok(headers.includes(KEY), 'the key is sent');
      await annotator.close();
    });

    it('keeps PNG for images with transparency and never upscales', async () => {
      await annotateOne(make({ style: 'tags', maxSide: 1024 }), await request(transparent));
      assert.deepEqual(await sentImage(p.id, server.requests[0]!), { mime: 'image/png', width: 300, height: 600 });
      assert.deepEqual(requestedSchema(p.id, server.requests[0]!), ['tags']);
    });

    it('sends every BMP layout the index reads as the same picture as its PNG twin', async () => {
      const annotator = make({ style: 'tags', maxSide: 64 });
      for (const variant of BMP_VARIANTS) {
        const image = twoColourImage(96, 64, [0, 0, 255], [255, 255, 255], variant.alpha ? 4 : 3, 96);
        const png = await sharp(image.data, {
          raw: { width: image.width, height: image.height, channels: image.channels },
        })
          .png()
          .toBuffer();
        const sent = server.requests.length;
        for (const bytes of [encodeBmp(image, variant.options), png]) {
          const out = await annotateOne(annotator, await request(bytes));
          assert.ok(!(out instanceof AnnotationError), `${variant.name}: ${String(out)}`);
        }
        const [fromBmp, fromPng] = [server.requests[sent]!, server.requests[sent + 1]!];
        assert.deepEqual(
          await sentImage(p.id, fromBmp),
          { mime: variant.alpha ? 'image/png' : 'image/jpeg', width: 64, height: 43 },
          variant.name,
        );
        assert.deepEqual(await sentPixels(p.id, fromBmp), await sentPixels(p.id, fromPng), variant.name);
      }
      await annotator.close();
    });

    it('styles: tags gives kind tags, sentence gives a caption only', async () => {
      const tags = await annotateOne(make({ style: 'tags' }));
      assert.ok(!(tags instanceof AnnotationError));
      assert.equal(tags.kind, 'tags');
      assert.equal(tags.caption, undefined);
      const sentence = await annotateOne(make({ style: 'sentence' }));
      assert.ok(!(sentence instanceof AnnotationError));
      assert.equal(sentence.kind, 'caption');
      assert.equal(sentence.tags, undefined);
      assert.deepEqual(requestedSchema(p.id, server.requests[1]!), ['caption']);
    });

    const cases: {
      name: string;
      step: FakeStep;
      failure: AnnotationError['failure'];
      retryable: boolean;
      retryAfter?: number;
    }[] = [
      {
        name: '429 with Retry-After',
        step: { kind: 'rate-limit', retryAfter: 7 },
        failure: 'rate-limit',
        retryable: true,
        retryAfter: 7,
      },
      { name: '500', step: { kind: 'server' }, failure: 'server', retryable: true },
      {
        name: p.id === 'anthropic' ? '529 overloaded' : '503',
        step: { kind: 'server', status: p.id === 'anthropic' ? 529 : 503 },
        failure: 'server',
        retryable: true,
      },
      { name: 'a hanging response (timeout)', step: { kind: 'hang' }, failure: 'timeout', retryable: true },
      { name: 'a connection reset', step: { kind: 'reset' }, failure: 'timeout', retryable: true },
      { name: 'a refusal', step: { kind: 'refusal' }, failure: 'policy', retryable: false },
      { name: 'a policy violation', step: { kind: 'policy-error' }, failure: 'policy', retryable: false },
      { name: 'malformed model output', step: { kind: 'malformed' }, failure: 'malformed', retryable: false },
      {
        name: 'output without the tags',
        step: { kind: 'ok', output: { caption: 'only a caption' } },
        failure: 'malformed',
        retryable: false,
      },
      { name: 'a bad key', step: { kind: 'auth' }, failure: 'auth', retryable: false },
      { name: 'a bad request', step: { kind: 'bad-request' }, failure: 'bad-request', retryable: false },
    ];
    for (const c of cases) {
      it(`maps ${c.name} to ${c.failure}`, async function () {
        server.script.push(c.step);
        const started = performance.now();
        const out = await annotateOne(make({ timeoutMs: 700 }));
        const err = expectError(out, c.failure, c.retryable);
        if (c.retryAfter !== undefined) assert.equal(err.retryAfterSeconds, c.retryAfter);
        if (c.step.kind === 'hang') assert.ok(performance.now() - started < 3000);
        assert.equal(server.requests.length, 1, 'the SDK did not retry by itself');
      });
    }

    if (p.id !== 'google') {
      it('reads retry-after-ms', async () => {
        server.script.push({ kind: 'rate-limit', retryAfterMs: 1500 });
        assert.equal(expectError(await annotateOne(make()), 'rate-limit', true).retryAfterSeconds, 1.5);
      });
    }

    it('a corrupt image fails with image, without a request', async () => {
      const out = await annotateOne(make(), await request(Buffer.from('not an image at all, just bytes')));
      expectError(out, 'image', false);
      const truncated = await annotateOne(make(), await request(photo.subarray(0, 400)));
      expectError(truncated, 'image', false);
      assert.equal(server.requests.length, 0);
    });

    it('several requests in one call come back in order, failures in place', async () => {
      server.script.push(
        { kind: 'ok' },
        { kind: 'server' },
        { kind: 'ok', output: { tags: ['cat'], caption: 'A cat.' } },
      );
      const out = await make().annotate([await request(), await request(), await request()]);
      assert.equal(out.length, 3);
      assert.ok(!(out[0] instanceof AnnotationError));
      expectError(out[1]!, 'server', true);
      assert.equal((out[2] as AnnotationResult).caption, 'A cat.');
    });

    it('a cancelled signal stops the request and reports it cancelled', async () => {
      server.script.push({ kind: 'hang' });
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 150);
      const out = await annotateOne(make({ timeoutMs: 5000 }), undefined, controller.signal);
      assert.ok(out instanceof AnnotationError);
      assert.equal(out.name, 'AnnotationCancelled');
      assert.equal(out.retryable, false);
    });
  });
}

describe('cloud annotator: OpenAI-compatible server by base URL', () => {
  let server: FakeOpenAI;
  beforeEach(async () => {
    server = await new FakeOpenAI().start();
    server.modelVersion = '';
  });
  afterEach(() => server.close());

  it('works without a key, sends max_tokens, reports the served model', async () => {
    const annotator = createCloudAnnotator({
      provider: 'openai-compatible',
      model: 'qwen2.5vl:7b',
      baseUrl: `${server.url}/v1/`,
      style: 'tags',
    });
    assert.equal(annotator.id, 'openai-compatible:qwen2.5vl:7b');
    const out = await annotateOne(annotator);
    assert.ok(!(out instanceof AnnotationError), String(out));
    assert.equal(out.version, 'qwen2.5vl:7b');
    const body = server.requests[0]!.json as Record<string, unknown>;
    assert.equal(body.max_tokens, 1024);
    assert.equal(body.max_completion_tokens, undefined);
    assert.equal(server.requests[0]!.path, '/v1/chat/completions');
  });

  it('json_object and no response format for servers without json_schema; prose around the JSON is tolerated', async () => {
    server.script.push({ kind: 'ok', output: 'Here you go:\n```json\n{"tags": ["dog", "grass"]}\n```' });
    const out = await annotateOne(
      createCloudAnnotator({
        provider: 'openai-compatible',
        model: 'llava',
        baseUrl: `${server.url}/v1`,
        style: 'tags',
        responseFormat: 'json_object',
      }),
    );
    assert.deepEqual(
      (out as AnnotationResult).tags?.map((t) => t.name),
      ['dog', 'grass'],
    );
    assert.deepEqual((server.requests[0]!.json as { response_format: unknown }).response_format, {
      type: 'json_object',
    });
    await annotateOne(
      createCloudAnnotator({
        provider: 'openai-compatible',
        model: 'llava',
        baseUrl: `${server.url}/v1`,
        style: 'tags',
        responseFormat: 'none',
      }),
    );
    assert.equal((server.requests[1]!.json as { response_format?: unknown }).response_format, undefined);
  });
});

describe('cloud annotator: options and keys', () => {
  it('a provider that needs a key refuses to start without one, naming the variable', () => {
    assert.throws(
      () => createCloudAnnotator({ provider: 'openai', model: 'gpt-4.1-mini', style: 'tags' }),
      /OPENAI_API_KEY/,
    );
    assert.throws(
      () => createCloudAnnotator({ provider: 'anthropic', model: 'claude-haiku-4-5', apiKey: ' ', style: 'tags' }),
      /ANTHROPIC_API_KEY/,
    );
    assert.throws(
      () => createCloudAnnotator({ provider: 'google', model: 'gemini-2.5-flash', style: 'tags' }),
      /GEMINI_API_KEY/,
    );
  });

  it('a template file overrides the built-in prompt; its id and hash are recorded', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tagbench-prompt-'));
    const server = await new FakeOpenAI().start();
    try {
      const file = join(dir, 'mine.md');
      writeFileSync(file, 'Tag this for {{trigger}}.{{#caption}} Was: {{caption}}{{/caption}}');
      const annotator = createCloudAnnotator({
        provider: 'openai',
        model: 'gpt-4.1-mini',
        apiKey: KEY,
        baseUrl: `${server.url}/v1`,
        style: 'tags',
        template: file,
        trigger: 'zkz',
      });
      const out = await annotateOne(annotator);
      assert.equal((out as AnnotationResult).params.template, 'file:mine.md');
      const body = server.requests[0]!.json as { messages: { content: { type: string; text?: string }[] }[] };
      const prompt = body.messages[0]!.content.find((c) => c.type === 'text')!.text;
      assert.equal(prompt, 'Tag this for zkz.');
      writeFileSync(file, 'Tag {{subject}}');
      assert.throws(
        () =>
          createCloudAnnotator({
            provider: 'openai',
            model: 'gpt-4.1-mini',
            apiKey: KEY,
            style: 'tags',
            template: file,
          }),
        /Unknown placeholder \{\{subject\}\}/,
      );
    } finally {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('maskKey shows the first and last 4 characters only', () => {
    assert.equal(maskKey('sk-abcdefghijklmnopxyz9'), 'sk-a***xyz9');
    assert.equal(maskKey('short-key'), '*********'.slice(0, 8));
    assert.equal(maskKey(''), '(none)');
    assert.ok(!maskKey(KEY).includes(KEY.slice(4, -4)));
  });
});

describe('cloud configuration and prompt templates', () => {
  it('the built-in configuration is valid and has the four providers with their key variables', () => {
    const config = cloudConfig();
    assert.deepEqual(
      config.providers.map((p) => p.id),
      ['openai', 'anthropic', 'google', 'openai-compatible'],
    );
    assert.deepEqual(
      config.providers.slice(0, 3).map((p) => p.keyEnv),
      ['OPENAI_API_KEY', 'ANTHROPIC_API_KEY', 'GEMINI_API_KEY'],
    );
    assert.equal(config.defaultMaxSide, 1024);
    assert.ok(cloudProvider('openai').models.some((m) => m.inputPerMTok !== undefined));
    assert.deepEqual(cloudModel(cloudProvider('google'), 'gemini-9-ultra'), {
      id: 'gemini-9-ultra',
      label: 'gemini-9-ultra',
    });
    assert.equal(apiKeyFromEnv(cloudProvider('anthropic'), { ANTHROPIC_API_KEY: '  k-123  ' }), 'k-123');
    assert.equal(apiKeyFromEnv(cloudProvider('anthropic'), {}), undefined);
  });

  it('a configuration that is not valid is refused with where the problem is', () => {
    const provider = {
      id: 'openai',
      label: 'O',
      keyEnv: 'K',
      baseUrl: 'http://x',
      defaultRpm: 10,
      imageTokens: 'openai-tiles',
      models: [] as unknown[],
    };
    assert.throws(() => parseCloudConfig([]), CloudConfigError);
    assert.throws(
      () => parseCloudConfig({ defaultMaxSide: 1024, providers: [{ ...provider, id: 'acme' }] }),
      /providers\[0\]\.id "acme"/,
    );
    assert.throws(
      () => parseCloudConfig({ defaultMaxSide: 1024, providers: [{ ...provider, defaultRpm: -1 }] }),
      /defaultRpm/,
    );
    assert.throws(
      () =>
        parseCloudConfig({
          defaultMaxSide: 1024,
          providers: [{ ...provider, models: [{ id: 'm', label: 'M', inputPerMTok: 'cheap' }] }],
        }),
      /models\[0\]\.inputPerMTok/,
    );
    assert.throws(
      () =>
        parseCloudConfig({
          defaultMaxSide: 1024,
          providers: [
            {
              ...provider,
              models: [
                { id: 'm', label: 'M' },
                { id: 'm', label: 'M2' },
              ],
            },
          ],
        }),
      /twice/,
    );
    assert.throws(() => parseCloudConfig({ defaultMaxSide: 10, providers: [provider] }), /defaultMaxSide/);
    assert.throws(() => parseCloudConfig({ defaultMaxSide: 1024, providers: [provider, provider] }), /twice/);
  });

  it('templates render placeholders and conditional sections', () => {
    const t = templateFromText(
      'A {{trigger}}.{{#caption}} Now: "{{caption}}".{{/caption}}{{#trigger}} [{{trigger}}]{{/trigger}}',
      'tags',
      'test',
    );
    assert.equal(renderPrompt(t, { caption: 'red car', trigger: 'ohwx' }), 'A ohwx. Now: "red car". [ohwx]');
    assert.equal(renderPrompt(t, { caption: null, trigger: '' }), 'A .');
    assert.throws(() => templateFromText('{{#caption}}open', 'tags', 'x'), /never closed/);
    assert.throws(() => templateFromText('{{/caption}}', 'tags', 'x'), /closes no open/);
    assert.throws(() => templateFromText('   ', 'tags', 'x'), /empty/);
    for (const style of ANNOTATION_STYLES) {
      const builtIn = builtInTemplate(style);
      assert.equal(builtIn.style, style);
      assert.ok(!renderPrompt(builtIn, {}).includes('{{'));
      assert.ok(renderPrompt(builtIn, { caption: 'CURRENT' }).includes('CURRENT'));
    }
  });

  it('answers are parsed leniently but strictly typed', () => {
    assert.deepEqual(
      parseModelOutput('{"tags": "a, b,  b , c\\\\(x\\\\)"}', 'tags').tags?.map((t) => t.name),
      ['a', 'b', 'c(x)'],
    );
    assert.equal(parseModelOutput('```json\n{"caption": " A dog. "}\n```', 'sentence').caption, 'A dog.');
    assert.throws(() => parseModelOutput('{"tags": []}', 'tags'), /no tags/);
    assert.throws(() => parseModelOutput('{"caption": ""}', 'sentence'), /empty caption/);
    assert.throws(() => parseModelOutput('{"tags": [1, 2]}', 'tags'), /list of strings/);
    assert.throws(() => parseModelOutput('', 'tags'), /no text/);
    assert.deepEqual(responseSchema('both'), {
      type: 'object',
      properties: {
        tags: { type: 'array', items: { type: 'string' }, description: 'Danbooru-style tags, most important first.' },
        caption: { type: 'string', description: 'A natural-language caption.' },
      },
      required: ['tags', 'caption'],
      additionalProperties: false,
    });
  });
});
