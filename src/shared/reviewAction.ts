/** The batch action that reviews model suggestions, shared by the core, the protocol and the gallery. */

/**
 * A review of model suggestions over many images: accept (append to the caption) or reject the
 * pending suggestions that pass every given filter: one model's (its id without `model:`), at or
 * above `minConfidence`, below `belowConfidence`. `underscores` spells accepted tags (default spaces).
 */
export interface ReviewSuggestionsAction {
  kind: 'reviewSuggestions';
  decision: 'accept' | 'reject';
  /** Only this model's suggestions (its id, without `model:`). */
  model?: string;
  /** Only suggestions with at least this confidence (suggestions without a confidence never match). */
  minConfidence?: number;
  /** Only suggestions with a confidence below this (suggestions without one match). */
  belowConfidence?: number;
  /** How accepted tags are spelled in the caption (default: underscores as spaces). */
  underscores?: 'spaces' | 'keep';
}
