/**
 * `tagbench tags DIR normalize|rename|apply-rules|accept|reject ... [QUERY]`: tag hygiene, or a review
 * of model suggestions, over the dataset or the images a query matches, as one undoable batch planned
 * and applied under the dataset's edit lock (two runs at once take turns). `--dry-run` prints what
 * would change and writes nothing. Sidecars that list tags are kept in step with the captions a batch writes.
 */
import { resolve } from 'node:path';
import type { Database } from 'better-sqlite3';
import { openDatasetIndex } from '../../core/index/datasetIndex.ts';
import { searchImages } from '../../core/index/search.ts';
import { datasetLayout } from '../../core/dataset/datasetLayout.ts';
import { normalizeSettings, readDatasetSettings } from '../../core/dataset/datasetSettings.ts';
import type { BatchPlan, BatchResult, BatchTarget } from '../../core/edits/batchEdit.ts';
import { BatchService } from '../../core/edits/batchService.ts';
import { stopMessage } from '../../core/edits/batchFiles.ts';
import type { CaptionEdit } from '../../core/edits/captionEdits.ts';
import type { ReviewSuggestionsAction } from '../../core/edits/reviewBatch.ts';
import { loadTagRulesFile, TagRulesError } from '../../core/tags/tagRules.ts';
import type { TagRules } from '../../core/tags/tagRules.ts';
import { TagCsvError } from '../../core/tags/tagcompleteCsv.ts';
import { splitCaption, tagKey } from '../../shared/tags.ts';
import type { CommandContext } from '../commandContext.ts';
import { UsageError, withQueryContext } from '../cliError.ts';

const ACTIONS = 'normalize, rename OLD NEW, apply-rules FILE, accept or reject';

/** Plans a tag batch, then prints its preview (--dry-run) or applies it and reports. */
export function runTagsCommand(ctx: CommandContext): number {
  const dir = ctx.positional(0, 'DIR');
  const verb = ctx.positional(1, `an action (${ACTIONS})`);
  const { action, queryFrom } = tagAction(ctx, verb);
  const query = ctx.rest(queryFrom).join(' ');
  const { db, root } = openDatasetIndex(dir);
  try {
    const settings = normalizeSettings({
      ...readDatasetSettings(datasetLayout(root).settingsFile),
      ...ctx.settingsOverrides(),
    });
    const batches = new BatchService(root, db, settings.captionExtension);
    const targets = (): BatchTarget[] => withQueryContext(query, () => allMatches(db, query));
    if (ctx.flag('dry-run')) return printPreview(ctx, batches.plan(targets(), action));
    const { plan, result } = batches.planAndApply(targets, action, {
      purpose: `tagbench tags ${verb}`,
      ...lockWait(ctx),
    });
    return printResult(ctx, plan, result, dir);
  } finally {
    db.close();
  }
}

/** The batch action a `tags` verb asks for, and where its query starts among the positionals. */
function tagAction(
  ctx: CommandContext,
  verb: string,
): { action: CaptionEdit | ReviewSuggestionsAction; queryFrom: number } {
  switch (verb) {
    case 'normalize':
      return {
        action: {
          kind: 'normalize',
          options: {
            separator: ctx.flag('keep-underscores') ? 'keep' : 'space',
            lowercase: true,
            escapeParentheses: ctx.flag('no-escape') ? false : null,
          },
        },
        queryFrom: 2,
      };
    case 'rename': {
      const from = ctx.positional(2, 'OLD (the tag to rename)');
      const to = ctx.positional(3, 'NEW (its new name)');
      for (const [name, tag] of [
        ['OLD', from],
        ['NEW', to],
      ] as const) {
        if (tagKey(tag) === '') throw new UsageError(`${name} must be a tag, not "${tag}".`);
        if (tag.includes(',')) throw new UsageError(`${name} must be one tag; "${tag}" has a comma.`);
      }
      return { action: { kind: 'replaceTag', find: from, replace: to.trim(), regex: false }, queryFrom: 4 };
    }
    case 'apply-rules': {
      const file = ctx.positional(2, 'FILE (tag rules JSON or a tagcomplete CSV)');
      let rules: TagRules;
      try {
        rules = loadTagRulesFile(resolve(file));
      } catch (err) {
        if (err instanceof TagRulesError || err instanceof TagCsvError) throw new UsageError(err.message);
        throw err;
      }
      return { action: { kind: 'applyRules', rules }, queryFrom: 3 };
    }
    case 'accept':
    case 'reject': {
      const action: ReviewSuggestionsAction = {
        kind: 'reviewSuggestions',
        decision: verb,
        underscores: ctx.flag('keep-underscores') ? 'keep' : 'spaces',
      };
      const model = ctx.string('model');
      const min = ctx.decimal('min', 0, 1);
      const below = ctx.decimal('below', 0, 1);
      if (model) action.model = model;
      if (min !== undefined) action.minConfidence = min;
      if (below !== undefined) action.belowConfidence = below;
      return { action, queryFrom: 2 };
    }
    default:
      throw new UsageError(`Unknown tags action "${verb}"; use ${ACTIONS}.`);
  }
}

/** Every image the query matches (the whole dataset for an empty query), in its order. */
function allMatches(db: Database, query: string): BatchTarget[] {
  const targets: BatchTarget[] = [];
  let cursor: string | undefined;
  do {
    const page = searchImages(db, query, { limit: 10_000, ...(cursor ? { cursor } : {}) });
    for (const item of page.items) targets.push({ id: item.id, path: item.path });
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return targets;
}

function printPreview(ctx: CommandContext, plan: BatchPlan): number {
  const changed = plan.captions.length;
  const unchanged = plan.files - changed - plan.skipped.length;
  if (ctx.flag('json')) {
    ctx.out(
      JSON.stringify(
        {
          dryRun: true,
          batch: null,
          summary: plan.summary,
          changed,
          unchanged,
          conflicts: 0,
          skipped: plan.skipped.length,
          problems: plan.skipped,
          changes: plan.captions.map((c) => ({
            path: c.path,
            before: c.before,
            after: c.after,
            ...(c.reviewed ?? {}),
          })),
        },
        null,
        2,
      ),
    );
    return 0;
  }
  for (const c of plan.captions) {
    if (c.reviewed)
      ctx.out(
        `${c.reviewed.accepted.length ? c.path : c.sidecar!.path}: ${c.reviewed.accepted.length ? `accept ${c.reviewed.accepted.join(', ')}` : `reject ${c.reviewed.rejected.join(', ')}`}`,
      );
    else ctx.out(`${c.path}: ${describeChange(c.before ?? '', c.after)}`);
  }
  for (const s of plan.skipped) ctx.err(`skipped ${s.path}: ${s.reason}`);
  ctx.out(
    `Dry run of "${plan.summary}": ${changed} caption${changed === 1 ? '' : 's'} would change, ${unchanged} would not${plan.skipped.length ? `, ${plan.skipped.length} skipped` : ''}; nothing was written.`,
  );
  return 0;
}

function printResult(ctx: CommandContext, plan: BatchPlan, result: BatchResult, dir: string): number {
  const sidecars = result.sidecars;
  const skipped = plan.skipped.length;
  const conflicts = result.conflicts.length - skipped;
  const error = result.stopped ? stopMessage(result.stopped, 'batch', cliStopHints(dir)) : undefined;
  if (ctx.flag('json')) {
    ctx.out(
      JSON.stringify(
        {
          dryRun: false,
          batch: result.changed > 0 ? result.id : null,
          summary: result.summary,
          changed: result.changed,
          unchanged: result.unchanged,
          conflicts,
          skipped,
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
    const parts = [`${result.unchanged} unchanged`];
    if (conflicts) parts.push(`${conflicts} conflict${conflicts === 1 ? '' : 's'}`);
    if (skipped) parts.push(`${skipped} skipped`);
    if (sidecars) parts.push(`${sidecars} sidecar${sidecars === 1 ? '' : 's'} updated`);
    ctx.out(`${result.outcome} (${parts.join(', ')}).`);
    if (result.changed > 0) ctx.out(`Batch ${result.id}; undo it with: tagbench undo ${dir}`);
    if (error) ctx.err(`tagbench: ${error}`);
  }
  return conflicts > 0 || result.stopped ? 1 : 0;
}

/** `--wait SECONDS`: how long to wait for another writer of the dataset (default: the edit lock's 30 s). */
export function lockWait(ctx: CommandContext): { lockTimeoutMs?: number } {
  const seconds = ctx.decimal('wait', 0, 86_400);
  return seconds === undefined ? {} : { lockTimeoutMs: seconds * 1000 };
}

/** How the CLI's stop messages name undo and re-indexing. */
export function cliStopHints(dir: string): { undo: string; index: string } {
  return { undo: `"tagbench undo ${dir}"`, index: `"tagbench index ${dir}"` };
}

/** A caption change as the tags it loses and gains (`a, b -> c`), or `(reordered)`. */
export function describeChange(before: string, after: string): string {
  const old = splitCaption(before).parts;
  const now = splitCaption(after).parts;
  const removed = old.filter((p) => !now.includes(p));
  const added = now.filter((p) => !old.includes(p));
  if (removed.length === 0 && added.length === 0) return `(reordered) ${now.join(', ')}`;
  if (removed.length === 0) return `+ ${added.join(', ')}`;
  if (added.length === 0) return `- ${removed.join(', ')}`;
  return `${removed.join(', ')} -> ${added.join(', ')}`;
}
