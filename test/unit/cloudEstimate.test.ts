/** The cost and token estimate of a cloud run, and each provider's image token rule. */
import assert from 'node:assert/strict';
import { DEFAULT_OUTPUT_TOKENS, estimateRun, imageTokens, textTokens } from '../../src/core/annotate/cloud/estimate.ts';
import { parseCloudConfig } from '../../src/core/annotate/cloud/cloudConfig.ts';

describe('cloud estimate: image tokens', () => {
  it('OpenAI tiles: the documented examples', () => {
    assert.equal(imageTokens('openai-tiles', 1024, 1024), 765);
    assert.equal(imageTokens('openai-tiles', 2048, 4096), 1105);
    assert.equal(imageTokens('openai-tiles', 4096, 8192, 'low'), 85);
    assert.equal(imageTokens('openai-tiles', 512, 512), 255);
    assert.equal(imageTokens('openai-tiles', 512, 512, 'high', 33.33), Math.round(255 * 33.33));
  });

  it('OpenAI patches: the documented examples', () => {
    assert.equal(imageTokens('openai-patches', 1024, 1024), 1024);
    assert.equal(imageTokens('openai-patches', 1800, 2400), 1452);
    assert.equal(imageTokens('openai-patches', 1024, 1024, 'high', 1.62), Math.round(1024 * 1.62));
  });

  it('Anthropic: area / 750, capped by the long side and the size limit', () => {
    assert.equal(imageTokens('anthropic-area', 1000, 1000), 1334);
    assert.equal(imageTokens('anthropic-area', 200, 200), 54);
    assert.ok(imageTokens('anthropic-area', 8000, 8000) <= 1601);
  });

  it('Google: 258 for small images, else 258 per 768 px tile', () => {
    assert.equal(imageTokens('google-tiles', 384, 384), 258);
    assert.equal(imageTokens('google-tiles', 1024, 768), 516);
    assert.equal(imageTokens('google-tiles', 768, 768), 258);
  });
});

describe('cloud estimate: a run', () => {
  const images = [
    { width: 4000, height: 3000 },
    { width: 800, height: 600 },
    { width: 1024, height: 1024 },
  ];

  it('counts images, requests, tokens after downscaling, and prices the run', () => {
    const e = estimateRun({ provider: 'anthropic', model: 'claude-haiku-4-5', images, style: 'both', maxSide: 1024 });
    assert.equal(e.images, 3);
    assert.equal(e.requests, 3);
    // 4000x3000 goes up as 1024x768, the others as they are.
    assert.equal(
      e.imageTokens,
      Math.ceil((1024 * 768) / 750) + Math.ceil((800 * 600) / 750) + Math.ceil((1024 * 1024) / 750),
    );
    assert.ok(e.promptTokens > 3 * 100 && e.promptTokens < 3 * 400, String(e.promptTokens));
    assert.equal(e.inputTokens, e.imageTokens + e.promptTokens);
    assert.equal(e.outputTokens, 3 * DEFAULT_OUTPUT_TOKENS.both);
    assert.ok(e.cost);
    assert.equal(e.cost.currency, 'USD');
    assert.ok(Math.abs(e.cost.input - (e.inputTokens / 1e6) * 1.0) < 1e-12);
    assert.ok(Math.abs(e.cost.output - (e.outputTokens / 1e6) * 5.0) < 1e-12);
    assert.ok(Math.abs(e.cost.total - e.cost.input - e.cost.output) < 1e-12);
    assert.equal(e.minutes, 3 / 50);
  });

  it('a batch run costs half', () => {
    const sync = estimateRun({ provider: 'openai', model: 'gpt-4.1', images, style: 'tags' });
    const batch = estimateRun({ provider: 'openai', model: 'gpt-4.1', images, style: 'tags', batch: true });
    assert.ok(Math.abs(batch.cost!.total * 2 - sync.cost!.total) < 1e-12);
    assert.equal(batch.cost!.batchDiscount, true);
  });

  it("the model's own image rule and multiplier apply (gpt-4.1-mini counts patches)", () => {
    const e = estimateRun({
      provider: 'openai',
      model: 'gpt-4.1-mini',
      images: [{ width: 1024, height: 1024 }],
      style: 'tags',
      maxSide: 1024,
    });
    assert.equal(e.imageTokens, Math.round(1024 * 1.62));
  });

  it('current captions and the trigger make the prompt longer; a template of your own is used', () => {
    const plain = estimateRun({ provider: 'google', model: 'gemini-2.5-flash', images, style: 'sentence' });
    const withCaption = estimateRun({
      provider: 'google',
      model: 'gemini-2.5-flash',
      images,
      style: 'sentence',
      averageCaptionChars: 400,
      trigger: 'ohwx',
    });
    assert.ok(withCaption.promptTokens >= plain.promptTokens + 3 * 100);
    const tiny = estimateRun({
      provider: 'google',
      model: 'gemini-2.5-flash',
      images,
      style: 'sentence',
      template: { id: 'x', style: 'sentence', text: 'Caption it.', hash: '0' },
    });
    assert.ok(tiny.promptTokens < plain.promptTokens);
  });

  it('no cost for models without prices (unknown or local), but tokens still', () => {
    const e = estimateRun({
      provider: 'openai-compatible',
      model: 'qwen2.5vl:7b',
      images,
      style: 'tags',
      outputTokensPerImage: 50,
      rpm: 0,
    });
    assert.equal(e.cost, undefined);
    assert.equal(e.outputTokens, 150);
    assert.equal(e.minutes, 0);
    assert.ok(e.imageTokens > 0);
  });

  it('textTokens is about four characters a token', () => {
    assert.equal(textTokens(''), 0);
    assert.equal(textTokens('abcdefgh'), 2);
  });

  it('a configuration passed in is used', () => {
    const config = parseCloudConfig({
      defaultMaxSide: 512,
      providers: [
        {
          id: 'google',
          label: 'G',
          keyEnv: 'K',
          baseUrl: 'http://x',
          defaultRpm: 10,
          imageTokens: 'google-tiles',
          models: [{ id: 'm', label: 'M', inputPerMTok: 1, outputPerMTok: 2 }],
        },
      ],
    });
    const e = estimateRun({
      provider: 'google',
      model: 'm',
      images: [{ width: 2000, height: 1000 }],
      style: 'tags',
      config,
    });
    // 512x256 after downscaling: one image of 258.
    assert.equal(e.imageTokens, 258);
    assert.equal(e.minutes, 0.1);
  });
});
