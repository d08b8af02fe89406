/** `tagbench undo DIR`: undoes the dataset's most recent batch edit that is not undone yet. */
import { openDatasetIndex } from '../../core/index/datasetIndex.ts';
import { undoLastBatch } from '../../core/edits/batchEdit.ts';
import type { CommandContext } from '../commandContext.ts';

/** Undoes the last batch and reports what was restored; exits 1 when files changed since were left alone. */
export function runUndoCommand(ctx: CommandContext): number {
  const dir = ctx.positional(0, 'DIR');
  ctx.noMorePositionals(1);
  const { db, root } = openDatasetIndex(dir);
  try {
    const result = undoLastBatch(root, db);
    if (!result) {
      if (ctx.flag('json')) ctx.out(JSON.stringify({ batch: null, summary: null, changed: 0, unchanged: 0, conflicts: 0, moved: 0, sidecars: 0, problems: [] }, null, 2));
      else ctx.out(`There is no batch edit to undo in ${dir}.`);
      return 0;
    }
    const { sidecars } = result;
    if (ctx.flag('json')) {
      ctx.out(JSON.stringify({
        batch: result.id, summary: result.summary, changed: result.changed, unchanged: result.unchanged,
        conflicts: result.conflicts.length, moved: result.moved, sidecars, problems: result.conflicts,
      }, null, 2));
    } else {
      for (const c of result.conflicts) ctx.err(`tagbench: ${c.path} ${c.reason}.`);
      const parts = [`${result.changed} restored`];
      if (result.unchanged) parts.push(`${result.unchanged} already as before`);
      if (result.conflicts.length) parts.push(`${result.conflicts.length} conflict${result.conflicts.length === 1 ? '' : 's'}`);
      if (sidecars) parts.push(`${sidecars} sidecar${sidecars === 1 ? '' : 's'} updated`);
      ctx.out(`${result.summary}: ${parts.join(', ')}.`);
      if (result.moved) ctx.out(`Files were moved back; run "tagbench index ${dir}" to see them in the index.`);
    }
    return result.conflicts.length > 0 ? 1 : 0;
  } finally {
    db.close();
  }
}
