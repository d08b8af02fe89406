/** VS Code's own measurement of an extension's activation, from its "Developer: Startup Performance" document. */
import * as vscode from 'vscode';

/** One row of the document's "Extension Activation Stats" table. */
export interface ActivationStats {
  eager: boolean;
  loadCodeMs: number;
  callActivateMs: number;
  finishActivateMs: number;
  event: string;
}

/** Opens the Startup Performance document, reads the extension's row and closes it again. */
export async function activationStats(extensionId: string, timeoutMs = 20_000): Promise<ActivationStats> {
  await vscode.commands.executeCommand('perfview.show');
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      // The document says "Loading..." until the workbench has finished restoring.
      const text = vscode.workspace.textDocuments.find((doc) => doc.uri.scheme === 'perf')?.getText() ?? '';
      const row = text.split('\n').find((line) => line.startsWith(`| ${extensionId} `));
      if (row) {
        const cells = row
          .split('|')
          .slice(1, -1)
          .map((cell) => cell.trim());
        return {
          eager: cells[1] === 'true',
          loadCodeMs: Number(cells[2]),
          callActivateMs: Number(cells[3]),
          finishActivateMs: Number(cells[4]),
          event: cells[5] ?? '',
        };
      }
      if (Date.now() > deadline)
        throw new Error(`${extensionId} is not in the Startup Performance document:\n${text.slice(0, 2000)}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  } finally {
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  }
}
