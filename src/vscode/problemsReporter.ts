/**
 * Index problems in VS Code: a diagnostic per problem in the Problems panel (file and reason), and a
 * badge on the files in the Explorer and the Datasets tree.
 */
import * as vscode from 'vscode';
import { join } from 'node:path';
import type { Problem } from '../core/problems.ts';
import type { DatasetRegistry } from './datasetRegistry.ts';
import type { DatasetSession } from './datasetSession.ts';

/** Keeps diagnostics and file decorations in step with each dataset's recorded problems. */
export class ProblemsReporter implements vscode.FileDecorationProvider, vscode.Disposable {
  private readonly diagnostics = vscode.languages.createDiagnosticCollection('tagbench');
  private readonly decorations = new Map<string, vscode.FileDecoration>();
  private readonly byDataset = new Map<string, vscode.Uri[]>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri[]>();
  readonly onDidChangeFileDecorations = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(registry: DatasetRegistry) {
    this.disposables.push(
      vscode.window.registerFileDecorationProvider(this),
      registry.onDidChange((session) => void this.update(session)),
    );
    for (const session of registry.all()) void this.update(session);
  }

  provideFileDecoration(uri: vscode.Uri): vscode.FileDecoration | undefined {
    return this.decorations.get(uri.toString());
  }

  /** Reloads one dataset's problems. */
  async update(session: DatasetSession): Promise<void> {
    const problems = await (await session.data()).request('problems', {});
    const previous = this.byDataset.get(session.root) ?? [];
    for (const uri of previous) {
      this.diagnostics.delete(uri);
      this.decorations.delete(uri.toString());
    }
    const byFile = new Map<string, { uri: vscode.Uri; problems: Problem[] }>();
    for (const p of problems) {
      const uri = vscode.Uri.file(join(session.root, p.path));
      const entry = byFile.get(uri.toString()) ?? { uri, problems: [] };
      entry.problems.push(p);
      byFile.set(uri.toString(), entry);
    }
    const uris: vscode.Uri[] = [];
    for (const { uri, problems: list } of byFile.values()) {
      uris.push(uri);
      this.diagnostics.set(
        uri,
        list.map((p) => {
          const d = new vscode.Diagnostic(
            new vscode.Range(0, 0, 0, 0),
            p.message,
            p.severity === 'error' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning,
          );
          d.source = 'Tagbench';
          d.code = p.kind;
          return d;
        }),
      );
      const error = list.some((p) => p.severity === 'error');
      this.decorations.set(
        uri.toString(),
        new vscode.FileDecoration(
          error ? '!' : '?',
          list.map((p) => p.message).join('\n'),
          new vscode.ThemeColor(error ? 'list.errorForeground' : 'list.warningForeground'),
        ),
      );
    }
    this.byDataset.set(session.root, uris);
    this.changed.fire([...previous, ...uris]);
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
    this.diagnostics.dispose();
    this.changed.dispose();
  }
}
