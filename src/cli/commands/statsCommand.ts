/** `tagbench stats DIR [QUERY]`: tag frequencies over the dataset or a query's results. */
import { openDatasetIndex } from '../../core/index/datasetIndex.ts';
import { tagStats } from '../../core/index/search.ts';
import type { CommandContext } from '../commandContext.ts';
import { withQueryContext } from '../cliError.ts';

/** Prints tag frequencies, most frequent first. */
export function runStatsCommand(ctx: CommandContext): number {
  const dir = ctx.positional(0, 'DIR');
  const query = ctx.rest(1).join(' ');
  const limit = ctx.number('limit');
  const { db } = openDatasetIndex(dir);
  try {
    const stats = withQueryContext(query, () => tagStats(db, query, limit !== undefined ? { limit } : {}));
    if (ctx.flag('json')) {
      ctx.out(JSON.stringify(stats, null, 2));
    } else {
      ctx.out(
        limit !== undefined
          ? `${stats.images} images; the ${stats.tags.length} most frequent tags:`
          : `${stats.images} images, ${stats.tags.length} distinct tags:`,
      );
      const width = String(stats.tags[0]?.count ?? 0).length;
      for (const { tag, count } of stats.tags) ctx.out(`${String(count).padStart(width)}  ${tag}`);
    }
  } finally {
    db.close();
  }
  return 0;
}
