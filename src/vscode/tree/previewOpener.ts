/**
 * Opening files from the Datasets tree the way the Explorer does: a single click opens a preview tab
 * (replacing the previous preview, focus stays in the tree); a double click keeps the editor open
 * (pinned) and focuses it. VS Code tells only its own `vscode.open` which of the two a click was, and
 * that command cannot pick a custom editor, so a double click is recognised here as the tree's
 * second open of the same file within DOUBLE_CLICK_MS (VS Code opens once per click of the pair).
 * Editing a preview pins it too (VS Code keeps dirty editors pinned).
 */
import * as vscode from 'vscode';

/** Longest gap between the two opens of one double click, in ms (desktop double-click times are 400 to 500 ms). */
export const DOUBLE_CLICK_MS = 600;

/** Opens files from a tree in preview tabs, pinned on a double click. */
export class PreviewOpener {
  private last: { uri: string; at: number } | undefined;
  private readonly now: () => number;

  constructor(now: () => number = () => performance.now()) {
    this.now = now;
  }

  /** Opens `uri` with the editor `viewType` (or the default editor when undefined). */
  async open(uri: vscode.Uri, viewType?: string): Promise<void> {
    const at = this.now();
    const pin = this.last !== undefined && this.last.uri === uri.toString() && at - this.last.at <= DOUBLE_CLICK_MS;
    this.last = pin ? undefined : { uri: uri.toString(), at };
    const options: vscode.TextDocumentShowOptions = { preview: !pin, preserveFocus: !pin };
    if (viewType) await vscode.commands.executeCommand('vscode.openWith', uri, viewType, options);
    else await vscode.commands.executeCommand('vscode.open', uri, options);
  }
}
