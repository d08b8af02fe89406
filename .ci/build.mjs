// Bundles the extension, its worker threads, the CLI and the webview apps with esbuild.
// Usage: node .ci/build.mjs [--production]   (--production: minified, no source maps)
import { build } from 'esbuild';
import { chmod, mkdir, copyFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';

const production = process.argv.includes('--production');
const external = ['better-sqlite3', 'sharp', 'onnxruntime-node', 'vscode'];
const node = {
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  external,
  logLevel: 'warning',
  // Source files use import.meta.url; in CommonJS bundles it becomes the bundle's own file URL.
  define: { 'import.meta.url': 'importMetaUrl' },
  inject: ['.ci/importMetaUrl.js'],
  outdir: 'dist',
  outExtension: { '.js': '.cjs' },
};

await Promise.all([
  build({ ...node, entryPoints: { cli: 'src/cli/bin.ts' }, banner: { js: '#!/usr/bin/env node' } }),
  build({
    ...node,
    entryPoints: {
      extension: 'src/extension.ts',
      indexWorker: 'src/workers/indexWorker.ts',
      dataWorker: 'src/workers/dataWorker.ts',
      jobWorker: 'src/workers/jobWorker.ts',
    },
  }),
  build({
    bundle: true,
    platform: 'browser',
    target: 'chrome120',
    format: 'esm',
    sourcemap: !production,
    minify: production,
    logLevel: 'warning',
    entryPoints: {
      ...(existsSync('webview/gallery/main.ts') ? { gallery: 'webview/gallery/main.ts' } : {}),
      ...(existsSync('webview/editors/imageEditorMain.ts')
        ? { imageEditor: 'webview/editors/imageEditorMain.ts', captionEditor: 'webview/editors/captionEditorMain.ts' }
        : {}),
    },
    outdir: 'dist/webview',
  }),
]);
await chmod('dist/cli.cjs', 0o755);
await mkdir('dist/webview', { recursive: true });
await copyFile('node_modules/@vscode/codicons/dist/codicon.css', 'dist/webview/codicon.css');
await copyFile('node_modules/@vscode/codicons/dist/codicon.ttf', 'dist/webview/codicon.ttf');
