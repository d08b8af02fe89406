/** Bundles the in-host runner and `test/vscode/host/*.test.ts` with esbuild: the extension host cannot load .ts files. */
import { build } from 'esbuild';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from './toolPaths.ts';

/** The in-host test files (absolute paths). */
export function hostTestFiles(): string[] {
  const dir = join(REPO, 'test', 'vscode', 'host');
  return readdirSync(dir)
    .filter((name) => name.endsWith('.test.ts'))
    .sort()
    .map((name) => join(dir, name));
}

/**
 * Writes hostRunner.cjs and one `<name>.test.cjs` per test file into `outDir`, which must be inside the
 * checkout so that `require('mocha')` finds node_modules. Not minified and without source maps (the
 * extension host's own stack formatting ignores them), so stack traces name the bundled test file and
 * its readable code. `files` defaults to the in-host tests (benchmarks pass their own). Returns the runner's path.
 */
export async function bundleHostTests(outDir: string, files: readonly string[] = hostTestFiles()): Promise<string> {
  await build({
    entryPoints: [join(REPO, 'test', 'vscode', 'hostRunner.ts'), ...files],
    outdir: outDir,
    entryNames: '[name]',
    outExtension: { '.js': '.cjs' },
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    external: ['vscode', 'mocha', 'better-sqlite3', 'sharp'],
    define: { 'import.meta.url': 'importMetaUrl' },
    inject: [join(REPO, '.ci', 'importMetaUrl.js')],
    logLevel: 'warning',
  });
  return join(outDir, 'hostRunner.cjs');
}
