/**
 * Messages between the caption and image editor webviews and the extension host. Both editors show
 * a caption as text and as tag chips; every change the user makes is sent as the whole new caption
 * text, and the host turns it into a document edit (undo, redo, save and revert are VS Code's). The
 * image editor also edits the image's crop (kept in its sidecar) the same way: one edit per change,
 * and reviews model suggestions: the webview names the step (`review`), the host changes the caption
 * and the suggestions' statuses as one edit and sends both back (`setCaption`, `setSuggestions`).
 */
import type { CropRectView, CropView } from '../shared/cropView.ts';
import type { HeldSentenceView, SuggestionsView, SuggestionView } from '../shared/suggestionView.ts';
import type { TagSuggestion } from '../shared/tagSuggestion.ts';
import type { Check } from './validate.ts';
import { arr, int, num, obj, oneOf, str, union } from './validate.ts';

export type { CropRectView, CropView, HeldSentenceView, SuggestionsView, SuggestionView };

/** Facts about the image shown in the image editor. */
export interface ImageFactsView {
  path: string;
  width: number;
  height: number;
  format: string;
  size: number;
  channels: number;
  hasAlpha: boolean;
  bitDepth: number;
  space: string;
  frames: number;
  /** 1-based position in the results it was opened from, and their count (0 when unknown). */
  position: number;
  total: number;
}

/** A problem recorded for the image or its caption. */
export interface EditorProblem {
  kind: string;
  severity: 'error' | 'warning';
  message: string;
}

/** An aspect preset of the crop tool: a ratio, a training bucket, or free (`ratio` null). */
export interface CropPreset {
  label: string;
  ratio: { width: number; height: number } | null;
  bucket: boolean;
}

/** What the image editor sends to set the crop: a drawn rect (`manual`), the auto rect reviewed (`approved`), or no crop (`none`, rect null). */
export type CropChange =
  { state: 'manual' | 'approved'; rect: CropRectView; label: string } | { state: 'none'; rect: null; label: string };

/** A review step the image editor asks for; the host changes the caption and the statuses as one undoable edit. */
export type SuggestionReview =
  | { action: 'accept' | 'reject'; keys: string[] }
  | { action: 'acceptAbove'; threshold: number }
  | { action: 'acceptModel'; model: string }
  | { action: 'rejectRest' }
  | { action: 'useSentence'; model: string };

/** Requests the host answers for either editor. */
export interface EditorHost {
  requests: {
    /** Tags of the dataset (and of the tag database, when one is set) starting with `prefix`, most used first (autocomplete). */
    suggest: { params: { prefix: string; limit: number }; result: TagSuggestion[] };
    /** Opens the next (1) or previous (-1) image of the results, saving this one first if it has changes. */
    navigate: { params: { step: 1 | -1 }; result: { moved: boolean; reason?: string } };
  };
  notifications: {
    /** The webview is ready for `init`. */
    ready: Record<string, never>;
    /** The user changed the caption; `label` names the change for the undo stack ("Add tag", "Edit caption"). */
    edit: { caption: string; label: string };
    /** The user set the crop (image editor only); `label` names the change for the undo stack ("Crop", "Approve crop", "Remove crop"). */
    crop: CropChange;
    /** The user reviewed model suggestions (image editor only); the pending caption edit was sent before. */
    review: SuggestionReview;
  };
}

/** Notifications the editor webviews receive. */
export interface EditorView {
  requests: Record<string, never>;
  notifications: {
    /** Everything to show. `image` is set only in the image editor. */
    init: {
      caption: string;
      readOnly: boolean;
      /** Why the caption cannot be edited (e.g. not UTF-8), when readOnly. */
      readOnlyReason: string;
      focusCaption: boolean;
      image: {
        uri: string;
        facts: ImageFactsView;
        problems: EditorProblem[];
        /** The crop as currently edited; null when there is none. */
        crop: CropView | null;
        /** Aspect presets of the crop tool, in menu order. */
        cropPresets: CropPreset[];
        /** Model suggestions to review; absent when there are none. */
        suggestions?: SuggestionsView;
      } | null;
    };
    /** The caption changed from outside the webview (undo, redo, revert, a text editor). */
    setCaption: { caption: string };
    /** The crop changed from outside the webview, or an edit was refused (undo, redo, revert, another editor). */
    setCrop: { crop: CropView | null };
    /** The suggestions changed (a review step, undo, redo, revert). */
    setSuggestions: { suggestions: SuggestionsView };
  };
}

/** Runtime checks of what the host accepts from editor webviews. */
export const editorRequestChecks: { [M in keyof EditorHost['requests'] | keyof EditorHost['notifications']]: Check } = {
  suggest: obj({ prefix: str(500), limit: int(1, 100) }),
  navigate: obj({ step: oneOf(1, -1) }),
  ready: obj({}),
  edit: obj({ caption: str(100_000), label: str(100) }),
  crop: union(
    obj({ state: oneOf('manual', 'approved'), rect: cropRectCheck(), label: str(100) }),
    obj({ state: oneOf('none'), rect: oneOf(null), label: str(100) }),
  ),
  review: union(
    obj({ action: oneOf('accept', 'reject'), keys: arr(str(500), 10_000) }),
    obj({ action: oneOf('acceptAbove'), threshold: num(0, 1) }),
    obj({ action: oneOf('acceptModel', 'useSentence'), model: str(500) }),
    obj({ action: oneOf('rejectRest') }),
  ),
};

/** A crop rect: whole, non-negative pixel numbers, at least 1 wide and high (the image's bounds are the host's to check). */
function cropRectCheck(): Check {
  const side = 1_000_000;
  return obj({ left: int(0, side), top: int(0, side), width: int(1, side), height: int(1, side) });
}
