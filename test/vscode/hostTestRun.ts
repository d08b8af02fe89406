/**
 * Drives one run of the in-host tests: bundles them, opens a workbench window whose smoke-test payload
 * names the installed extension's folder as extensionDevelopmentPath (so VS Code loads the packaged
 * .vsix contents, not the checkout) and the runner as extensionTestsPath, and waits for VS Code to
 * call codeAutomationExit with the exit code.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';
import type { CodeServer } from './codeServer.ts';
import { bundleHostTests } from './hostTestBundle.ts';
import { HOST_LOG_PREFIX } from './hostContext.ts';
import type { HostContext, HostResults } from './hostContext.ts';
import { REPO } from './toolPaths.ts';

/** What runHostTests needs. */
export interface HostRunOptions {
  server: CodeServer;
  browser: BrowserContext;
  extensionDir: string;
  dataset: string;
  datasetImages: number;
  /** Called with each line the in-host runner logs. */
  onLine?: (line: string) => void;
  /** Where the workbench's log files (sent with codeAutomationExit) are written. */
  logDir: string;
  timeoutMs?: number;
  /** The test files to run in the host (default: test/vscode/host/*.test.ts). */
  files?: readonly string[];
}

/** The outcome of an in-host run. */
export interface HostRun {
  exitCode: number;
  results: HostResults | undefined;
  /** Milliseconds from opening the window until VS Code reported the exit code. */
  durationMs: number;
  /** The workbench's error lines, for diagnosing a run that failed before the tests. */
  errors: string[];
}

/** Runs the in-host tests once in a new window; never throws for test failures (see exitCode). */
export async function runHostTests(options: HostRunOptions): Promise<HostRun> {
  const outDir = join(REPO, 'out', 'vscode-host-tests', `run-${process.pid}-${Date.now()}`);
  mkdirSync(outDir, { recursive: true });
  const page = await options.browser.newPage();
  try {
    const runner = await bundleHostTests(outDir, options.files);
    const resultsFile = join(outDir, 'results.json');
    const context: HostContext = {
      extensionDir: options.extensionDir,
      dataset: options.dataset,
      datasetImages: options.datasetImages,
      resultsFile,
      repo: REPO,
    };
    writeFileSync(join(outDir, 'context.json'), JSON.stringify(context, null, 2));

    const errors: string[] = [];
    let reportExit: (code: number) => void = () => {};
    const exited = new Promise<number>((resolve) => (reportExit = resolve));
    await page.exposeFunction('codeAutomationLog', (level: string, message: unknown) => {
      const text = String(message);
      if (text.startsWith(HOST_LOG_PREFIX)) options.onLine?.(text.slice(HOST_LOG_PREFIX.length));
      else if (level === 'error') errors.push(text);
    });
    await page.exposeFunction(
      'codeAutomationExit',
      (code: number, logs?: Array<{ relativePath: string; contents: string }>) => {
        for (const log of logs ?? []) {
          const file = join(options.logDir, log.relativePath);
          mkdirSync(join(file, '..'), { recursive: true });
          writeFileSync(file, log.contents);
        }
        reportExit(code);
      },
    );

    const remote = `vscode-remote://127.0.0.1:${options.server.port}`;
    const payload: Array<[string, string]> = [
      ['extensionDevelopmentPath', `${remote}${options.extensionDir}`],
      ['extensionTestsPath', `${remote}${runner}`],
    ];
    const started = performance.now();
    await page.goto(options.server.workbenchUrl(options.dataset, payload));
    const timeoutMs = options.timeoutMs ?? 180_000;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<number>((resolve) => (timer = setTimeout(() => resolve(-1), timeoutMs)));
    const exitCode = await Promise.race([exited, timedOut]);
    clearTimeout(timer);
    if (exitCode === -1) errors.push(`VS Code did not report the end of the in-host tests within ${timeoutMs} ms`);
    const results = readResults(resultsFile);
    return { exitCode, results, durationMs: performance.now() - started, errors };
  } finally {
    await page.close().catch(() => {});
    rmSync(outDir, { recursive: true, force: true });
  }
}

function readResults(file: string): HostResults | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as HostResults;
  } catch {
    return undefined;
  }
}
