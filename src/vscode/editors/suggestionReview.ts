/**
 * One review step the image editor asks for, applied to a document's caption and tag entries: the
 * new caption, the new entries and the undo label, or null when the step changes nothing. Pure and
 * free of the VS Code API (the editor tests' stand-in host runs it too).
 */
import {
  acceptAbove,
  acceptModel,
  acceptSuggestions,
  rejectRest,
  rejectSuggestions,
  useSentence,
} from '../../core/annotate/reviewSuggestions.ts';
import type { ReviewOutcome } from '../../core/annotate/reviewSuggestions.ts';
import type { SidecarTag } from '../../core/sidecar/sidecar.ts';
import type { SuggestionReview, SuggestionsView } from '../../protocol/editorProtocol.ts';

/** The outcome of a review step, with its undo label. */
export interface ReviewStep {
  caption: string;
  tags: SidecarTag[];
  label: string;
}

/** Applies `review` to the caption and entries; `suggestions` gives the held sentences. */
export function reviewStep(
  caption: string,
  tags: readonly SidecarTag[],
  suggestions: SuggestionsView,
  review: SuggestionReview,
): ReviewStep | null {
  const state = { caption, tags };
  let outcome: ReviewOutcome;
  switch (review.action) {
    case 'accept':
      outcome = acceptSuggestions(state, review.keys);
      break;
    case 'reject':
      outcome = rejectSuggestions(state, review.keys);
      break;
    case 'acceptAbove':
      outcome = acceptAbove(state, review.threshold);
      break;
    case 'acceptModel':
      outcome = acceptModel(state, review.model);
      break;
    case 'rejectRest':
      outcome = rejectRest(state);
      break;
    case 'useSentence': {
      const sentence = suggestions.sentences.find((s) => s.model === review.model);
      if (!sentence) return null;
      outcome = useSentence(state, sentence.text);
      if (outcome.caption === caption) return null;
      return { caption: outcome.caption, tags: outcome.tags, label: 'Use model caption' };
    }
  }
  const { accepted, rejected } = outcome;
  if (accepted.length === 0 && rejected.length === 0) return null;
  const label =
    accepted.length > 0
      ? accepted.length === 1
        ? `Accept suggestion ${accepted[0]}`
        : `Accept ${accepted.length} suggestions`
      : rejected.length === 1
        ? `Reject suggestion ${rejected[0]}`
        : `Reject ${rejected.length} suggestions`;
  return { caption: outcome.caption, tags: outcome.tags, label: label.slice(0, 100) };
}
