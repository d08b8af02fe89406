/**
 * Temporary files of atomic writes (atomicWrite.ts) that a crash or a kill left behind. Only names
 * Tagbench makes are considered, and only those no live writer can still be using: the writer named
 * in the file is gone (same host), or the file is old enough that no write takes that long.
 */
import { readdirSync, rmSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { ATOMIC_TEMP_NAME, OLD_ATOMIC_TEMP_NAME } from './atomicWrite.ts';
import { hostTag, pidAlive } from './processIdentity.ts';

/** A temporary file in the old format (no writer in its name) counts as stray after this long. */
export const OLD_TEMP_AGE_MS = 3600_000;

/** A temporary file of another host, or of a pid taken by a live process, counts as stray after this long. */
export const STALE_TEMP_AGE_MS = 24 * 3600_000;

/** Whether a file name is one of Tagbench's atomic-write temporary names (current or old format). */
export function isAtomicTempName(name: string): boolean {
  return ATOMIC_TEMP_NAME.test(name) || OLD_ATOMIC_TEMP_NAME.test(name);
}

/** Whether the temporary file at `path` (named `name`) is stray: ours, and no live writer can be using it. */
export function isStrayTemp(path: string, name: string, now = Date.now()): boolean {
  const current = ATOMIC_TEMP_NAME.exec(name);
  if (!current && !OLD_ATOMIC_TEMP_NAME.test(name)) return false;
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat?.isFile()) return false;
  const age = now - stat.mtimeMs;
  if (!current) return age > OLD_TEMP_AGE_MS;
  if (current[2] === hostTag() && !pidAlive(Number(current[3]))) return true;
  return age > STALE_TEMP_AGE_MS;
}

/** Removes the stray ones among `paths` (absolute); returns how many were removed. Never throws. */
export function removeStrayTemps(paths: Iterable<string>, now = Date.now()): number {
  let removed = 0;
  for (const path of paths) {
    try {
      if (!isStrayTemp(path, basename(path), now)) continue;
      rmSync(path, { force: true });
      removed++;
    } catch {
      // Gone already, or not ours to remove: the next run looks again.
    }
  }
  return removed;
}

/** Every file under `dir` (recursively, links not followed, `skip` left out) with a temporary name of ours. */
export function findAtomicTemps(dir: string, skip?: string): string[] {
  const found: string[] = [];
  const walk = (abs: string): void => {
    if (abs === skip) return;
    let entries;
    try {
      entries = readdirSync(abs, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (entry.isDirectory()) walk(join(abs, entry.name));
      else if (entry.isFile() && isAtomicTempName(entry.name)) found.push(join(abs, entry.name));
    }
  };
  walk(dir);
  return found;
}
