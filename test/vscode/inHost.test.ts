/**
 * Runs test/vscode/host/*.test.ts inside VS Code's extension host against the installed .vsix, then
 * reports each of them here as a test of its own.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import Mocha from 'mocha';
import { runHostTests } from './hostTestRun.ts';
import type { HostRun } from './hostTestRun.ts';
import { makeSampleWorkspace } from './sampleWorkspace.ts';
import { vscodeSession } from './session.ts';

describe('in the extension host (packaged .vsix)', function () {
  let run: HostRun | undefined;

  before(async function () {
    this.timeout(300_000);
    const { server, browser, extensionDir, resultsDir } = vscodeSession();
    const dataset = await makeSampleWorkspace('host');
    const started = performance.now();
    const elapsed = (): string => `${((performance.now() - started) / 1000).toFixed(1)} s`;
    run = await runHostTests({
      server,
      browser,
      extensionDir,
      dataset: dataset.dir,
      datasetImages: dataset.images,
      logDir: join(resultsDir, 'host-logs'),
      onLine: (line) => console.log(`      [host +${elapsed()}] ${line}`),
    });
    console.log(`      [host +${elapsed()}] VS Code reported exit code ${run.exitCode}`);
    const suite = this.test?.parent;
    for (const result of run.results?.tests ?? []) {
      suite?.addTest(
        new Mocha.Test(`${result.title} [${Math.round(result.durationMs)} ms in host]`, function (this: Mocha.Context) {
          if (result.state === 'pending') this.skip();
          if (result.state === 'failed') throw new Error(result.error);
        }),
      );
    }
  });

  it('ran every in-host test and VS Code reported exit code 0', () => {
    assert.ok(run, 'the in-host run did not happen');
    const detail = run.errors.length > 0 ? `\nworkbench errors:\n${run.errors.slice(-20).join('\n')}` : '';
    assert.ok(run.results, `the in-host runner wrote no results (exit code ${run.exitCode})${detail}`);
    assert.ok(run.results.tests.length > 0, 'no in-host test ran');
    assert.equal(run.exitCode, 0, `VS Code reported exit code ${run.exitCode}${detail}`);
  });
});
