/** `tagbench search DIR QUERY`: images matching a query. */
import { openDatasetIndex } from '../../core/index/datasetIndex.ts';
import { searchImages } from '../../core/index/search.ts';
import type { CommandContext } from '../commandContext.ts';
import { withQueryContext } from '../cliError.ts';
import { unmatchedMessage } from '../../shared/queryHint.ts';

/** Prints a page of search results. */
export function runSearchCommand(ctx: CommandContext): number {
  const dir = ctx.positional(0, 'DIR');
  const query = ctx.rest(1).join(' ');
  const limit = ctx.number('limit') ?? 100;
  const offset = ctx.number('offset') ?? 0;
  const { db } = openDatasetIndex(dir);
  try {
    const result = withQueryContext(query, () => searchImages(db, query, { limit, offset, unmatched: true }));
    const unmatched = result.total === 0 ? (result.unmatched ?? []) : [];
    if (ctx.flag('json')) {
      const items = result.items.map((i) => ({
        path: i.path,
        width: i.width,
        height: i.height,
        caption: i.caption,
        tags: i.tags,
      }));
      ctx.out(JSON.stringify({ total: result.total, items, ...(unmatched.length > 0 ? { unmatched } : {}) }, null, 2));
    } else {
      for (const item of result.items) ctx.out(item.path);
      const shown = result.items.length;
      ctx.err(
        shown < result.total
          ? `${result.total} images match; showed ${offset + 1}-${offset + shown} (use --offset/--limit for more).`
          : `${result.total} images match.`,
      );
      // A term that matches nothing is most often a typo or a tag written differently: name the closest tags.
      for (const term of unmatched) ctx.err(unmatchedMessage(term));
    }
  } finally {
    db.close();
  }
  return 0;
}
