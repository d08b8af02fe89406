/**
 * Tag categories, one list for every front: Danbooru's (general, artist, copyright, character, meta)
 * as taggers and tag databases give them, a tagger's `rating`, and `other` for a tag database's types
 * outside Danbooru's (e621's species or lore).
 */

/** Every tag category, in no particular order. */
export const TAG_CATEGORIES = ['general', 'artist', 'copyright', 'character', 'meta', 'rating', 'other'] as const;

/** A tag's category. */
export type TagCategory = (typeof TAG_CATEGORIES)[number];

