/** The commands the extension registers match what its manifest declares. */
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activeTagbench, tagbenchExtension } from './extensionUnderTest.ts';

interface Manifest {
  contributes?: {
    commands?: Array<{ command: string }>;
    views?: Record<string, Array<{ id: string }>>;
  };
}

describe('commands', () => {
  before(async () => {
    await activeTagbench();
  });

  it('registers every command package.json declares', async () => {
    const manifest = tagbenchExtension().packageJSON as Manifest;
    const commands = new Set(await vscode.commands.getCommands(true));
    const missing = (manifest.contributes?.commands ?? []).map((c) => c.command).filter((id) => !commands.has(id));
    assert.deepEqual(missing, [], 'declared but not registered');
  });

  it('registers only tagbench.* commands that package.json declares', async () => {
    const manifest = tagbenchExtension().packageJSON as Manifest;
    const declared = new Set((manifest.contributes?.commands ?? []).map((c) => c.command));
    // VS Code itself adds `<view id>.focus`, `.open`, `.toggleVisibility`... for every contributed view.
    const viewIds = Object.values(manifest.contributes?.views ?? {})
      .flat()
      .map((view) => `${view.id}.`);
    const registered = (await vscode.commands.getCommands(true)).filter((id) => id.startsWith('tagbench.'));
    const undeclared = registered.filter((id) => !declared.has(id) && !viewIds.some((prefix) => id.startsWith(prefix)));
    assert.deepEqual(undeclared, [], 'registered but not declared in package.json');
  });
});
