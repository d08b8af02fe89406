/** The tag settings (`tagbench.tags.*`) of one dataset, read fresh each time. */
import * as vscode from 'vscode';

/** The tagcomplete CSV that completes tags beside the dataset's own (as written: relative paths are relative to the dataset), or null. */
export function tagDatabaseSetting(folder: vscode.Uri): string | null {
  return vscode.workspace.getConfiguration('tagbench', folder).get<string>('tags.database')?.trim() || null;
}

/** The default file for Apply Tag Rules (as written), or null. */
export function tagRulesFileSetting(folder: vscode.Uri): string | null {
  return vscode.workspace.getConfiguration('tagbench', folder).get<string>('tags.rulesFile')?.trim() || null;
}
