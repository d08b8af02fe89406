/** The keys of a query's `sort:` term, for the query parser, the gallery's sort menu and the CLI's help. */

/** Every sort key, in the order the gallery's menu lists them. */
export const SORT_KEYS = ['name', 'mtime', 'width', 'height', 'tags', 'random'] as const;

/** A key `sort:` accepts. */
export type SortKey = (typeof SORT_KEYS)[number];

/** The sort key `text` names (any case), or undefined when it names none. */
export function sortKeyOf(text: string): SortKey | undefined {
  const lower = text.toLowerCase();
  return SORT_KEYS.find((key) => key === lower);
}
