// Bundles the CLI (and later the extension, workers and webviews) with esbuild.
import { build } from 'esbuild';
import { chmod } from 'node:fs/promises';

const external = ['better-sqlite3', 'sharp', 'onnxruntime-node', 'vscode'];
const shared = {
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'cjs',
  sourcemap: true,
  external,
  logLevel: 'warning',
  // Source files use import.meta.url; in CommonJS bundles it becomes the bundle's own file URL.
  define: { 'import.meta.url': 'importMetaUrl' },
  inject: ['.ci/importMetaUrl.js'],
};

await build({
  ...shared,
  entryPoints: { cli: 'src/cli/bin.ts' },
  outdir: 'dist',
  outExtension: { '.js': '.cjs' },
  banner: { js: '#!/usr/bin/env node' },
});
await chmod('dist/cli.cjs', 0o755);
