/**
 * Where Tagbench keeps its files inside a dataset: `.tagbench/` at the root, holding the index and
 * caches (rebuildable, git-ignored) and user data (settings, projects, the job history, the batch
 * edit journal and the trash: kept, never ignored).
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../atomicWrite.ts';
import { isDiskFull } from '../diskFull.ts';

/** Name of the per-dataset folder. */
export const TAGBENCH_DIR = '.tagbench';

/** Name of the job history database inside `.tagbench/` (beside the index; not a cache). */
export const JOBS_FILE = 'jobs.db';

/** Name of the folder of lock files inside `.tagbench/`. */
export const LOCKS_DIR = 'locks';

/** Paths of a dataset's Tagbench files. */
export interface DatasetLayout {
  root: string;
  dir: string;
  indexFile: string;
  /** The job history (jobs, their items, provider batches): user data, never deleted by Tagbench. */
  jobsFile: string;
  locksDir: string;
  thumbsDir: string;
  settingsFile: string;
  ignoreFile: string;
}

/** The layout for a dataset root (absolute). */
export function datasetLayout(root: string): DatasetLayout {
  const dir = join(root, TAGBENCH_DIR);
  return {
    root,
    dir,
    indexFile: join(dir, 'index.db'),
    jobsFile: join(dir, JOBS_FILE),
    locksDir: join(dir, LOCKS_DIR),
    thumbsDir: join(dir, 'cache', 'thumbs'),
    settingsFile: join(dir, 'dataset.json'),
    ignoreFile: join(root, '.tagbenchignore'),
  };
}

const GITIGNORE = `# Written by Tagbench. Git ignores only what Tagbench rebuilds by itself from the dataset's files:
# the index, thumbnails, outputs of "process" (rebuilt from their recipes), temporary and lock files.
index.db
index.db-*
jobs.db-shm
cache/
derived/
tmp/
locks/
# Everything else here is your data, which nothing rebuilds: dataset.json (settings), projects/,
# jobs.db (job history and provider batches still to collect), journal/ (undo of batch edits) and
# trash/ (the only copy of the images you moved to the trash). Ignore them yourself if you must.
`;

/** Creates `.tagbench/` with its `.gitignore` if missing. */
export function ensureTagbenchDir(layout: DatasetLayout): void {
  mkdirSync(layout.dir, { recursive: true });
  const gitignore = join(layout.dir, '.gitignore');
  if (existsSync(gitignore) && readFileSync(gitignore, 'utf8') === GITIGNORE) return;
  try {
    writeFileAtomic(gitignore, GITIGNORE);
  } catch (err) {
    // Written again by the next run; a full disk is reported by whatever needs the space.
    if (!isDiskFull(err)) throw err;
  }
}
