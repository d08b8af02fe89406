/**
 * The export folder question: an input box that starts at a folder next to the dataset, checks each
 * path as it is typed with the same core check the command line uses (showing the reason), offers a
 * folder browser that opens beside the dataset, and asks before exporting into a folder that is not
 * empty.
 */
import * as vscode from 'vscode';
import { homedir } from 'node:os';
import { basename, dirname, isAbsolute, join } from 'node:path';
import type { ExportFolderCheck } from '../../core/export/exportFolder.ts';
import type { DatasetSession } from '../datasetSession.ts';

/** The chosen folder (its real path), and whether the user agreed to export into a folder that is not empty. */
export interface ExportFolderAnswer {
  out: string;
  force: boolean;
}

/** A folder next to the dataset that can take the export: `<dataset>-export`, else `-export-2` ... (the first if none can). */
export async function defaultExportFolder(session: DatasetSession, format: string): Promise<string> {
  const data = await session.data();
  const parent = dirname(session.root);
  const base = basename(session.root);
  for (let n = 1; n <= 9; n++) {
    const candidate = join(parent, `${base}-export${n === 1 ? '' : `-${n}`}`);
    if (!(await data.request('checkExportFolder', { out: candidate, format })).problem) return candidate;
  }
  return join(parent, `${base}-export`);
}

const expandHome = (path: string): string =>
  path === '~' || path.startsWith('~/') ? join(homedir(), path.slice(1)) : path;

/** Asks where to export; undefined when the user backs out. */
export async function askExportFolder(
  session: DatasetSession,
  format: string,
  title: string,
): Promise<ExportFolderAnswer | undefined> {
  const data = await session.data();
  const initial = await defaultExportFolder(session, format);
  return new Promise((resolve) => {
    const box = vscode.window.createInputBox();
    box.title = title;
    box.value = initial;
    box.prompt = 'A new or empty folder outside the dataset, or an earlier export of this format. Enter exports here.';
    box.ignoreFocusOut = true;
    box.buttons = [{ iconPath: new vscode.ThemeIcon('folder-opened'), tooltip: 'Browse...' }];
    let checked: { value: string; check: ExportFolderCheck | undefined } | undefined;
    let sequence = 0;
    let away = false;
    let finished = false;

    const finish = (answer: ExportFolderAnswer | undefined): void => {
      if (finished) return;
      finished = true;
      resolve(answer);
      box.dispose();
    };
    const validate = async (value: string): Promise<void> => {
      const mine = ++sequence;
      const path = expandHome(value.trim());
      let check: ExportFolderCheck | undefined;
      let message: string | vscode.InputBoxValidationMessage | undefined;
      if (!path) message = 'Type the folder to export to.';
      else if (!isAbsolute(path)) message = `Give the full path of a folder, e.g. ${initial}.`;
      else {
        box.busy = true;
        try {
          check = await data.request('checkExportFolder', { out: path, format });
        } catch (err) {
          message = (err as Error).message;
        }
        if (mine !== sequence) return;
        box.busy = false;
        if (check?.problem) {
          message = check.forceable
            ? {
                message: `${check.problem.replace(/ or pass --force\.$/, '.').replace(/; choose an empty folder or pass --force\.$/, '.')} Enter asks before exporting into it.`,
                severity: vscode.InputBoxValidationSeverity.Warning,
              }
            : check.problem;
        }
      }
      if (mine !== sequence) return;
      checked = { value, check: message === undefined || (check?.forceable ?? false) ? check : undefined };
      box.validationMessage = message;
    };

    box.onDidChangeValue((value) => void validate(value));
    box.onDidTriggerButton(async () => {
      away = true;
      const picked = await vscode.window.showOpenDialog({
        title,
        defaultUri: vscode.Uri.file(dirname(session.root)),
        canSelectFiles: false,
        canSelectFolders: true,
        canSelectMany: false,
        openLabel: 'Export Here',
      });
      away = false;
      box.show();
      if (picked?.[0]) {
        box.value = picked[0].fsPath;
        await validate(box.value);
      }
    });
    box.onDidAccept(async () => {
      if (checked?.value !== box.value) await validate(box.value);
      const check = checked?.check;
      if (!check) return;
      if (!check.problem) return finish({ out: check.out, force: false });
      if (!check.forceable) return;
      const detail = /holds a/.test(check.problem)
        ? "The files of that export are replaced by this one's."
        : 'The files already there stay, except those this export writes under the same names.';
      away = true;
      const choice = await vscode.window.showWarningMessage(
        check.problem.replace(/;[^;]*pass --force\.$/, '.'),
        { modal: true, detail },
        'Export Anyway',
      );
      away = false;
      if (choice === 'Export Anyway') finish({ out: check.out, force: true });
      else box.show();
    });
    box.onDidHide(() => {
      if (!away) finish(undefined);
    });
    box.show();
    void validate(box.value);
  });
}
