/** Runs the built `tagbench` CLI (dist/cli.cjs) as a real process. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Path of the built CLI. */
export const CLI = fileURLToPath(new URL('../../dist/cli.cjs', import.meta.url));

/** What a CLI run printed and returned. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `tagbench ...args` with the current Node. */
export function runCli(
  args: readonly string[],
  options: { uid?: number; gid?: number; env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...options.env },
      ...(options.cwd ? { cwd: options.cwd } : {}),
      ...(options.uid !== undefined ? { uid: options.uid, gid: options.gid ?? options.uid } : {}),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/**
 * Runs `tagbench ...args` with one of its output pipes closed by the reader before the CLI writes to
 * it (as `tagbench ... | head -1` does once head has its line); resolves with the exit code and what
 * reached the other stream.
 */
export function runCliIntoClosedPipe(
  args: readonly string[],
  closed: 'stdout' | 'stderr',
): Promise<{ code: number | null; signal: NodeJS.Signals | null; other: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    child[closed].destroy();
    let other = '';
    child[closed === 'stdout' ? 'stderr' : 'stdout'].setEncoding('utf8').on('data', (d: string) => (other += d));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, other }));
  });
}

/** Runs the CLI as another user (the test runs as root). */
export function runCliAs(uid: number, args: readonly string[]): Promise<CliResult> {
  return runCli(args, { uid, gid: uid, env: { HOME: '/tmp' } });
}
