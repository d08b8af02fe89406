/**
 * Captions as trainers read them at export: the trigger word first, a separator, underscores as
 * spaces (except in symbol-only emoticons such as `^_^`), parentheses escaped for prompt syntax,
 * blacklisted tags dropped, and kohya's keep_tokens counted to match the trigger.
 */
import { escapeTag, splitCaption, tagKey, unescapeTag } from '../../shared/tags.ts';

/** Caption options of an export. */
export interface CaptionOptions {
  /** Put first (comma-separated for several tokens, e.g. "ohwx, woman"); '' for none. */
  trigger: string;
  /** Between tags; kohya's default is ", ". */
  separator: string;
  underscoresToSpaces: boolean;
  escapeParentheses: boolean;
  /** Tags to drop, matched by key (case, `_`/space and escapes do not matter). */
  blacklist: string[];
}

/** The defaults most trainers expect. */
export const DEFAULT_CAPTION_OPTIONS: Readonly<CaptionOptions> = Object.freeze({
  trigger: '',
  separator: ', ',
  underscoresToSpaces: true,
  escapeParentheses: true,
  blacklist: [],
});

/** A caption ready to write, and the number of leading tokens kohya must keep in place. */
export interface FormattedCaption {
  text: string;
  keepTokens: number;
}

/**
 * Why a text that goes into captions or the kohya config (trigger word, separator, class tokens, a
 * blacklisted tag, the concept name) cannot be used, or undefined: a line break would start a caption
 * line of its own (sd-scripts reads the first line only), and other control characters have no place.
 */
export function captionInputProblem(value: string): string | undefined {
  if (/[\r\n\u2028\u2029\u0085]/.test(value))
    return 'has a line break, which would start a caption line of its own (separate tokens with commas)';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(value)) return 'has a control character';
  return undefined;
}

/** Formats caption text (null: no caption) for export. */
export function formatCaption(caption: string | null, options: CaptionOptions): FormattedCaption {
  const { trigger, dropped } = preparedOptions(options);
  const parts = splitCaption((caption ?? '').replace(/\r?\n/g, ' ')).parts.filter((part) => !dropped.has(tagKey(part)));
  const all = [...trigger, ...parts].map((part) => transform(part, options));
  return { text: all.join(options.separator), keepTokens: trigger.length };
}

const prepared = new WeakMap<CaptionOptions, { trigger: string[]; dropped: Set<string> }>();

/** The trigger's parts and the keys of the tags to drop (blacklisted, or already in the trigger), worked out once per options object. */
function preparedOptions(options: CaptionOptions): { trigger: string[]; dropped: Set<string> } {
  let value = prepared.get(options);
  if (!value) {
    const trigger = splitCaption(options.trigger).parts;
    value = { trigger, dropped: new Set([...options.blacklist, ...trigger].map(tagKey)) };
    prepared.set(options, value);
  }
  return value;
}

function transform(part: string, options: CaptionOptions): string {
  let tag = unescapeTag(part);
  if (options.underscoresToSpaces && /[\p{L}\p{N}]/u.test(tag)) tag = tag.replace(/_/g, ' ');
  return options.escapeParentheses ? escapeTag(tag) : tag;
}
