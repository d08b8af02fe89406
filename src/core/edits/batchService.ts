/**
 * Batch edits of one dataset as every front end uses them (the CLI directly, VS Code through the data
 * worker's DatasetService): a rules file turned into an action (with the dataset's tag frequencies
 * when the rules sort by them), plan, preview, apply (an empty plan writes nothing, no journal
 * either), plan-and-apply under one hold of the edit lock, undo and redo.
 */
import { isAbsolute, join, resolve } from 'node:path';
import type { Database } from 'better-sqlite3';
import { TAGBENCH_DIR } from '../dataset/datasetLayout.ts';
import { tagStats } from '../index/search.ts';
import { loadTagRulesFile } from '../tags/tagRules.ts';
import type { TagRules } from '../tags/tagRules.ts';
import { tagKey } from '../../shared/tags.ts';
import { applyBatch, planBatch } from './batchEdit.ts';
import type { BatchAction, BatchPlan, BatchResult, BatchRunOptions, BatchTarget } from './batchEdit.ts';
import { redoLastBatch, undoLastBatch } from './batchUndo.ts';
import { canRedoBatch, lastAppliedBatch } from './batchJournal.ts';
import { withEditLock } from './editLock.ts';

/** A batch action as front ends ask for it: any batch action, or the rules of a file (JSON rules or a tagcomplete CSV) to load. */
export type RequestedBatchAction = BatchAction | { kind: 'applyRulesFile'; file: string };

/** What a planned batch would do, as a preview shows it; `changes` holds at most the first `limit` files. */
export interface BatchPlanPreview {
  planId: string;
  summary: string;
  files: number;
  changed: number;
  changes: { path: string; before: string | null; after: string | null; accepted?: string[]; rejected?: string[] }[];
  /** True when the batch touches more files than the confirmation threshold, or moves files to the trash. */
  needsConfirmation: boolean;
}

/** The batch edits of one dataset over an open index connection. */
export class BatchService {
  readonly root: string;
  readonly db: Database;
  private readonly captionExtension: () => string;

  constructor(root: string, db: Database, captionExtension: string | (() => string)) {
    this.root = root;
    this.db = db;
    this.captionExtension = typeof captionExtension === 'string' ? () => captionExtension : captionExtension;
  }

  /** The action to plan: a rules file is loaded (relative to the dataset), throwing TagRulesError or TagCsvError for a bad one. */
  action(requested: RequestedBatchAction): BatchAction {
    return this.withFrequencies(this.load(requested));
  }

  /** Plans a batch over `targets`; nothing is written. */
  plan(targets: readonly BatchTarget[], requested: RequestedBatchAction): BatchPlan {
    return planBatch(this.root, targets, this.action(requested), this.captionExtension());
  }

  /** A plan as a preview shows it: counts and the first `limit` changes. */
  preview(plan: BatchPlan, limit: number, confirmThreshold: number): BatchPlanPreview {
    const trash = plan.action.kind === 'trash';
    const changes = trash
      ? plan.trash.slice(0, limit).map((t) => ({ path: t.path, before: t.path, after: null }))
      : plan.captions
          .slice(0, limit)
          .map((c) => ({ path: c.path, before: c.before, after: c.after, ...(c.reviewed ?? {}) }));
    const changed = trash ? plan.trash.length : plan.captions.length;
    return {
      planId: plan.id,
      summary: plan.summary,
      files: plan.files,
      changed,
      changes,
      needsConfirmation: changed > confirmThreshold || trash,
    };
  }

  /** Applies a plan (see applyBatch: under the edit lock, every file checked again; an empty plan writes nothing). */
  apply(plan: BatchPlan, options: BatchRunOptions = {}): BatchResult {
    return applyBatch(this.root, this.db, plan, options);
  }

  /**
   * Plans and applies in one hold of the edit lock, the targets resolved under it too: two of these at
   * once (two processes) run one after the other, the second planning from what the first wrote.
   */
  planAndApply(
    targets: () => readonly BatchTarget[],
    requested: RequestedBatchAction,
    options: BatchRunOptions = {},
  ): { plan: BatchPlan; result: BatchResult } {
    const action = this.load(requested);
    return withEditLock(this.root, lockOptions(options, 'a batch edit'), () => {
      const plan = this.plan(targets(), action);
      return { plan, result: this.apply(plan, options) };
    });
  }

  /** Undoes the most recent batch; undefined when there is none. */
  undo(options: BatchRunOptions = {}): BatchResult | undefined {
    return undoLastBatch(this.root, this.db, options);
  }

  /** Applies again the batch undone last; undefined when there is none. */
  redo(options: BatchRunOptions = {}): BatchResult | undefined {
    return redoLastBatch(this.root, this.db, options);
  }

  /** Whether there is a batch to undo. */
  canUndo(): boolean {
    return lastAppliedBatch(this.journalDir()) !== undefined;
  }

  /** Whether there is a batch to redo. */
  canRedo(): boolean {
    return canRedoBatch(this.journalDir());
  }

  /** Tag key -> images with the tag over the whole dataset, spellings and aliases of one tag added up (for `sort: frequency`). */
  frequencies(rules: Pick<TagRules, 'aliases'>): Record<string, number> {
    const counts = new Map<string, number>();
    for (const { tag, count } of tagStats(this.db).tags) {
      const key = Object.hasOwn(rules.aliases, tagKey(tag)) ? tagKey(rules.aliases[tagKey(tag)]!) : tagKey(tag);
      counts.set(key, (counts.get(key) ?? 0) + count);
    }
    return Object.fromEntries(counts);
  }

  /** The action with its rules file loaded (frequencies come at planning time, from the index as it is then). */
  private load(requested: RequestedBatchAction): BatchAction {
    if (requested.kind !== 'applyRulesFile') return requested;
    return {
      kind: 'applyRules',
      rules: loadTagRulesFile(isAbsolute(requested.file) ? requested.file : resolve(this.root, requested.file)),
    };
  }

  private withFrequencies(action: BatchAction): BatchAction {
    if (action.kind !== 'applyRules' || action.rules.sort !== 'frequency' || action.frequencies) return action;
    return { ...action, frequencies: this.frequencies(action.rules) };
  }

  private journalDir(): string {
    return join(this.root, TAGBENCH_DIR, 'journal');
  }
}

function lockOptions(options: BatchRunOptions, purpose: string): { purpose: string; timeoutMs?: number } {
  return {
    purpose: options.purpose ?? purpose,
    ...(options.lockTimeoutMs !== undefined ? { timeoutMs: options.lockTimeoutMs } : {}),
  };
}
