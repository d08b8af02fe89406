/**
 * A real, small filesystem for full-disk tests: a tmpfs of a few hundred KiB mounted on a temporary
 * folder (as root, or through `sudo -n`), so writes fail with the kernel's own ENOSPC and SQLite's own
 * SQLITE_FULL. `fill` leaves an exact number of bytes free.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A mounted small filesystem. */
export interface SmallDisk {
  /** The mount point (an empty folder at first). */
  dir: string;
  /** Bytes free now, as statfs reports them to an unprivileged writer. */
  free(): number;
  /** Writes a filler file so that about `bytes` stay free (rounded down to the block size). */
  fill(bytes: number): void;
  /** Removes the filler file, freeing its space. */
  unfill(): void;
  /** Unmounts and removes the mount point. */
  dispose(): void;
}

const FILLER = '.filler';

/** Mounts a tmpfs of `kib` KiB. Throws, with the reason, when this machine cannot mount one. */
export function mountSmallDisk(kib: number): SmallDisk {
  const dir = mkdtempSync(join(tmpdir(), 'tagbench-small-disk-'));
  const sudo = process.getuid?.() === 0 ? [] : ['sudo', '-n'];
  const run = (args: string[]): void => {
    const [command, ...rest] = [...sudo, ...args];
    execFileSync(command!, rest, { stdio: ['ignore', 'ignore', 'pipe'] });
  };
  try {
    run(['mount', '-t', 'tmpfs', '-o', `size=${kib}k,mode=0777`, 'tmpfs', dir]);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(
      `Full-disk tests mount a small tmpfs and need root or password-less sudo: ${(err as Error).message.split('\n')[0]}`,
      { cause: err },
    );
  }
  const free = (): number => {
    const stat = statfsSync(dir);
    return stat.bavail * stat.bsize;
  };
  return {
    dir,
    free,
    fill(bytes) {
      rmSync(join(dir, FILLER), { force: true });
      const size = Math.max(0, free() - bytes);
      if (size > 0) writeFileSync(join(dir, FILLER), Buffer.alloc(size));
    },
    unfill() {
      rmSync(join(dir, FILLER), { force: true });
    },
    dispose() {
      try {
        run(['umount', '-l', dir]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
