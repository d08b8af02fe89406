/** Refusing dataset roots that are obviously wrong: the filesystem root, home, system folders. */
import { realpathSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { parse, resolve, sep } from 'node:path';

/** An error about the dataset folder as a whole (not one file in it). One clear sentence. */
export class DatasetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DatasetError';
  }
}

const SYSTEM_FOLDERS_POSIX = [
  '/bin',
  '/boot',
  '/dev',
  '/etc',
  '/lib',
  '/lib32',
  '/lib64',
  '/libx32',
  '/opt',
  '/proc',
  '/root',
  '/run',
  '/sbin',
  '/srv',
  '/sys',
  '/usr',
  '/var',
  '/tmp',
  '/Applications',
  '/Library',
  '/System',
  '/Users',
  '/Volumes',
  '/home',
  '/mnt',
  '/media',
  '/private',
];

/**
 * Why `root` is not a plausible dataset folder, or undefined when it is. A system folder means the
 * folder itself or anything inside one (except the per-user temporary folders tests and tools use).
 */
export function implausibleRootReason(root: string): string | undefined {
  const abs = resolve(root);
  if (parse(abs).root === abs) return `${abs} is the root of the filesystem`;
  const home = resolve(homedir());
  if (abs === home || abs === realHome(home)) return `${abs} is your home folder`;
  if (process.platform === 'win32') {
    const lower = abs.toLowerCase();
    const windows = ['\\windows', '\\program files', '\\program files (x86)', '\\programdata'];
    if (windows.some((w) => lower.slice(2) === w || lower.slice(2).startsWith(w + sep)))
      return `${abs} is a system folder`;
    return undefined;
  }
  const inside = (folder: string) => abs === folder || abs.startsWith(folder + '/');
  if (SYSTEM_FOLDERS_POSIX.includes(abs)) return `${abs} is a system folder`;
  const systemTrees = [
    '/bin',
    '/boot',
    '/dev',
    '/etc',
    '/lib',
    '/proc',
    '/sbin',
    '/sys',
    '/usr',
    '/System',
    '/Library',
  ];
  if (systemTrees.some(inside) && !abs.startsWith(home + '/')) return `${abs} is inside a system folder`;
  return undefined;
}

function realHome(home: string): string {
  try {
    return realpathSync.native(home);
  } catch {
    return home;
  }
}

/** Checks that `root` exists, is a folder, and is plausible (unless `force`). Returns it resolved. */
export function checkDatasetRoot(root: string, force = false): string {
  const abs = resolve(root);
  const stat = statSync(abs, { throwIfNoEntry: false });
  if (!stat) throw new DatasetError(`${abs} does not exist.`);
  if (!stat.isDirectory()) throw new DatasetError(`${abs} is not a folder.`);
  const reason = force ? undefined : implausibleRootReason(abs);
  if (reason)
    throw new DatasetError(`Refusing to index ${abs}: ${reason}, not a dataset. Pass --force if you really mean it.`);
  return abs;
}
