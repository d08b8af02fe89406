/**
 * Turns one image's tagger output (probabilities in `selected_tags.csv` order) into tags: the rating
 * as its own field (the most probable rating row), the other tags at or above their category's
 * threshold (characters: the character threshold; every other category: the general one), most
 * confident first, and the raw scores of the top candidates for review.
 */
import type { TagScore } from '../annotator.ts';
import type { TaggerTag } from './taggerContract.ts';

/** Thresholds and how many raw candidates to keep. */
export interface TaggerThresholds {
  /** Threshold of general tags and of every category but character and rating (default 0.35). */
  general: number;
  /** Threshold of character tags (default 0.85). */
  character: number;
  /** Raw scores below this are not kept (default 0.1). */
  rawMin: number;
  /** At most this many raw scores besides the ratings and the accepted tags (default 50). */
  rawTop: number;
}

/** The usual defaults of the WD taggers' reference apps. */
export const DEFAULT_THRESHOLDS: TaggerThresholds = { general: 0.35, character: 0.85, rawMin: 0.1, rawTop: 50 };

/** What post-processing makes of one image's scores. */
export interface TaggerOutput {
  tags: TagScore[];
  rating?: { name: string; confidence: number };
  /** By tag name; rating rows as `rating:<name>`. */
  raw: Record<string, number>;
}

/** Rounds a probability for storage (4 decimals). */
const round = (value: number): number => Math.round(value * 10_000) / 10_000;

/** Post-processes one image's scores (`scores[offset + i]` is the probability of `tags[i]`). */
export function taggerOutput(
  scores: ArrayLike<number>,
  offset: number,
  tags: readonly TaggerTag[],
  thresholds: TaggerThresholds = DEFAULT_THRESHOLDS,
): TaggerOutput {
  let rating: { name: string; confidence: number } | undefined;
  const accepted: TagScore[] = [];
  const candidates: Array<[string, number]> = [];
  const raw: Record<string, number> = {};
  for (let i = 0; i < tags.length; i++) {
    const tag = tags[i]!;
    const score = scores[offset + i]!;
    if (tag.category === 'rating') {
      raw[`rating:${tag.name}`] = round(score);
      if (!rating || score > rating.confidence) rating = { name: tag.name, confidence: score };
      continue;
    }
    const threshold = tag.category === 'character' ? thresholds.character : thresholds.general;
    if (score >= threshold) accepted.push({ name: tag.name, category: tag.category, confidence: score });
    else if (score >= thresholds.rawMin) candidates.push([tag.name, score]);
  }
  accepted.sort((a, b) => b.confidence - a.confidence);
  candidates.sort((a, b) => b[1] - a[1]);
  for (const tag of accepted) {
    raw[tag.name] = round(tag.confidence);
    tag.confidence = round(tag.confidence);
  }
  for (const [name, score] of candidates.slice(0, thresholds.rawTop)) raw[name] = round(score);
  return {
    tags: accepted,
    ...(rating ? { rating: { name: rating.name, confidence: round(rating.confidence) } } : {}),
    raw,
  };
}
