/**
 * Builds a per-platform .vsix in a staging folder under out/, so the checkout's dist/ (the development
 * build) is never touched and vsce never walks the repository's own caches (.tools/, .bench/, .demo/).
 *
 * 1. `out/package-<target>/build/` links to every top-level entry of the checkout except dist/; the
 *    production build (`.ci/build.mjs --production`) runs there and writes its own dist/.
 * 2. `out/package-<target>/extension/` gets package.json, README, LICENSE, media/, config/, models/,
 *    that dist/ and the runtime dependencies: copied from node_modules for this machine's platform,
 *    or installed from the lockfile with `npm ci --os --cpu` for another one.
 * 3. `vsce package --target <target>` runs there with .vscodeignore (its platform lines rewritten for
 *    the target) and writes `out/tagbench-<target>.vsix`.
 */
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { withLock } from './packageLock.ts';

/** The checkout's root folder. */
export const REPO = resolve(fileURLToPath(new URL('..', import.meta.url)));

/** How a vsce target names itself in npm and in better-sqlite3's prebuilds. */
interface TargetPlatform {
  os: string;
  cpu: string;
  libc?: 'glibc' | 'musl';
  /** better-sqlite3's prebuild name and sharp's package suffix, e.g. `linuxmusl-x64`. */
  binary: string;
}

const TARGETS: Readonly<Record<string, TargetPlatform>> = {
  'linux-x64': { os: 'linux', cpu: 'x64', libc: 'glibc', binary: 'linux-x64' },
  'linux-arm64': { os: 'linux', cpu: 'arm64', libc: 'glibc', binary: 'linux-arm64' },
  'alpine-x64': { os: 'linux', cpu: 'x64', libc: 'musl', binary: 'linuxmusl-x64' },
  'alpine-arm64': { os: 'linux', cpu: 'arm64', libc: 'musl', binary: 'linuxmusl-arm64' },
  'darwin-x64': { os: 'darwin', cpu: 'x64', binary: 'darwin-x64' },
  'darwin-arm64': { os: 'darwin', cpu: 'arm64', binary: 'darwin-arm64' },
  'win32-x64': { os: 'win32', cpu: 'x64', binary: 'win32-x64' },
  'win32-arm64': { os: 'win32', cpu: 'arm64', binary: 'win32-arm64' },
};

/** The vsce targets this project can be packaged for (those with better-sqlite3 and sharp binaries). */
export const SUPPORTED_TARGETS: readonly string[] = Object.keys(TARGETS);

/** Top-level entries of the checkout that the production build never reads. */
const NOT_BUILD_INPUTS = new Set(['dist', 'out', '.git', '.tools', '.bench', '.demo', 'test-results']);

/** Files and folders of the checkout that the .vsix is made from (besides node_modules). */
const PACKAGE_INPUTS = [
  'package.json',
  'package-lock.json',
  '.vscodeignore',
  'README.md',
  'LICENSE',
  'LICENSE.md',
  'src',
  'webview',
  'media',
  'config',
  'models',
  '.ci/build.mjs',
  '.ci/importMetaUrl.js',
  '.ci/vsixPackager.ts',
];

/** The vsce target of this machine, e.g. `linux-x64`. */
export function hostTarget(): string {
  const report = process.report.getReport() as { header?: { glibcVersionRuntime?: string } };
  const musl = process.platform === 'linux' && !report.header?.glibcVersionRuntime;
  return `${musl ? 'alpine' : process.platform}-${process.arch}`;
}

/** Where the .vsix for a target is written. */
export function vsixPathFor(target: string): string {
  return join(REPO, 'out', `tagbench-${target}.vsix`);
}

/** Whether the .vsix for a target is missing or older than anything it is made from. */
export function isVsixStale(target: string): boolean {
  const vsix = vsixPathFor(target);
  if (!existsSync(vsix)) return true;
  const built = statSync(vsix).mtimeMs;
  return PACKAGE_INPUTS.some((input) => newestMtime(join(REPO, input)) > built);
}

/** What packageExtension made. */
export interface PackageResult {
  vsix: string;
  bytes: number;
  durationMs: number;
  /** False when `ifStale` found an up-to-date .vsix (possibly made by another process meanwhile). */
  rebuilt: boolean;
}

/**
 * Builds the production bundles and packages them with the runtime dependencies for `target`; with
 * `ifStale`, only when the .vsix is stale. One process at a time per target; the .vsix is replaced
 * atomically, so a test run installing it never reads a half-written file.
 */
export function packageExtension(
  target: string = hostTarget(),
  log: (line: string) => void = console.log,
  options: { ifStale?: boolean } = {},
): PackageResult {
  const platform = TARGETS[target];
  if (!platform) throw new Error(`Cannot package for ${target}: the targets are ${SUPPORTED_TARGETS.join(', ')}.`);
  mkdirSync(join(REPO, 'out'), { recursive: true });
  return withLock(join(REPO, 'out', `.package-${target}.lock`), () => {
    const vsix = vsixPathFor(target);
    if (options.ifStale && !isVsixStale(target))
      return { vsix, bytes: statSync(vsix).size, durationMs: 0, rebuilt: false };
    return packageUnlocked(target, platform, log);
  });
}

function packageUnlocked(target: string, platform: TargetPlatform, log: (line: string) => void): PackageResult {
  const started = performance.now();
  const startedAt = new Date();
  const work = join(REPO, 'out', `package-${target}`);
  const build = join(work, 'build');
  const extension = join(work, 'extension');
  rmSync(work, { recursive: true, force: true });
  mkdirSync(build, { recursive: true });
  mkdirSync(extension, { recursive: true });

  log(`package: production build for ${target}`);
  for (const name of readdirSync(REPO)) {
    if (!NOT_BUILD_INPUTS.has(name)) symlinkSync(join(REPO, name), join(build, name));
  }
  run(process.execPath, [join(REPO, '.ci', 'build.mjs'), '--production'], build);

  for (const name of [
    'package.json',
    'package-lock.json',
    'README.md',
    'LICENSE',
    'LICENSE.md',
    'media',
    'config',
    'models',
  ]) {
    if (existsSync(join(REPO, name))) cpSync(join(REPO, name), join(extension, name), { recursive: true });
  }
  cpSync(join(build, 'dist'), join(extension, 'dist'), {
    recursive: true,
    filter: (source) => !source.endsWith('.map'),
  });

  if (target === hostTarget()) {
    log('package: copying the runtime dependencies from node_modules');
    copyRuntimeDependencies(REPO, extension);
  } else {
    log(`package: installing the runtime dependencies for ${platform.os}-${platform.cpu} from the lockfile`);
    const flags = [
      `--os=${platform.os}`,
      `--cpu=${platform.cpu}`,
      ...(platform.libc ? [`--libc=${platform.libc}`] : []),
    ];
    run(
      'npm',
      ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error', ...flags],
      extension,
    );
  }
  rmSync(join(extension, 'package-lock.json'), { force: true });

  const ignoreFile = join(work, 'vscodeignore');
  writeFileSync(ignoreFile, ignoreRulesFor(readFileSync(join(REPO, '.vscodeignore'), 'utf8'), platform.binary));

  const vsix = vsixPathFor(target);
  const partial = join(work, `tagbench-${target}.vsix`);
  const hasLicense = ['LICENSE', 'LICENSE.md', 'LICENSE.txt'].some((name) => existsSync(join(REPO, name)));
  log(`package: vsce package --target ${target}`);
  run(
    process.execPath,
    [
      join(REPO, 'node_modules', '@vscode', 'vsce', 'vsce'),
      'package',
      '--target',
      target,
      '--out',
      partial,
      '--ignoreFile',
      ignoreFile,
      '--no-rewrite-relative-links',
      '--allow-missing-repository',
      ...(hasLicense ? [] : ['--skip-license']),
    ],
    extension,
    true,
  );
  // Dated when packaging began, so a source edited meanwhile makes the .vsix stale.
  utimesSync(partial, startedAt, startedAt);
  renameSync(partial, vsix);
  const bytes = statSync(vsix).size;
  return { vsix, bytes, durationMs: performance.now() - started, rebuilt: true };
}

/** .vscodeignore with the `linux-x64` of each line under a `# platform` comment replaced by `binary`. */
export function ignoreRulesFor(rules: string, binary: string): string {
  const lines = rules.split('\n');
  // onnxruntime-node names its folders <os>/<cpu> (bin/napi-v6/linux/x64) rather than <os>-<cpu>.
  const ortFolder = binary.replace(/^linuxmusl-/, 'linux-').replace('-', '/');
  return lines
    .map((line, i) =>
      i > 0 && lines[i - 1]?.trim() === '# platform'
        ? line.replaceAll('linux-x64', binary).replaceAll('linux/x64', ortFolder)
        : line,
    )
    .join('\n');
}

/** Copies the packages that `dependencies` need at run time (installed optional ones included). */
function copyRuntimeDependencies(from: string, to: string): void {
  const manifest = readJson(join(from, 'package.json'));
  const queue = Object.keys(manifest.dependencies ?? {}).map((name) => ({ name, parent: from }));
  const copied = new Set<string>();
  for (let item = queue.shift(); item; item = queue.shift()) {
    const dir = locatePackage(item.name, item.parent, from);
    if (!dir || copied.has(dir)) continue;
    copied.add(dir);
    cpSync(dir, join(to, dir.slice(from.length)), { recursive: true });
    const pkg = readJson(join(dir, 'package.json'));
    for (const name of [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.optionalDependencies ?? {})]) {
      queue.push({ name, parent: dir });
    }
  }
}

/** Where Node would find package `name` from inside `parent`; undefined when it is not installed. */
function locatePackage(name: string, parent: string, root: string): string | undefined {
  for (let dir = parent; dir.startsWith(root); dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dir === root) break;
  }
  return undefined;
}

interface PackageJson {
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

function readJson(path: string): PackageJson {
  return JSON.parse(readFileSync(path, 'utf8')) as PackageJson;
}

/** The latest modification time of a file or of anything under a folder (0 when missing). */
function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const name of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, name)));
  return newest;
}

function run(command: string, args: readonly string[], cwd: string, quiet = false): void {
  const result = spawnSync(command, args, {
    cwd,
    stdio: quiet ? ['ignore', 'pipe', 'pipe'] : ['ignore', 'inherit', 'inherit'],
    encoding: 'utf8',
  });
  if (result.error) throw result.error;
  if (result.status !== 0) {
    const output = quiet ? `\n${result.stdout}${result.stderr}` : '';
    throw new Error(`${command} ${args.join(' ')} failed with exit code ${result.status}${output}`);
  }
}
