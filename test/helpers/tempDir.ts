/** Temporary folders for tests, removed after each test file. */
import { mkdtempSync, rmSync, chmodSync, readdirSync, lstatSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const created: string[] = [];

/** A new empty folder under the system temp folder. */
export function makeTempDir(prefix = 'tagbench-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  created.push(dir);
  return dir;
}

/** Removes every folder made by makeTempDir so far (restoring permissions first). */
export function removeTempDirs(): void {
  for (const dir of created.splice(0)) {
    makeWritable(dir);
    rmSync(dir, { recursive: true, force: true });
  }
}

function makeWritable(dir: string): void {
  try {
    chmodSync(dir, 0o777);
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      const stat = lstatSync(path);
      if (stat.isSymbolicLink()) continue;
      chmodSync(path, 0o777);
      if (stat.isDirectory()) makeWritable(path);
    }
  } catch {
    // best effort
  }
}
