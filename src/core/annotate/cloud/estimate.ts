/**
 * The estimate shown before a cloud run: images, requests, approximate input tokens (each
 * provider's image token rule applied to the downscaled size, plus the prompt), expected output
 * tokens, time at the rate limit, and cost when the model's prices are known. Rough by nature:
 * providers change their rules, and output length varies.
 */
import { cloudConfig, cloudModel, cloudProvider, defaultRpm } from './cloudConfig.ts';
import type { CloudConfig, CloudProviderId, ImageTokenRule } from './cloudConfig.ts';
import { uploadSize } from './imageUpload.ts';
import { builtInTemplate, renderPrompt, responseSchema } from './promptTemplates.ts';
import type { AnnotationStyle, PromptTemplate } from './promptTemplates.ts';

/** What to estimate. */
export interface EstimateInput {
  provider: CloudProviderId;
  model: string;
  /** Original sizes of the images (as displayed). */
  images: readonly { width: number; height: number }[];
  style: AnnotationStyle;
  template?: PromptTemplate;
  trigger?: string;
  /** Long side before upload (default from the configuration). */
  maxSide?: number;
  /** OpenAI image detail (default high). */
  imageDetail?: 'low' | 'high' | 'auto';
  /** Average length of the current captions put in the prompt, in characters (default 0: none). */
  averageCaptionChars?: number;
  /** Expected output tokens per image (default by style). */
  outputTokensPerImage?: number;
  /** Through a batch API, at half price. */
  batch?: boolean;
  /** Requests per minute (default: the model's or provider's). */
  rpm?: number;
  config?: CloudConfig;
}

/** The estimate. */
export interface CloudEstimate {
  images: number;
  requests: number;
  imageTokens: number;
  promptTokens: number;
  /** Image and prompt tokens together. */
  inputTokens: number;
  outputTokens: number;
  /** Minutes the requests take at the rate limit (without retries). */
  minutes: number;
  /** USD, when the model's prices are configured. */
  cost?: { input: number; output: number; total: number; currency: 'USD'; batchDiscount: boolean };
  /** When the prices were checked. */
  pricesAsOf: string;
}

/** Expected output tokens per image by style: about 30 tags, a paragraph, or both (with JSON syntax). */
export const DEFAULT_OUTPUT_TOKENS: Readonly<Record<AnnotationStyle, number>> = { tags: 130, sentence: 90, both: 220 };

/** Tokens of English-like text, roughly: one per 4 characters. */
export function textTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

function scaleToFit(width: number, height: number, maxW: number, maxH: number): [number, number] {
  const s = Math.min(1, maxW / width, maxH / height);
  return [width * s, height * s];
}

/**
 * Input tokens of one image of width x height (as sent) under a rule:
 * - openai-tiles: high detail fits 2048x2048, then the short side to 768; 85 + 170 per 512 px tile (low detail: 85);
 * - openai-patches: 32 px patches, at most 1536 (the image shrunk to fit), times the model's multiplier;
 * - anthropic-area: long side at most 1568 and at most about 1600 tokens (1.2 MP), then w x h / 750;
 * - google-tiles: 258 when both sides are at most 384, else 258 per 768 px tile.
 */
export function imageTokens(
  rule: ImageTokenRule,
  width: number,
  height: number,
  detail: 'low' | 'high' | 'auto' = 'high',
  multiplier = 1,
): number {
  if (width <= 0 || height <= 0) return 0;
  switch (rule) {
    case 'openai-tiles': {
      if (detail === 'low') return Math.round(85 * multiplier);
      let [w, h] = scaleToFit(width, height, 2048, 2048);
      const short = Math.min(w, h);
      if (short > 768) [w, h] = [(w * 768) / short, (h * 768) / short];
      return Math.round((85 + 170 * Math.ceil(w / 512) * Math.ceil(h / 512)) * multiplier);
    }
    case 'openai-patches': {
      let patches = Math.ceil(width / 32) * Math.ceil(height / 32);
      if (patches > 1536) {
        let r = Math.sqrt((32 * 32 * 1536) / (width * height));
        r *= Math.min(
          Math.floor((width * r) / 32) / ((width * r) / 32),
          Math.floor((height * r) / 32) / ((height * r) / 32),
        );
        // The epsilon keeps 44.0000001 patches (rounding noise) at 44.
        patches = Math.min(1536, Math.ceil((width * r) / 32 - 1e-6) * Math.ceil((height * r) / 32 - 1e-6));
      }
      return Math.round(patches * multiplier);
    }
    case 'anthropic-area': {
      let [w, h] = scaleToFit(width, height, 1568, 1568);
      const megapixels = 1600 * 750;
      if (w * h > megapixels) [w, h] = [w * Math.sqrt(megapixels / (w * h)), h * Math.sqrt(megapixels / (w * h))];
      return Math.ceil((Math.round(w) * Math.round(h)) / 750);
    }
    case 'google-tiles':
      if (width <= 384 && height <= 384) return 258;
      return 258 * Math.ceil(width / 768) * Math.ceil(height / 768);
  }
}

/** Estimates a run: tokens, time and cost. */
export function estimateRun(input: EstimateInput): CloudEstimate {
  const config = input.config ?? cloudConfig();
  const provider = cloudProvider(input.provider, config);
  const model = cloudModel(provider, input.model);
  const maxSide = input.maxSide ?? config.defaultMaxSide;
  const rule = model.imageTokens ?? provider.imageTokens;
  let image = 0;
  for (const { width, height } of input.images) {
    const sent = uploadSize(width, height, maxSide);
    image += imageTokens(rule, sent.width, sent.height, input.imageDetail ?? 'high', model.imageTokenMultiplier ?? 1);
  }
  const template = input.template ?? builtInTemplate(input.style);
  const caption = 'x'.repeat(Math.max(0, Math.round(input.averageCaptionChars ?? 0)));
  // The prompt, the schema (sent as a response format or tool), and message framing.
  const perRequest =
    textTokens(renderPrompt(template, { caption, trigger: input.trigger ?? '' })) +
    textTokens(JSON.stringify(responseSchema(input.style))) +
    20;
  const requests = input.images.length;
  const promptTokens = perRequest * requests;
  const outputTokens = (input.outputTokensPerImage ?? DEFAULT_OUTPUT_TOKENS[input.style]) * requests;
  const rpm = input.rpm ?? defaultRpm(provider, input.model);
  const estimate: CloudEstimate = {
    images: input.images.length,
    requests,
    imageTokens: image,
    promptTokens,
    inputTokens: image + promptTokens,
    outputTokens,
    minutes: rpm > 0 ? requests / rpm : 0,
    pricesAsOf: config.pricesAsOf,
  };
  if (model.inputPerMTok !== undefined && model.outputPerMTok !== undefined) {
    const factor = input.batch ? 0.5 : 1;
    const inputCost = (estimate.inputTokens / 1e6) * model.inputPerMTok * factor;
    const outputCost = (outputTokens / 1e6) * model.outputPerMTok * factor;
    estimate.cost = {
      input: inputCost,
      output: outputCost,
      total: inputCost + outputCost,
      currency: 'USD',
      batchDiscount: input.batch === true,
    };
  }
  return estimate;
}
