/**
 * The `tagbench.imageEditor.defaultInDatasets` setting: when on, images in this workspace open with
 * the Tagbench Image Editor by default (through workspace `workbench.editorAssociations` entries,
 * which are removed again when it is turned off). The editor keeps priority "option" otherwise.
 */
import * as vscode from 'vscode';
import { IMAGE_EDITOR_VIEW_TYPE } from './imageEditorProvider.ts';

const PATTERNS = [
  '*.png',
  '*.jpg',
  '*.jpeg',
  '*.webp',
  '*.gif',
  '*.bmp',
  '*.tif',
  '*.tiff',
  '*.avif',
  '*.PNG',
  '*.JPG',
  '*.JPEG',
  '*.WEBP',
];
const SETTING = 'tagbench.imageEditor.defaultInDatasets';

/** Applies the setting now and whenever it changes. */
export function registerEditorAssociation(context: vscode.ExtensionContext): void {
  const apply = (): void => {
    if (!vscode.workspace.workspaceFolders?.length) return;
    const on = vscode.workspace.getConfiguration().get<boolean>(SETTING) ?? false;
    const config = vscode.workspace.getConfiguration('workbench');
    const current = { ...(config.inspect<Record<string, string>>('editorAssociations')?.workspaceValue ?? {}) };
    let changed = false;
    for (const pattern of PATTERNS) {
      if (on && current[pattern] !== IMAGE_EDITOR_VIEW_TYPE) {
        current[pattern] = IMAGE_EDITOR_VIEW_TYPE;
        changed = true;
      } else if (!on && current[pattern] === IMAGE_EDITOR_VIEW_TYPE) {
        delete current[pattern];
        changed = true;
      }
    }
    if (changed)
      void config.update(
        'editorAssociations',
        Object.keys(current).length > 0 ? current : undefined,
        vscode.ConfigurationTarget.Workspace,
      );
  };
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(SETTING)) apply();
    }),
  );
  if (vscode.workspace.getConfiguration().get<boolean>(SETTING)) apply();
}
