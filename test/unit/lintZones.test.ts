/**
 * The import zones of eslint.config.js, checked with ESLint's own API on small snippets under file
 * names in each zone: every forbidden arrow is reported, and the allowed ones are not.
 */
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';

const REPO = fileURLToPath(new URL('../..', import.meta.url));

/** [file it pretends to be, import specifier, whether the zone forbids it]. */
const CASES: [string, string, boolean][] = [
  ['src/core/service/x.ts', '../../protocol/galleryProtocol.ts', true],
  ['src/core/x.ts', 'vscode', true],
  ['src/core/x.ts', '../vscode/settings.ts', true],
  ['src/core/x.ts', '../cli/main.ts', true],
  ['src/core/x.ts', '../workers/workerPool.ts', true],
  ['src/core/x.ts', '../shared/tags.ts', false],
  ['src/core/x.ts', 'node:fs', false],
  ['src/cli/commands/x.ts', 'vscode', true],
  ['src/cli/commands/x.ts', '../../vscode/settings.ts', true],
  ['src/cli/x.ts', '../core/query/parser.ts', false],
  ['src/workers/x.ts', 'vscode', true],
  ['src/workers/x.ts', '../vscode/workerClient.ts', true],
  ['src/workers/x.ts', '../protocol/rpc.ts', false],
  ['src/workers/x.ts', '../core/service/datasetService.ts', false],
  ['webview/gallery/x.ts', '../../src/core/query/parser.ts', true],
  ['webview/gallery/x.ts', '../../src/vscode/settings.ts', true],
  ['webview/gallery/x.ts', 'node:fs', true],
  ['webview/gallery/x.ts', 'vscode', true],
  ['webview/gallery/x.ts', '../../src/protocol/rpc.ts', false],
  ['webview/gallery/x.ts', '../../src/shared/sortKeys.ts', false],
  ['src/shared/x.ts', 'node:fs', true],
  ['src/shared/x.ts', '../core/query/parser.ts', true],
  ['src/protocol/x.ts', 'vscode', true],
  ['src/protocol/x.ts', 'node:fs', true],
  ['src/protocol/x.ts', '../shared/tags.ts', false],
];

describe('lint import zones', function () {
  this.timeout(60_000);

  it('forbid exactly the imports each zone rules out', async () => {
    const eslint = new ESLint({ cwd: REPO });
    const wrong: string[] = [];
    for (const [file, specifier, forbidden] of CASES) {
      const code = `import * as m from '${specifier}';\nexport const used = m;\n`;
      const [result] = await eslint.lintText(code, { filePath: `${REPO}/${file}` });
      const fatal = result!.messages.filter((m) => m.fatal);
      assert.deepEqual(fatal, [], `${file}: ${JSON.stringify(fatal)}`);
      const reported = result!.messages.some((m) => m.ruleId === 'no-restricted-imports');
      if (reported !== forbidden)
        wrong.push(`${file} importing ${specifier}: ${reported ? 'reported' : 'not reported'}`);
    }
    assert.deepEqual(wrong, []);
  });
});
