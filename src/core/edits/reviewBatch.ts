/**
 * Reviewing model suggestions over many images at once (the gallery's selection, a query): accept
 * the pending suggestions at or above a confidence, or of one model; reject the rest. One image's
 * step is pure: it takes the caption and sidecar text and gives both back changed, or null when no
 * pending suggestion matches. The batch machinery (batchEdit.ts) journals and writes them.
 */
import { acceptSuggestions, modelOf, pendingSuggestions, rejectSuggestions } from '../annotate/reviewSuggestions.ts';
import { formatSidecar, parseSidecar } from '../sidecar/sidecar.ts';
import type { SidecarTag } from '../sidecar/sidecar.ts';
import { tagKey } from '../../shared/tags.ts';
import type { ReviewSuggestionsAction } from '../../shared/reviewAction.ts';

export type { ReviewSuggestionsAction };

/** One image's reviewed caption and sidecar text, and the tags accepted or rejected. */
export interface ReviewedImage {
  caption: string;
  sidecar: string;
  accepted: string[];
  rejected: string[];
}

/**
 * Reviews one image's pending suggestions. Throws SidecarError when the sidecar is not valid;
 * returns null when no pending suggestion matches the action's filters.
 */
export function reviewImage(
  caption: string,
  sidecarBytes: Uint8Array,
  action: ReviewSuggestionsAction,
): ReviewedImage | null {
  const sidecar = parseSidecar(sidecarBytes);
  const state = { caption, tags: sidecar.tags ?? [] };
  const keys = pendingSuggestions(state)
    .filter((tag) => matches(tag, action))
    .map((tag) => tagKey(tag.name));
  if (keys.length === 0) return null;
  const outcome =
    action.decision === 'accept'
      ? acceptSuggestions(state, keys, action.underscores ?? 'spaces')
      : rejectSuggestions(state, keys);
  return {
    caption: outcome.caption,
    sidecar: formatSidecar({ ...sidecar, tags: outcome.tags }),
    accepted: outcome.accepted,
    rejected: outcome.rejected,
  };
}

function matches(tag: SidecarTag, action: ReviewSuggestionsAction): boolean {
  if (action.model !== undefined && action.model !== '' && modelOf(tag) !== action.model) return false;
  if (action.minConfidence !== undefined && !(tag.confidence !== undefined && tag.confidence >= action.minConfidence))
    return false;
  if (action.belowConfidence !== undefined && tag.confidence !== undefined && tag.confidence >= action.belowConfidence)
    return false;
  return true;
}
