/**
 * The VS Code test session shared by every test of one `npm run test:vscode` run: the packaged .vsix
 * installed into a fresh code-server profile, the server (smoke-test driver on) and a headless browser.
 * Everything lives in one scratch folder that stop() removes; the server log is kept in test-results/.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { launchBrowser } from './browser.ts';
import { installExtension, prepareProfile, startCodeServer } from './codeServer.ts';
import type { CodeServer } from './codeServer.ts';
import { freshVsix } from './packagedExtension.ts';
import { checkTools, RESULTS_DIR } from './toolPaths.ts';

/** A running VS Code test session. */
export interface VscodeSession {
  server: CodeServer;
  browser: BrowserContext;
  /** The packaged .vsix that was installed. */
  vsix: string;
  /** Where code-server unpacked it. */
  extensionDir: string;
  /** A scratch folder for this run (datasets go in here). */
  scratch: string;
  /** Where this run's screenshots and logs go. */
  resultsDir: string;
}

let session: VscodeSession | undefined;
let cleanup: Array<() => Promise<void> | void> = [];

/** The running session; throws when the root hooks did not start one. */
export function vscodeSession(): VscodeSession {
  if (!session)
    throw new Error(
      'No VS Code session: run these tests with `npm run test:vscode` (test/vscode/rootHooks.ts starts it).',
    );
  return session;
}

/** Checks the tools, packages (if stale) and installs the .vsix, starts code-server and the browser. */
export async function startSession(log: (line: string) => void = console.log): Promise<VscodeSession> {
  checkTools();
  const vsix = freshVsix(log);
  const scratch = mkdtempSync(join(tmpdir(), 'tagbench-vscode-'));
  cleanup.push(() => rmSync(scratch, { recursive: true, force: true }));
  const resultsDir = join(RESULTS_DIR, 'vscode');
  rmSync(resultsDir, { recursive: true, force: true });
  mkdirSync(resultsDir, { recursive: true });

  const profile = prepareProfile(join(scratch, 'profile'));
  let started = performance.now();
  const extensionDir = installExtension(profile, vsix);
  log(`vscode tests: installed the .vsix into ${extensionDir} in ${ms(started)}`);

  const server = await startCodeServer({ profileDir: profile.root, smokeTestDriver: true });
  cleanup.unshift(async () => {
    await server.stop();
    if (existsSync(server.profile.logFile)) copyFileSync(server.profile.logFile, join(resultsDir, 'code-server.log'));
  });
  log(`vscode tests: code-server answered on ${server.origin} after ${Math.round(server.startMs)} ms`);

  started = performance.now();
  const browser = await launchBrowser(join(scratch, 'browser'));
  cleanup.unshift(() => browser.close());
  log(`vscode tests: chromium started in ${ms(started)}`);
  session = { server, browser, vsix, extensionDir, scratch, resultsDir };
  return session;
}

/** Closes the browser, stops the server (its whole process group) and removes the scratch folder. */
export async function stopSession(): Promise<void> {
  session = undefined;
  const steps = cleanup;
  cleanup = [];
  for (const step of steps) {
    try {
      await step();
    } catch (err) {
      console.error(`vscode tests: clean-up failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}

function ms(since: number): string {
  return `${Math.round(performance.now() - since)} ms`;
}
