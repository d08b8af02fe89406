/**
 * Walking a dataset folder: every image, caption and sidecar file with its size and mtime. Hidden
 * files and folders, `.tagbench/` and whatever `.tagbenchignore` (gitignore syntax) or the configured
 * exclude patterns name are left out. Symbolic links are followed, loops are reported, not entered.
 *
 * Synchronous on purpose: it runs in a worker or the CLI, and sync stat calls are several times
 * faster than promises for tens of thousands of files.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import type { Dirent, Stats } from 'node:fs';
import { join } from 'node:path';
import ignore from 'ignore';
import type { Ignore } from 'ignore';
import { isImageName } from '../imaging/formatSniff.ts';
import { SIDECAR_SUFFIX } from '../sidecar/sidecar.ts';
import { problem } from '../problems.ts';
import type { Problem } from '../problems.ts';
import { DatasetError } from './datasetRoot.ts';
import { isAtomicTempName } from '../strayTempFiles.ts';

/** A file found by the scan; `path` is relative to the root with `/` separators. */
export interface ScannedFile {
  path: string;
  size: number;
  mtimeMs: number;
}

/** What a scan found. */
export interface ScanResult {
  images: ScannedFile[];
  /** Caption files by relative path. */
  captions: Map<string, ScannedFile>;
  /** `.tagbench.json` sidecars by relative path. */
  sidecars: Map<string, ScannedFile>;
  /** Links that loop or lead nowhere, folders that cannot be listed, special files named like images. */
  problems: Problem[];
  /** Files seen in all (not hidden, not ignored), of any kind. */
  fileCount: number;
  /** Hidden files named like Tagbench's atomic-write temporaries (never indexed; an index run removes stray ones). */
  tempFiles: string[];
}

/** Options of scanFolder. */
export interface ScanOptions {
  captionExtension: string;
  exclude: readonly string[];
  maxFiles: number;
  /** Scan even when there are more than maxFiles files. */
  force?: boolean;
}

/** Scans `root` (absolute) for dataset files. */
export function scanFolder(root: string, options: ScanOptions): ScanResult {
  const result: ScanResult = {
    images: [],
    captions: new Map(),
    sidecars: new Map(),
    problems: [],
    fileCount: 0,
    tempFiles: [],
  };
  const rules = loadIgnoreRules(root, options.exclude);
  const rootStat = statSync(root);
  const visited = new Set<string>([dirKey(rootStat)]);
  const walk = (abs: string, rel: string, ancestors: readonly string[]): void => {
    let entries: Dirent[];
    try {
      entries = readdirSync(abs, { withFileTypes: true });
    } catch (err) {
      result.problems.push(
        problem(rel || '.', 'unreadable', `The folder cannot be listed: ${(err as Error).message}.`),
      );
      return;
    }
    for (const entry of entries) {
      const name = entry.name;
      if (name.startsWith('.')) {
        if (entry.isFile() && isAtomicTempName(name)) result.tempFiles.push(rel ? `${rel}/${name}` : name);
        continue;
      }
      const childRel = rel ? `${rel}/${name}` : name;
      const childAbs = join(abs, name);
      let stat: Stats | undefined;
      if (entry.isSymbolicLink()) {
        try {
          stat = statSync(childAbs);
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code;
          if (rules.ignores(childRel)) continue;
          if (code === 'ELOOP')
            result.problems.push(problem(childRel, 'symlink-loop', 'The symbolic link leads back to itself.'));
          else if (code === 'ENOENT')
            result.problems.push(
              problem(childRel, 'broken-symlink', 'The symbolic link points to something that does not exist.'),
            );
          else
            result.problems.push(
              problem(childRel, 'unreadable', `The symbolic link cannot be followed: ${(err as Error).message}.`),
            );
          continue;
        }
      }
      const isDir = stat ? stat.isDirectory() : entry.isDirectory();
      if (isDir) {
        if (rules.ignores(childRel + '/')) continue;
        const dirStat = stat ?? statSync(childAbs, { throwIfNoEntry: false });
        if (!dirStat) continue;
        const key = dirKey(dirStat);
        if (ancestors.includes(key)) {
          result.problems.push(
            problem(
              childRel,
              'symlink-loop',
              'The symbolic link points to a folder that contains it; it was not followed.',
            ),
          );
          continue;
        }
        if (visited.has(key)) continue;
        visited.add(key);
        walk(childAbs, childRel, [...ancestors, key]);
        continue;
      }
      if (rules.ignores(childRel)) continue;
      result.fileCount++;
      if (result.fileCount > options.maxFiles && !options.force) {
        throw new DatasetError(
          `${root} holds more than ${options.maxFiles} files; is it really a dataset folder? Pass --force (or raise maxFiles) to index it anyway.`,
        );
      }
      const kind = isImageName(name)
        ? 'image'
        : name.endsWith(SIDECAR_SUFFIX)
          ? 'sidecar'
          : name.endsWith(options.captionExtension)
            ? 'caption'
            : undefined;
      if (!kind) continue;
      const fileStat = stat ?? statSync(childAbs, { throwIfNoEntry: false });
      if (!fileStat) continue;
      if (!fileStat.isFile()) {
        if (kind === 'image')
          result.problems.push(problem(childRel, 'unreadable', 'It is not a regular file (a pipe, socket or device).'));
        continue;
      }
      const file = { path: childRel, size: fileStat.size, mtimeMs: Math.trunc(fileStat.mtimeMs) };
      if (kind === 'image') result.images.push(file);
      else if (kind === 'sidecar') result.sidecars.set(childRel, file);
      else result.captions.set(childRel, file);
    }
  };
  walk(root, '', [dirKey(rootStat)]);
  return result;
}

function dirKey(stat: Stats): string {
  return `${stat.dev}:${stat.ino}`;
}

function loadIgnoreRules(root: string, exclude: readonly string[]): Ignore {
  const rules = ignore().add([...exclude]);
  try {
    rules.add(readFileSync(join(root, '.tagbenchignore'), 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new DatasetError(`Cannot read ${join(root, '.tagbenchignore')}: ${(err as Error).message}.`);
    }
  }
  return rules;
}
