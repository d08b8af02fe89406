/** A tag completion as the editors and the gallery show it. */
import type { TagCategory } from './tagCategory.ts';

/**
 * A tag completion: the tag to insert and how many images have it. With a tag database configured,
 * also the database's post count and category, and the alias that was typed when the match came
 * through one (shown as `alias → tag`).
 */
export interface TagSuggestion {
  tag: string;
  count: number;
  postCount?: number;
  category?: TagCategory;
  alias?: string;
}
