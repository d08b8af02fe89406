/**
 * Runs inside VS Code's extension host (bundled to hostRunner.cjs; VS Code calls run() because the
 * payload's extensionTestsPath points at it). Loads the bundled `*.test.cjs` beside it into mocha,
 * logs one line per test through the console (VS Code forwards it to codeAutomationLog) and writes
 * the results as JSON for the driver. A failing test makes run() reject, so the exit code is non-zero.
 */
import Mocha from 'mocha';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hostLog as log, setHostContext } from './hostContext.ts';
import type { HostContext, HostResults, HostTestResult } from './hostContext.ts';

/** The entry point VS Code calls for extension tests. */
export async function run(): Promise<void> {
  const dir = dirname(fileURLToPath(import.meta.url));
  const context = JSON.parse(readFileSync(join(dir, 'context.json'), 'utf8')) as HostContext;
  setHostContext(context);
  const started = performance.now();
  const tests: HostTestResult[] = [];
  const mocha = new Mocha({
    ui: 'bdd',
    timeout: 60_000,
    color: false,
    reporter: reporterFor(tests),
    forbidOnly: true,
    forbidPending: true,
  });
  for (const name of readdirSync(dir)
    .filter((file) => file.endsWith('.test.cjs'))
    .sort())
    mocha.addFile(join(dir, name));

  const failures = await new Promise<number>((resolve) => mocha.run(resolve));
  const results: HostResults = { tests, failures, durationMs: performance.now() - started };
  writeFileSync(context.resultsFile, JSON.stringify(results, null, 2));
  log(`${tests.filter((t) => t.state === 'passed').length} passed, ${failures} failed`);
  if (failures > 0) throw new Error(`${failures} in-host test(s) failed`);
}

/** A mocha reporter that records each test and logs a line for it. */
function reporterFor(tests: HostTestResult[]): Mocha.ReporterConstructor {
  const { EVENT_TEST_PASS, EVENT_TEST_FAIL, EVENT_TEST_PENDING } = Mocha.Runner.constants;
  return class HostReporter extends Mocha.reporters.Base {
    constructor(runner: Mocha.Runner, options?: Mocha.MochaOptions) {
      super(runner, options);
      runner.on(EVENT_TEST_PASS, (test) => {
        tests.push({ title: test.fullTitle(), state: 'passed', durationMs: test.duration ?? 0 });
        log(`ok ${test.fullTitle()} (${test.duration ?? 0} ms)`);
      });
      runner.on(EVENT_TEST_FAIL, (test, err: Error) => {
        const error = err.stack ?? err.message;
        tests.push({ title: test.fullTitle(), state: 'failed', durationMs: test.duration ?? 0, error });
        log(`FAILED ${test.fullTitle()}: ${error}`);
      });
      runner.on(EVENT_TEST_PENDING, (test) => {
        tests.push({ title: test.fullTitle(), state: 'pending', durationMs: 0 });
        log(`skipped ${test.fullTitle()}`);
      });
    }
  };
}
