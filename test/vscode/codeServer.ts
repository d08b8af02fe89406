/**
 * Starting and stopping a real VS Code server (code-server) on 127.0.0.1 with its own profile folder:
 * user data, extensions, XDG folders, TMPDIR and config all live there, so nothing lands in the home
 * directory. The server runs in its own process group, which stop() ends as a whole.
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CODE_SERVER_ENTRY } from './toolPaths.ts';
import { freePort } from './freePort.ts';
import { QUIET_USER_SETTINGS } from './userSettings.ts';

/** The folders of a code-server profile. */
export interface CodeServerProfile {
  root: string;
  userDataDir: string;
  extensionsDir: string;
  configFile: string;
  logFile: string;
  env: NodeJS.ProcessEnv;
}

/** How to start code-server. */
export interface CodeServerOptions {
  /** The profile folder (created if missing; kept by stop()). */
  profileDir: string;
  /** A port to use, or the first free one after it; a free one the system picks when absent. */
  port?: number;
  /** The workspace folder the server opens by default. */
  folder?: string;
  /** Turns on VS Code's smoke-test driver (needed for in-host tests through the `payload` parameter). */
  smokeTestDriver?: boolean;
  /** Milliseconds to wait for the server to answer (default 30 s). */
  startTimeoutMs?: number;
}

/** A running code-server. */
export interface CodeServer {
  port: number;
  /** `http://127.0.0.1:PORT`: what the browser must use (the payload's remote authority depends on it). */
  origin: string;
  profile: CodeServerProfile;
  /** Milliseconds from spawning until the server answered. */
  startMs: number;
  /** The workbench URL for a folder, with an optional smoke-test payload. */
  workbenchUrl(folder: string, payload?: ReadonlyArray<readonly [string, string]>): string;
  /** What the server printed so far. */
  log(): string;
  /** Settles with the exit code when the server process ends. */
  exited: Promise<number | null>;
  /** Ends the server's process group and waits for it. Safe to call twice. */
  stop(): Promise<void>;
}

/** The profile folders under `root` (created), with the environment that points code-server at them. */
export function prepareProfile(root: string): CodeServerProfile {
  const dirs = {
    userDataDir: join(root, 'user-data'),
    extensionsDir: join(root, 'extensions'),
    data: join(root, 'xdg', 'data'),
    config: join(root, 'xdg', 'config'),
    cache: join(root, 'xdg', 'cache'),
    tmp: join(root, 'tmp'),
  };
  for (const dir of Object.values(dirs)) mkdirSync(dir, { recursive: true });
  const settingsDir = join(dirs.userDataDir, 'User');
  mkdirSync(settingsDir, { recursive: true });
  const settingsFile = join(settingsDir, 'settings.json');
  const existing = existsSync(settingsFile)
    ? (JSON.parse(readFileSync(settingsFile, 'utf8')) as Record<string, unknown>)
    : {};
  writeFileSync(settingsFile, `${JSON.stringify({ ...existing, ...QUIET_USER_SETTINGS }, null, 2)}\n`);
  const configFile = join(root, 'config.yaml');
  writeFileSync(configFile, 'auth: none\ncert: false\n');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    EXTENSIONS_GALLERY: '{}',
    XDG_DATA_HOME: dirs.data,
    XDG_CONFIG_HOME: dirs.config,
    XDG_CACHE_HOME: dirs.cache,
    TMPDIR: dirs.tmp,
  };
  // $PORT would override --bind-addr; a password would turn authentication on; VSCODE_* variables of
  // an outer VS Code would make the CLI talk to that one.
  for (const key of Object.keys(env)) {
    if (key === 'PORT' || key === 'PASSWORD' || key === 'HASHED_PASSWORD' || key.startsWith('VSCODE_')) delete env[key];
  }
  return {
    root,
    userDataDir: dirs.userDataDir,
    extensionsDir: dirs.extensionsDir,
    configFile,
    logFile: join(root, 'code-server.log'),
    env,
  };
}

/** Installs a .vsix into the profile's extensions folder; returns the folder it was unpacked into. */
export function installExtension(profile: CodeServerProfile, vsix: string): string {
  const before = new Set(existsSync(profile.extensionsDir) ? readdirSync(profile.extensionsDir) : []);
  const result = spawnSync(
    process.execPath,
    [CODE_SERVER_ENTRY, ...profileArgs(profile), '--force', '--install-extension', vsix],
    {
      env: profile.env,
      encoding: 'utf8',
      timeout: 120_000,
    },
  );
  const output = `${result.stdout}${result.stderr}`;
  if (result.status !== 0 || !/successfully installed/i.test(output)) {
    throw new Error(`code-server could not install ${vsix} (exit ${result.status}):\n${output}`);
  }
  const manifest = JSON.parse(readFileSync(join(profile.extensionsDir, 'extensions.json'), 'utf8')) as Array<{
    identifier: { id: string };
    relativeLocation?: string;
  }>;
  const entry = manifest.find((e) => e.identifier.id === 'tagbench.tagbench');
  const folder =
    entry?.relativeLocation ??
    readdirSync(profile.extensionsDir).find((name) => name.startsWith('tagbench.tagbench-') && !before.has(name));
  if (!folder)
    throw new Error(
      `code-server reported installing ${vsix} but tagbench.tagbench is not in ${profile.extensionsDir}:\n${output}`,
    );
  return join(profile.extensionsDir, folder);
}

/** Starts code-server and waits until it answers on its port. */
export async function startCodeServer(options: CodeServerOptions): Promise<CodeServer> {
  const profile = prepareProfile(options.profileDir);
  const port = await freePort(options.port);
  const args = [
    CODE_SERVER_ENTRY,
    '--auth',
    'none',
    '--bind-addr',
    `127.0.0.1:${port}`,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--reconnection-grace-time',
    '5',
    ...profileArgs(profile),
    '--config',
    profile.configFile,
    ...(options.smokeTestDriver ? ['--vscode-option', 'enable-smoke-test-driver'] : []),
    ...(options.folder ? [options.folder] : []),
  ];
  const started = performance.now();
  const child = spawn(process.execPath, args, { env: profile.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const logStream = createWriteStream(profile.logFile, { flags: 'a' });
  let output = '';
  const collect = (chunk: Buffer): void => {
    output += chunk.toString('utf8');
    logStream.write(chunk);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const killOnExit = (): void => killGroup(child, 'SIGKILL');
  process.once('exit', killOnExit);

  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    process.removeListener('exit', killOnExit);
    if (child.exitCode === null && child.signalCode === null) {
      killGroup(child, 'SIGTERM');
      const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    killGroup(child, 'SIGKILL'); // whatever the server started and left behind in its group
    await new Promise<void>((resolve) => logStream.end(resolve));
  };

  const origin = `http://127.0.0.1:${port}`;
  try {
    await waitForServer(origin, exited, options.startTimeoutMs ?? 30_000);
    // The health check can be answered by an older server on the same port: this one must have bound it.
    await waitFor(() => /EADDRINUSE/.test(output) || output.includes(`HTTP server listening on ${origin}`), 5000);
    if (/EADDRINUSE/.test(output)) throw new Error(`port ${port} is taken (EADDRINUSE)`);
  } catch (err) {
    await stop();
    throw new Error(
      `code-server did not start on ${origin}: ${err instanceof Error ? err.message : String(err)}\n${output}`,
      { cause: err },
    );
  }
  const startMs = performance.now() - started;
  return {
    port,
    origin,
    profile,
    startMs,
    workbenchUrl(folder, payload) {
      const query = `folder=${encodeURIComponent(folder).replaceAll('%2F', '/')}`;
      return `${origin}/?${query}${payload ? `&payload=${encodeURIComponent(JSON.stringify(payload))}` : ''}`;
    },
    log: () => output,
    exited,
    stop,
  };
}

function profileArgs(profile: CodeServerProfile): string[] {
  return ['--user-data-dir', profile.userDataDir, '--extensions-dir', profile.extensionsDir];
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // the group is gone already
  }
}

async function waitForServer(origin: string, exited: Promise<number | null>, timeoutMs: number): Promise<void> {
  let exitCode: number | null | undefined;
  void exited.then((code) => (exitCode = code));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exitCode !== undefined) throw new Error(`it exited with code ${exitCode}`);
    try {
      const response = await fetch(`${origin}/healthz`, { signal: AbortSignal.timeout(2000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await delay(100);
  }
  throw new Error(`no answer within ${timeoutMs} ms`);
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) await delay(50);
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
