/**
 * The symbolic link rule for everything that writes into a dataset (batches, undo, redo, annotation
 * results, editor saves): never write through a link that leaves the dataset, neither a linked
 * caption or sidecar whose target is outside it nor a file in a linked folder outside it; such a file
 * is refused with a reason (a conflict or skipped file, left as it is). A link to a file inside the
 * dataset is followed: its target is written and the link stays a link.
 */
import { lstatSync, realpathSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';

/** Decides, for one dataset, which files may be written; caches the real path of each folder it sees. */
export class WriteTargets {
  private readonly root: string;
  private readonly rootReal: string;
  private readonly folders = new Map<string, string | null>();

  constructor(root: string) {
    this.root = root;
    this.rootReal = realpathSync.native(root);
  }

  /** Why writing the dataset file `path` (relative) is refused, or undefined when it may be written. */
  refusal(path: string): string | undefined {
    const folder = this.folderRefusal(path);
    if (folder) return folder;
    const file = join(this.root, path);
    let link: boolean;
    try {
      link = lstatSync(file).isSymbolicLink();
    } catch {
      return undefined;
    }
    if (!link) return undefined;
    let target: string;
    try {
      target = realpathSync.native(file);
    } catch {
      return 'is a symbolic link to nothing; Tagbench does not write through it';
    }
    return this.inside(target)
      ? undefined
      : `is a symbolic link to ${target}, outside the dataset; Tagbench does not write outside the dataset`;
  }

  /** Why a file cannot be moved from or to `path` (relative): its folder is a link leading outside the dataset. */
  folderRefusal(path: string): string | undefined {
    const folder = dirname(join(this.root, path));
    let real = this.folders.get(folder);
    if (real === undefined) {
      try {
        real = realpathSync.native(folder);
      } catch {
        real = null;
      }
      this.folders.set(folder, real);
    }
    if (real === null || this.inside(real)) return undefined;
    return `is in a linked folder that leads outside the dataset (to ${real}); Tagbench does not write outside the dataset`;
  }

  private inside(real: string): boolean {
    return real === this.rootReal || real.startsWith(this.rootReal.endsWith(sep) ? this.rootReal : this.rootReal + sep);
  }
}

/** Where writing `file` lands: the file itself, or the target of the symbolic link it is (itself when the link leads nowhere). */
export function linkTarget(file: string): string {
  try {
    return lstatSync(file).isSymbolicLink() ? realpathSync.native(file) : file;
  } catch {
    return file;
  }
}

/** A file a writer may not write: behind a symbolic link that leaves the dataset. */
export class OutsideDatasetError extends Error {
  constructor(path: string, reason: string) {
    super(`${path} ${reason}.`);
    this.name = 'OutsideDatasetError';
  }
}

/** Throws OutsideDatasetError for the first of these dataset files (relative paths) that may not be written. */
export function checkWritable(root: string, paths: readonly string[]): void {
  const targets = new WriteTargets(root);
  for (const path of paths) {
    const refusal = targets.refusal(path);
    if (refusal) throw new OutsideDatasetError(path, refusal);
  }
}
