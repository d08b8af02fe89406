/**
 * The batch actions, in one place for the core, the protocol, the gallery and the CLI: their types,
 * the runtime check the host applies to what a webview sends, and their names (the summary before a
 * batch, "Remove "beard" from 7 images", and what it did, "Removed "beard" from 2 of 7 images").
 */
import type { ReviewSuggestionsAction } from './reviewAction.ts';

/** Adds tags at the start or the end of each caption (or of each line of it). */
export interface AddTagsAction {
  kind: 'addTags';
  tags: string[];
  position: 'start' | 'end';
}

/** Removes tags (matched by key). */
export interface RemoveTagsAction {
  kind: 'removeTags';
  tags: string[];
}

/** Renames a tag, or rewrites tags a regular expression matches. */
export interface ReplaceTagAction {
  kind: 'replaceTag';
  find: string;
  replace: string;
  regex: boolean;
}

/** Puts a trigger word first, once. */
export interface SetPrefixAction {
  kind: 'setPrefix';
  prefix: string;
}

/** Moves images (with caption and sidecar) to Tagbench's trash. */
export interface TrashAction {
  kind: 'trash';
}

/** A batch action a webview may ask for; checkGalleryBatchAction is its runtime check. */
export type GalleryBatchAction =
  AddTagsAction | RemoveTagsAction | ReplaceTagAction | SetPrefixAction | ReviewSuggestionsAction | TrashAction;

/** What naming an action needs: any gallery action, or the host's normalize and rules batches. */
export type NamedBatchAction =
  GalleryBatchAction | { kind: 'normalize' } | { kind: 'applyRules'; rules: { source?: string | null } };

type Check = (value: unknown, path: string) => string | undefined;

const own = (value: object, key: string): unknown =>
  Object.hasOwn(value, key) ? (value as Record<string, unknown>)[key] : undefined;
const text =
  (max: number): Check =>
  (v, p) =>
    typeof v !== 'string'
      ? `${p} must be a string`
      : v.length > max
        ? `${p} is longer than ${max} characters`
        : undefined;
const texts =
  (max: number, count: number): Check =>
  (v, p) => {
    if (!Array.isArray(v)) return `${p} must be a list`;
    if (v.length > count) return `${p} has more than ${count} items`;
    for (const [i, item] of v.entries()) {
      const problem = text(max)(item, `${p}[${i}]`);
      if (problem) return problem;
    }
    return undefined;
  };
const literal =
  (...values: string[]): Check =>
  (v, p) =>
    typeof v === 'string' && values.includes(v)
      ? undefined
      : `${p} must be one of ${values.map((x) => JSON.stringify(x)).join(', ')}`;
const flag: Check = (v, p) => (typeof v === 'boolean' ? undefined : `${p} must be true or false`);
const fraction: Check = (v, p) =>
  typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= 1 ? undefined : `${p} must be a number from 0 to 1`;
const optional =
  (check: Check): Check =>
  (v, p) =>
    v === undefined ? undefined : check(v, p);

const FIELDS: Record<GalleryBatchAction['kind'], Record<string, Check>> = {
  addTags: { tags: texts(500, 200), position: literal('start', 'end') },
  removeTags: { tags: texts(500, 200) },
  replaceTag: { find: text(500), replace: text(500), regex: flag },
  setPrefix: { prefix: text(500) },
  reviewSuggestions: {
    decision: literal('accept', 'reject'),
    model: optional(text(200)),
    minConfidence: optional(fraction),
    belowConfidence: optional(fraction),
    underscores: optional(literal('spaces', 'keep')),
  },
  trash: {},
};

/** The batch action kinds a webview may send. */
export const GALLERY_BATCH_ACTION_KINDS = Object.keys(FIELDS) as readonly GalleryBatchAction['kind'][];

/**
 * Why `value` is not a GalleryBatchAction (naming the offending field), or undefined when it is one:
 * a plain object of a known kind with exactly that kind's fields (own fields only), each valid.
 */
export function checkGalleryBatchAction(value: unknown, path = 'action'): string | undefined {
  if (
    typeof value !== 'object' ||
    value === null ||
    Array.isArray(value) ||
    ![Object.prototype, null].includes(Object.getPrototypeOf(value))
  ) {
    return `${path} must be an object`;
  }
  const kind = own(value, 'kind');
  if (typeof kind !== 'string' || !Object.hasOwn(FIELDS, kind))
    return literal(...GALLERY_BATCH_ACTION_KINDS)(kind, `${path}.kind`);
  const fields = FIELDS[kind as GalleryBatchAction['kind']];
  for (const key of Object.keys(value))
    if (key !== 'kind' && !Object.hasOwn(fields, key)) return `${path} has an unexpected field "${key}"`;
  for (const [key, check] of Object.entries(fields)) {
    const problem = check(own(value, key), `${path}.${key}`);
    if (problem) return problem;
  }
  return undefined;
}

/** `n image(s)`. */
export function imageCount(n: number): string {
  return `${n} image${n === 1 ? '' : 's'}`;
}

/** The action in a few words, for titles: `Remove "beard"`, `Move to the Tagbench trash`. */
export function batchActionTitle(action: NamedBatchAction): string {
  const { verb, what, to } = parts(action, false);
  return action.kind === 'trash' ? `${verb} ${to}` : `${verb} ${what}`;
}

/** What a batch is to do, before it runs: `Remove "beard" from 7 images`. */
export function describeBatch(action: NamedBatchAction, images: number): string {
  const { verb, what, to } = parts(action, false);
  return action.kind === 'trash'
    ? `${verb} ${imageCount(images)} ${to}`
    : `${verb} ${what} ${to} ${imageCount(images)}`;
}

/**
 * What a batch did, counting the images it changed out of those it was asked to touch:
 * `Removed "beard" from 2 of 7 images` (`... from 7 images` when it changed them all).
 */
export function describeBatchOutcome(action: NamedBatchAction, changed: number, images: number): string {
  const { verb, what, to } = parts(action, true);
  const count = changed === images ? imageCount(images) : `${changed} of ${imageCount(images)}`;
  return action.kind === 'trash' ? `${verb} ${count} ${to}` : `${verb} ${what} ${to} ${count}`;
}

function parts(action: NamedBatchAction, done: boolean): { verb: string; what: string; to: string } {
  const list = (tags: readonly string[]): string => tags.map((t) => `"${t}"`).join(', ');
  const verb = (now: string, past: string): string => (done ? past : now);
  switch (action.kind) {
    case 'addTags':
      return { verb: verb('Add', 'Added'), what: list(action.tags), to: 'to' };
    case 'removeTags':
      return { verb: verb('Remove', 'Removed'), what: list(action.tags), to: 'from' };
    case 'replaceTag':
      return {
        verb: verb('Replace', 'Replaced'),
        what: `${action.regex ? `/${action.find}/` : `"${action.find}"`} with "${action.replace}"`,
        to: 'in',
      };
    case 'setPrefix':
      return { verb: 'Put', what: `"${action.prefix}" first`, to: 'in' };
    case 'normalize':
      return { verb: verb('Normalize', 'Normalized'), what: 'the tags', to: 'of' };
    case 'applyRules': {
      const source = action.rules.source ? ` from ${action.rules.source.split(/[\\/]/).pop()}` : '';
      return { verb: verb('Apply', 'Applied'), what: `tag rules${source}`, to: 'to' };
    }
    case 'reviewSuggestions': {
      const filters: string[] = [];
      if (action.model) filters.push(`of ${action.model}`);
      if (action.minConfidence !== undefined) filters.push(`at or above ${action.minConfidence}`);
      if (action.belowConfidence !== undefined) filters.push(`below ${action.belowConfidence}`);
      const which = filters.length > 0 ? `suggestions ${filters.join(' ')}` : 'all pending suggestions';
      return {
        verb: action.decision === 'accept' ? verb('Accept', 'Accepted') : verb('Reject', 'Rejected'),
        what: which,
        to: 'in',
      };
    }
    case 'trash':
      return { verb: verb('Move', 'Moved'), what: '', to: 'to the Tagbench trash' };
  }
}
