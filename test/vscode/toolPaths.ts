/** Where the real VS Code (code-server) and the browser the tests drive are, and a check that they are there. */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The checkout's root folder. */
export const REPO = resolve(fileURLToPath(new URL('../..', import.meta.url)));

/** The code-server version `.ci/setup` installs into .tools/code-server. */
export const CODE_SERVER_VERSION = '4.139.1';

/** code-server's entry script (run with Node 24). */
export const CODE_SERVER_ENTRY = join(
  REPO,
  '.tools',
  'code-server',
  'node_modules',
  'code-server',
  'out',
  'node',
  'entry.js',
);

/** Debian's chromium, driven by playwright-core (which never downloads a browser here). */
export const CHROMIUM = '/usr/bin/chromium';

/** Where tests keep screenshots and logs (git-ignored, kept as CI artifacts). */
export const RESULTS_DIR = join(REPO, 'test-results');

/** Throws a clear error when code-server, chromium or Node 24 is missing: `.ci/setup` installs them. */
export function checkTools(): void {
  const problems: string[] = [];
  const major = Number(process.versions.node.split('.')[0]);
  if (major < 24)
    problems.push(
      `Node ${process.versions.node} runs this; code-server needs Node 24 (run through npm so node_modules/.bin/node is used)`,
    );
  const manifest = join(REPO, '.tools', 'code-server', 'node_modules', 'code-server', 'package.json');
  if (!existsSync(CODE_SERVER_ENTRY) || !existsSync(manifest)) {
    problems.push('code-server is not installed in .tools/code-server');
  } else {
    const version = (JSON.parse(readFileSync(manifest, 'utf8')) as { version?: string }).version;
    if (version !== CODE_SERVER_VERSION)
      problems.push(`.tools/code-server holds code-server ${version}, not ${CODE_SERVER_VERSION}`);
  }
  if (!existsSync(CHROMIUM)) problems.push(`${CHROMIUM} is missing (Debian package chromium)`);
  if (problems.length > 0) {
    throw new Error(
      `The VS Code tests cannot run: ${problems.join('; ')}. Run \`sh .ci/setup\` (npm test does) first.`,
    );
  }
}
