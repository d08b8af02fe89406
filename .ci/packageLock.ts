/** A lock folder that lets one process at a time package a target (test runs and `npm run package` may overlap). */
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** Runs `work` while holding the lock folder `dir`; waits (up to `timeoutMs`) while a live process holds it. */
export function withLock<T>(dir: string, work: () => T, timeoutMs = 600_000): T {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      mkdirSync(dir);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      if (!holderAlive(dir)) {
        rmSync(dir, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline)
        throw new Error(`${dir} is still held by another process after ${timeoutMs} ms`, { cause: err });
      Atomics.wait(sleeper, 0, 0, 250);
    }
  }
  writeFileSync(join(dir, 'pid'), String(process.pid));
  try {
    return work();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Whether the process that wrote the lock still runs (a lock made in the last 10 s without its pid yet counts as held). */
function holderAlive(dir: string): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(join(dir, 'pid'), 'utf8'));
  } catch {
    try {
      return Date.now() - statSync(dir).mtimeMs < 10_000;
    } catch {
      return false;
    }
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
