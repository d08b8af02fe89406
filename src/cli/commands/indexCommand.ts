/** `tagbench index DIR` and `tagbench rebuild DIR`: create, update or rebuild a dataset's index. */
import { indexDataset } from '../../core/index/indexer.ts';
import type { IndexSummary } from '../../core/index/indexer.ts';
import { ProgressBar } from '../progressBar.ts';
import type { CommandContext } from '../commandContext.ts';

/** Runs an indexing pass and prints its summary. */
export async function runIndexCommand(ctx: CommandContext, rebuild: boolean): Promise<number> {
  const dir = ctx.positional(0, 'DIR');
  ctx.noMorePositionals(1);
  const bar = new ProgressBar();
  const controller = new AbortController();
  const onSignal = (): void => controller.abort();
  process.once('SIGINT', onSignal);
  let summary: IndexSummary;
  try {
    summary = await indexDataset(dir, {
      rebuild,
      thumbnails: !ctx.flag('no-thumbs'),
      force: ctx.flag('force'),
      ...(ctx.number('concurrency') !== undefined ? { concurrency: ctx.number('concurrency') } : {}),
      settings: ctx.settingsOverrides(),
      signal: controller.signal,
      onProgress: (p) => {
        if (p.phase === 'scan') bar.phase('scanning');
        else if (p.phase === 'read') {
          if (p.done === 0) bar.phase('indexing');
          bar.update(p.done, p.total, p.done === p.total);
        }
      },
    });
  } finally {
    process.off('SIGINT', onSignal);
    bar.done();
  }
  for (const message of summary.messages) ctx.err(message);
  if (ctx.flag('json')) {
    ctx.out(JSON.stringify(summary, null, 2));
  } else {
    const parts = [`${summary.images} images`, `${summary.new} new`, `${summary.changed} changed`];
    if (summary.moved) parts.push(`${summary.moved} moved`);
    parts.push(`${summary.removed} removed`);
    if (summary.captionsChanged) parts.push(`${summary.captionsChanged} captions changed`);
    parts.push(
      `${summary.problems} problems${summary.problems ? ` (${summary.errors} errors, ${summary.warnings} warnings)` : ''}`,
    );
    ctx.out(
      `${summary.cancelled ? 'Cancelled: ' : ''}${parts.join(', ')} in ${(summary.durationMs / 1000).toFixed(1)} s.`,
    );
    if (summary.problems) ctx.out(`See them with: tagbench problems ${dir}`);
  }
  return summary.cancelled ? 130 : 0;
}
