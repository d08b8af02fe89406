/**
 * "Normalize Tags...", "Rename Tag..." and "Apply Tag Rules...": tag hygiene over the gallery's
 * selection or query as one undoable batch, previewed first. Each command takes its answers as an
 * optional argument (TagCommandArgs) and asks only for those missing, so the UI stays a thin layer
 * over runTagBatch.
 */
import * as vscode from 'vscode';
import { isAbsolute, join } from 'node:path';
import type { NormalizeOptions } from '../../core/tags/tagHygiene.ts';
import type { DatasetRegistry } from '../datasetRegistry.ts';
import type { DatasetSession } from '../datasetSession.ts';
import { registerPreviewDocuments } from './previewDocument.ts';
import { runTagBatch } from './tagBatch.ts';
import type { TagBatchResult } from './tagBatch.ts';
import { tagRulesFileSetting } from './tagSettings.ts';
import { tagTargets } from './tagTargets.ts';

/** Answers given in advance to a tag command (from another command, a keybinding or a test). */
export interface TagCommandArgs {
  /** The images: a query ('' for all), instead of the gallery's selection or query. */
  query?: string;
  /** Rename Tag: the tag to rename and its new name. */
  from?: string;
  to?: string;
  /** Normalize Tags: how. */
  normalize?: NormalizeOptions;
  /** Apply Tag Rules: a rules JSON or tagcomplete CSV (relative to the dataset). */
  rulesFile?: string;
  /** Apply without asking for confirmation. */
  confirm?: boolean;
}

type Choice<T> = vscode.QuickPickItem & { value: T };

/** Registers the tag commands, the preview documents, and passes tag setting changes to the data workers. */
export function registerTagCommands(context: vscode.ExtensionContext, registry: DatasetRegistry): void {
  const args = (value: unknown): TagCommandArgs =>
    typeof value === 'object' && value !== null ? (value as TagCommandArgs) : {};
  context.subscriptions.push(
    registerPreviewDocuments(),
    vscode.commands.registerCommand('tagbench.normalizeTags', (a?: unknown) => normalizeTags(registry, args(a))),
    vscode.commands.registerCommand('tagbench.renameTag', (a?: unknown) => renameTag(registry, args(a))),
    vscode.commands.registerCommand('tagbench.applyTagRules', (a?: unknown) => applyTagRules(registry, args(a))),
    vscode.workspace.onDidChangeConfiguration(async (e) => {
      for (const session of registry.all()) {
        if (!e.affectsConfiguration('tagbench', session.folder.uri)) continue;
        await session.reconfigure();
        if (e.affectsConfiguration('tagbench.tags.database', session.folder.uri)) await reportTagDatabase(session);
      }
    }),
  );
}

/** Warns when a dataset's tag database cannot be used. */
async function reportTagDatabase(session: DatasetSession): Promise<void> {
  const status = await (await session.data()).request('tagDatabaseStatus', {});
  if (status && 'error' in status)
    void vscode.window.showWarningMessage(`Tagbench: tag completion leaves out the tag database: ${status.error}`);
}

const NORMALIZE_CHOICES: Choice<NormalizeOptions>[] = [
  {
    label: 'Spaces, lower case',
    description: 'blue_eyes → blue eyes; escapes as written',
    value: { separator: 'space', lowercase: true, escapeParentheses: null },
  },
  {
    label: 'Spaces, lower case, escaped parentheses',
    description: 'name_(series) → name \\(series\\)',
    value: { separator: 'space', lowercase: true, escapeParentheses: true },
  },
  {
    label: 'Underscores, lower case',
    description: 'blue eyes → blue_eyes',
    value: { separator: 'underscore', lowercase: true, escapeParentheses: null },
  },
  {
    label: 'Lower case only',
    description: 'keep spaces and underscores as written',
    value: { separator: 'keep', lowercase: true, escapeParentheses: null },
  },
];

async function normalizeTags(registry: DatasetRegistry, args: TagCommandArgs): Promise<TagBatchResult | undefined> {
  const title = 'Normalize Tags';
  const targets = await tagTargets(registry, title, args.query);
  if (!targets) return undefined;
  const options =
    args.normalize ??
    (
      await vscode.window.showQuickPick(NORMALIZE_CHOICES, {
        title: `${title} in ${targets.label}`,
        placeHolder: 'How should tags be written? Duplicates are dropped either way.',
      })
    )?.value;
  if (!options) return undefined;
  return runTagBatch(
    targets.session,
    targets.selection,
    { kind: 'normalize', options },
    { targets: targets.label, ...(args.confirm ? { confirm: true } : {}) },
  );
}

async function renameTag(registry: DatasetRegistry, args: TagCommandArgs): Promise<TagBatchResult | undefined> {
  const title = 'Rename Tag';
  const targets = await tagTargets(registry, title, args.query);
  if (!targets) return undefined;
  const from =
    args.from ?? (await pickTag(targets.session, targets.query, `${title} in ${targets.label} (1/2): which tag?`));
  if (!from) return undefined;
  const to =
    args.to ??
    (await vscode.window.showInputBox({
      title: `${title} (2/2): "${from}" becomes`,
      value: from,
      valueSelection: [0, from.length],
      validateInput: (v) => tagProblem(v) ?? (v.trim() === from.trim() ? 'Type the new name.' : undefined),
    }));
  if (to === undefined) return undefined;
  const problem = tagProblem(from) ?? tagProblem(to);
  if (problem) {
    void vscode.window.showErrorMessage(`Tagbench: ${problem}`);
    return undefined;
  }
  return runTagBatch(
    targets.session,
    targets.selection,
    { kind: 'replaceTag', find: from.trim(), replace: to.trim(), regex: false },
    { targets: targets.label, ...(args.confirm ? { confirm: true } : {}) },
  );
}

async function applyTagRules(registry: DatasetRegistry, args: TagCommandArgs): Promise<TagBatchResult | undefined> {
  const title = 'Apply Tag Rules';
  const targets = await tagTargets(registry, title, args.query);
  if (!targets) return undefined;
  const file = args.rulesFile ?? (await pickRulesFile(targets.session, `${title} to ${targets.label}`));
  if (!file) return undefined;
  return runTagBatch(
    targets.session,
    targets.selection,
    { kind: 'applyRulesFile', file },
    { targets: targets.label, ...(args.confirm ? { confirm: true } : {}) },
  );
}

/** Why `text` is not one tag, or undefined when it is. */
function tagProblem(text: string): string | undefined {
  if (text.trim() === '') return 'A tag cannot be empty.';
  if (text.includes(',')) return 'One tag only: no commas.';
  return undefined;
}

/** A QuickPick of the tags the images have (most used first); what is typed can be taken as it is. */
async function pickTag(session: DatasetSession, query: string, title: string): Promise<string | undefined> {
  const pick = vscode.window.createQuickPick<Choice<string>>();
  pick.title = title;
  pick.placeholder = 'Type to filter the tags the images have';
  pick.matchOnDescription = false;
  pick.busy = true;
  let known: Choice<string>[] = [];
  const refresh = (): void => {
    const typed = pick.value.trim();
    const exact = known.some((k) => k.value === typed);
    pick.items =
      typed === '' || exact || tagProblem(typed)
        ? known
        : [...known, { label: typed, description: 'as typed', alwaysShow: true, value: typed }];
  };
  void (async () => {
    const stats = await (await session.data()).request('tagFrequencies', { query, limit: 5000 });
    known =
      'error' in stats
        ? []
        : stats.tags.map((t) => ({
            label: t.tag,
            description: `${t.count} image${t.count === 1 ? '' : 's'}`,
            value: t.tag,
          }));
    pick.busy = false;
    refresh();
  })();
  return new Promise((resolve) => {
    pick.onDidChangeValue(refresh);
    pick.onDidAccept(() => {
      resolve(pick.selectedItems[0]?.value);
      pick.hide();
    });
    pick.onDidHide(() => {
      resolve(undefined);
      pick.dispose();
    });
    pick.show();
  });
}

/** The rules file to apply: the one `tagbench.tags.rulesFile` names, or one the user chooses. */
async function pickRulesFile(session: DatasetSession, title: string): Promise<string | undefined> {
  const setting = tagRulesFileSetting(session.folder.uri);
  const choices: Choice<string | 'browse'>[] = [
    ...(setting ? [{ label: `$(file) ${setting}`, description: 'tagbench.tags.rulesFile', value: setting }] : []),
    {
      label: '$(folder-opened) Choose a rules file or tag database...',
      description: 'rules .json, or a tagcomplete .csv for its aliases',
      value: 'browse',
    },
  ];
  const picked = choices.length === 1 ? choices[0] : await vscode.window.showQuickPick(choices, { title });
  if (!picked) return undefined;
  if (picked.value !== 'browse') return picked.value;
  const defaultUri = setting
    ? vscode.Uri.file(isAbsolute(setting) ? setting : join(session.root, setting))
    : session.folder.uri;
  const files = await vscode.window.showOpenDialog({
    title,
    defaultUri,
    canSelectMany: false,
    filters: { 'Tag rules or tag database': ['json', 'csv'] },
  });
  return files?.[0]?.fsPath;
}
