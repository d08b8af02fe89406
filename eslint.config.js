// Lint rules: typescript-eslint's recommended set plus the project's import boundaries.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'out/**', '.demo/**', '.tools/**', '.bench/**', 'test-results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-syntax': ['error', { selector: 'ExportDefaultDeclaration', message: 'Use named exports.' }],
    },
  },
  {
    // The core is plain Node: the CLI, workers and the extension all build on it. The protocol builds on
    // the core (its messages carry core types), so the core never imports it: shared types live in src/shared.
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'vscode', message: 'src/core must not depend on VS Code.' }],
          patterns: [
            {
              group: ['**/vscode/**', '**/cli/**', '**/webview/**', '**/workers/**'],
              message: 'src/core must not import front ends.',
            },
            {
              group: ['**/protocol/**'],
              message: 'src/core must not import src/protocol: put shared types in src/core or src/shared.',
            },
          ],
        },
      ],
    },
  },
  {
    // The CLI and the worker threads run in plain Node, outside VS Code.
    files: ['src/cli/**/*.ts', 'src/workers/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'vscode', message: 'The CLI and the workers run outside VS Code.' }],
          patterns: [
            {
              group: ['**/vscode/**', '**/webview/**'],
              message: 'The CLI and the workers must not import src/vscode or webviews.',
            },
          ],
        },
      ],
    },
  },
  {
    // Webviews run in the browser: they talk to the host only through src/protocol.
    files: ['webview/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'vscode', message: 'Webviews cannot use the VS Code API module.' }],
          patterns: [
            {
              group: ['**/src/core/**', '**/src/vscode/**', '**/src/cli/**', '**/src/workers/**', 'node:*'],
              message: 'Webviews may import only src/protocol and src/shared.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'vscode', message: 'src/shared runs in webviews too.' }],
          patterns: [
            {
              group: ['node:*', '**/src/core/**', '**/src/vscode/**', '../core/**', '../vscode/**'],
              message: 'src/shared is dependency-free.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/protocol/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'vscode', message: 'The protocol is shared with webviews and workers.' }],
          patterns: [
            {
              group: ['node:*', '**/src/vscode/**', '**/vscode/**'],
              message: 'The protocol has no runtime dependencies.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['eslint.config.js'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    // Injected into CommonJS bundles, where require and __filename exist.
    files: ['.ci/importMetaUrl.js'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', __filename: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['.ci/*.mjs'],
    languageOptions: { globals: { console: 'readonly', process: 'readonly' } },
  },
);
