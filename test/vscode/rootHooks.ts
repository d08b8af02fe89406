/**
 * Mocha root hooks for `npm run test:vscode`: one VS Code session (packaged .vsix, code-server, chromium)
 * for the whole run, a screenshot of every open workbench after each test, and a clean stop even when
 * tests fail.
 */
import type { Context } from 'mocha';
import { startSession, stopSession } from './session.ts';
import { screenshotOpenWorkbenches } from './workbench.ts';

/** The hooks mocha picks up from a `--require`d module. */
export const mochaHooks = {
  async beforeAll(this: Context): Promise<void> {
    this.timeout(600_000);
    try {
      await startSession();
    } catch (err) {
      await stopSession();
      throw err;
    }
  },
  async afterEach(this: Context): Promise<void> {
    const title = this.currentTest?.fullTitle() ?? 'test';
    await screenshotOpenWorkbenches(title);
  },
  async afterAll(this: Context): Promise<void> {
    this.timeout(60_000);
    await stopSession();
  },
};
