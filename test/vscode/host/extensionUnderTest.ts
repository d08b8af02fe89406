/** The Tagbench extension as VS Code loaded it, for the in-host tests. */
import * as vscode from 'vscode';
import type { TagbenchApi } from '../../../src/extension.ts';

/** The Tagbench extension (active or not). */
export function tagbenchExtension(): vscode.Extension<TagbenchApi> {
  const extension = vscode.extensions.getExtension<TagbenchApi>('tagbench.tagbench');
  if (!extension) throw new Error('VS Code does not know the extension tagbench.tagbench');
  return extension;
}

/** The Tagbench extension once VS Code has activated it by itself; throws after `timeoutMs`. */
export async function activeTagbench(timeoutMs = 30_000): Promise<vscode.Extension<TagbenchApi>> {
  const extension = tagbenchExtension();
  const deadline = Date.now() + timeoutMs;
  while (!extension.isActive) {
    if (Date.now() > deadline) throw new Error(`tagbench.tagbench was not activated within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return extension;
}
