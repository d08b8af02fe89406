/**
 * Messages between the caption and image editor webviews and the extension host. Both editors show
 * a caption as text and as tag chips; every change the user makes is sent as the whole new caption
 * text, and the host turns it into a document edit (undo, redo, save and revert are VS Code's).
 */
import type { Check } from './validate.ts';
import { int, obj, oneOf, str } from './validate.ts';

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

/** Requests the host answers for either editor. */
export interface EditorHost {
  requests: {
    /** Tags of the dataset starting with `prefix`, most used first (autocomplete). */
    suggest: { params: { prefix: string; limit: number }; result: { tag: string; count: number }[] };
    /** Opens the next (1) or previous (-1) image of the results, saving this one first if it has changes. */
    navigate: { params: { step: 1 | -1 }; result: { moved: boolean; reason?: string } };
  };
  notifications: {
    /** The webview is ready for `init`. */
    ready: Record<string, never>;
    /** The user changed the caption; `label` names the change for the undo stack ("Add tag", "Edit caption"). */
    edit: { caption: string; label: string };
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
      image: { uri: string; facts: ImageFactsView; problems: EditorProblem[] } | null;
    };
    /** The caption changed from outside the webview (undo, redo, revert, a text editor). */
    setCaption: { caption: string };
  };
}

/** Runtime checks of what the host accepts from editor webviews. */
export const editorRequestChecks: { [M in keyof EditorHost['requests'] | keyof EditorHost['notifications']]: Check } = {
  suggest: obj({ prefix: str(500), limit: int(1, 100) }),
  navigate: obj({ step: oneOf(1, -1) }),
  ready: obj({}),
  edit: obj({ caption: str(100_000), label: str(100) }),
};
