/**
 * `tagbench undo DIR`: undoes the dataset's most recent batch edit that is not undone yet;
 * `tagbench redo DIR`: applies again the batch undone last (until a new batch is applied).
 */
import { openDatasetIndex } from '../../core/index/datasetIndex.ts';
import { BatchService } from '../../core/edits/batchService.ts';
import type { BatchResult } from '../../core/edits/batchEdit.ts';
import { stopMessage } from '../../core/edits/batchFiles.ts';
import type { CommandContext } from '../commandContext.ts';
import { cliStopHints, lockWait } from './tagsCommand.ts';

/** Undoes the last batch and reports what was restored; exits 1 when files changed since were left alone. */
export function runUndoCommand(ctx: CommandContext): number {
  return runReplay(ctx, 'undo');
}

/** Redoes the batch undone last and reports what changed again; exits 1 when files changed since were left alone. */
export function runRedoCommand(ctx: CommandContext): number {
  return runReplay(ctx, 'redo');
}

function runReplay(ctx: CommandContext, what: 'undo' | 'redo'): number {
  const dir = ctx.positional(0, 'DIR');
  ctx.noMorePositionals(1);
  const { db, root } = openDatasetIndex(dir);
  try {
    const batches = new BatchService(root, db, '.txt');
    const options = { purpose: `tagbench ${what}`, ...lockWait(ctx) };
    const result = what === 'undo' ? batches.undo(options) : batches.redo(options);
    if (!result) {
      if (ctx.flag('json'))
        ctx.out(
          JSON.stringify(
            { batch: null, summary: null, changed: 0, unchanged: 0, conflicts: 0, moved: 0, sidecars: 0, problems: [] },
            null,
            2,
          ),
        );
      else ctx.out(`There is no batch edit to ${what} in ${dir}.`);
      return 0;
    }
    return report(ctx, result, what, dir);
  } finally {
    db.close();
  }
}

function report(ctx: CommandContext, result: BatchResult, what: 'undo' | 'redo', dir: string): number {
  const { sidecars } = result;
  const error = result.stopped ? stopMessage(result.stopped, what, cliStopHints(dir)) : undefined;
  if (ctx.flag('json')) {
    ctx.out(
      JSON.stringify(
        {
          batch: result.id,
          summary: result.summary,
          changed: result.changed,
          unchanged: result.unchanged,
          conflicts: result.conflicts.length,
          moved: result.moved,
          sidecars,
          problems: result.conflicts,
          outcome: result.outcome,
          ...(result.stopped ? { stopped: result.stopped, error } : {}),
        },
        null,
        2,
      ),
    );
  } else {
    for (const c of result.conflicts) ctx.err(`tagbench: ${c.path} ${c.reason}.`);
    const parts = [`${result.changed} ${what === 'undo' ? 'restored' : 'changed again'}`];
    if (result.unchanged) parts.push(`${result.unchanged} already as ${what === 'undo' ? 'before' : 'after'}`);
    if (result.conflicts.length)
      parts.push(`${result.conflicts.length} conflict${result.conflicts.length === 1 ? '' : 's'}`);
    if (sidecars) parts.push(`${sidecars} sidecar${sidecars === 1 ? '' : 's'} updated`);
    ctx.out(`${result.summary}: ${parts.join(', ')}.`);
    if (what === 'undo' && result.moved)
      ctx.out(`Files were moved back; run "tagbench index ${dir}" to see them in the index.`);
    if (what === 'undo' && result.changed > 0) ctx.out(`Redo it with: tagbench redo ${dir}`);
    if (error) ctx.err(`tagbench: ${error}`);
  }
  return result.conflicts.length > 0 || result.stopped ? 1 : 0;
}
