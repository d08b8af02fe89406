/**
 * Tag categories, one list for every front: Danbooru's (general, artist, copyright, character, meta)
 * as taggers and tag databases give them, a tagger's `rating`, and `other` for a tag database's types
 * outside Danbooru's (e621's species or lore).
 */

/** Every tag category, in no particular order. */
export const TAG_CATEGORIES = ['general', 'artist', 'copyright', 'character', 'meta', 'rating', 'other'] as const;

/** A tag's category. */
export type TagCategory = (typeof TAG_CATEGORIES)[number];

const DANBOORU_TYPES: Readonly<Record<number, TagCategory>> = {
  0: 'general',
  1: 'artist',
  3: 'copyright',
  4: 'character',
  5: 'meta',
};

/** The category a Danbooru tag type number stands for (0 general, 1 artist, 3 copyright, 4 character, 5 meta), or undefined. */
export function danbooruCategory(type: number): TagCategory | undefined {
  return Object.hasOwn(DANBOORU_TYPES, type) ? DANBOORU_TYPES[type] : undefined;
}
