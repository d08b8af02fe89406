/** Builds the batch engine of a provider from plain options. */
import type { CloudAnnotatorOptions } from './cloudAnnotator.ts';
import type { BatchEngine } from './batchState.ts';
import { AnthropicBatchEngine } from './anthropicBatch.ts';
import { OpenAIBatchEngine } from './openaiBatch.ts';

/** Whether a provider has a batch API Tagbench drives (OpenAI and Anthropic). */
export function hasBatchApi(provider: CloudAnnotatorOptions['provider']): boolean {
  return provider === 'openai' || provider === 'anthropic';
}

/** The batch engine of `options.provider`; throws for providers without one. */
export function createBatchEngine(options: CloudAnnotatorOptions): BatchEngine {
  if (options.provider === 'anthropic') return new AnthropicBatchEngine(options);
  if (options.provider === 'openai') return new OpenAIBatchEngine(options);
  throw new Error(`${options.provider} has no batch API Tagbench drives; use the synchronous annotator.`);
}
