/** Builds the cloud annotator for a provider from plain options. */
import type { Annotator } from '../annotator.ts';
import type { CloudAnnotatorOptions } from './cloudAnnotator.ts';
import { AnthropicAnnotator } from './anthropicAnnotator.ts';
import { GoogleAnnotator } from './googleAnnotator.ts';
import { OpenAIAnnotator } from './openaiAnnotator.ts';

/** The annotator of `options.provider` (OpenAI's for `openai-compatible` too); throws for a missing key or a bad template. */
export function createCloudAnnotator(options: CloudAnnotatorOptions): Annotator {
  switch (options.provider) {
    case 'openai':
    case 'openai-compatible':
      return new OpenAIAnnotator(options);
    case 'anthropic':
      return new AnthropicAnnotator(options);
    case 'google':
      return new GoogleAnnotator(options);
    default:
      throw new Error(`Unknown cloud provider "${String(options.provider)}".`);
  }
}
