/** Atomic file replacement: write a temporary file beside the target, flush it, rename it over. */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { hostTag } from './processIdentity.ts';

/**
 * The hidden temporary file an atomic write of `file` goes through: `.<name>.<host>-<pid>-<random>.tmp`
 * beside it, where host is a tag of the host name and pid the writing process, so a later run can
 * tell a file whose writer is gone (stray, see strayTempFiles.ts) from one still being written.
 */
export function atomicTempFile(file: string): string {
  return join(dirname(file), `.${basename(file)}.${hostTag()}-${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
}

/** The parts of an atomic write's temporary file name (atomicTempFile). */
export const ATOMIC_TEMP_NAME = /^\.(.+)\.([0-9a-f]{8})-([1-9][0-9]*)-[0-9a-f]{8}\.tmp$/;

/** The temporary names of Tagbench versions before the writer was in the name: `.<name>.<12 hex digits>.tmp`. */
export const OLD_ATOMIC_TEMP_NAME = /^\.(.+)\.[0-9a-f]{12}\.tmp$/;

/** Options of writeFileAtomic. */
export interface AtomicWriteOptions {
  /** Flush to disk before the rename (default true). Caches that can be regenerated skip it. */
  durable?: boolean;
}

/**
 * Writes `data` to `file` so that readers see either the old or the new content, never a mix, and a
 * crash leaves at worst a hidden temporary file. Keeps the permission bits of a file it replaces.
 */
export function writeFileAtomic(file: string, data: Uint8Array | string, options: AtomicWriteOptions = {}): void {
  const temp = atomicTempFile(file);
  const mode = statSync(file, { throwIfNoEntry: false })?.mode ?? 0o666;
  const fd = openSync(temp, 'wx', mode & 0o7777);
  try {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    let offset = 0;
    while (offset < bytes.length) offset += writeSync(fd, bytes, offset, bytes.length - offset);
    if (options.durable !== false) fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    rmSync(temp, { force: true });
    throw err;
  }
  closeSync(fd);
  try {
    renameSync(temp, file);
  } catch (err) {
    rmSync(temp, { force: true });
    throw err;
  }
}
