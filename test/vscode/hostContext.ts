/** What the driver tells the in-host tests (written as context.json beside the bundled runner) and what they report back. */

/** Facts about the run that in-host tests need. */
export interface HostContext {
  /** The folder code-server installed the packaged .vsix into; the extension must load from here. */
  extensionDir: string;
  /** The workspace folder (a generated sample dataset). */
  dataset: string;
  /** How many images the sample dataset holds. */
  datasetImages: number;
  /** Where the runner writes its HostResults as JSON. */
  resultsFile: string;
  /** The checkout (for reading package.json). */
  repo: string;
}

/** One in-host test's outcome. */
export interface HostTestResult {
  title: string;
  state: 'passed' | 'failed' | 'pending';
  durationMs: number;
  error?: string;
}

/** Everything the runner reports. */
export interface HostResults {
  tests: HostTestResult[];
  failures: number;
  durationMs: number;
}

/** Prefix of the runner's own log lines, to tell them apart from the workbench's log in codeAutomationLog. */
export const HOST_LOG_PREFIX = '[tagbench-host] ';

/** Logs a line from inside the extension host that the driver prints (through codeAutomationLog). */
export function hostLog(line: string): void {
  console.log(`${HOST_LOG_PREFIX}${line}`);
}

const CONTEXT_KEY = Symbol.for('tagbench.hostContext');

/** The context of the current in-host run (set by the runner before the tests load). */
export function hostContext(): HostContext {
  const context = (globalThis as Record<symbol, unknown>)[CONTEXT_KEY] as HostContext | undefined;
  if (!context)
    throw new Error('No in-host test context: these tests run inside VS Code through test/vscode/hostRunner.ts.');
  return context;
}

/** Makes `context` what hostContext() returns. */
export function setHostContext(context: HostContext): void {
  (globalThis as Record<symbol, unknown>)[CONTEXT_KEY] = context;
}
