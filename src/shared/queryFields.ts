/** The query language's fields as completion offers them, and which of them take values the index knows. Pure: shared by the core and the webviews. */

/** A field as typed up to its operator (`width>=`), with what it matches. */
export interface FieldHint {
  field: string;
  text: string;
  description: string;
}

/** Fields offered while a query is typed, in the order shown. */
export const FIELD_HINTS: readonly FieldHint[] = [
  { field: 'folder', text: 'folder:', description: 'a folder at any level' },
  { field: 'has', text: 'has:', description: 'caption or suggestions' },
  { field: 'width', text: 'width>=', description: 'width in pixels' },
  { field: 'height', text: 'height>=', description: 'height in pixels' },
  { field: 'pixels', text: 'pixels>=', description: 'width × height, k and m suffixes' },
  { field: 'aspect', text: 'aspect:', description: 'portrait, landscape, square or a ratio' },
  { field: 'tags', text: 'tags>', description: 'number of tags' },
  { field: 'ext', text: 'ext:', description: 'file extension' },
  { field: 'caption', text: 'caption:', description: 'a word in the caption' },
  { field: 'model', text: 'model:', description: 'images a model annotated' },
  { field: 'score', text: 'score>=', description: "a scorer's score" },
  { field: 'suggested', text: 'suggested:', description: 'a suggested tag awaiting review' },
  { field: 'sort', text: 'sort:', description: 'name, mtime, width, height, tags, random' },
];

/** Fixed values of fields, completed as typed. */
export const FIELD_CHOICES: Readonly<Record<string, readonly string[]>> = {
  has: ['caption', 'suggestions'],
  aspect: ['portrait', 'landscape', 'square'],
};

/** The fields whose values the index lists (folder names, extensions, models, suggested tags). */
export const VALUE_FIELDS = ['folder', 'ext', 'model', 'suggested'] as const;

/** One of VALUE_FIELDS. */
export type ValueField = (typeof VALUE_FIELDS)[number];
