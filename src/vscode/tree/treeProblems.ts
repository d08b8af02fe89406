/**
 * Where a dataset's problems show in the Datasets tree: the problem files directly in a folder, and
 * the subfolders that hold problems (a folder whose only files are broken has no images in the
 * index, so it would not be listed otherwise). No VS Code API here.
 */
import type { Problem } from '../../core/problems.ts';

/** The problems of one folder of the tree. */
export interface FolderProblems {
  /** Problems of files directly in the folder, errors first, then by path. */
  files: Problem[];
  /** Subfolders (direct children of the folder) with the number of problems at any depth under them, by name. */
  subfolders: Map<string, { path: string; count: number }>;
}

/** The problems in `dir` ('' for the dataset root; `/` separators, as in Problem.path). */
export function problemsIn(problems: readonly Problem[], dir: string): FolderProblems {
  const prefix = dir === '' ? '' : `${dir}/`;
  const files: Problem[] = [];
  const subfolders = new Map<string, { path: string; count: number }>();
  for (const problem of problems) {
    if (!problem.path.startsWith(prefix)) continue;
    const rest = problem.path.slice(prefix.length);
    const slash = rest.indexOf('/');
    if (slash < 0) {
      files.push(problem);
      continue;
    }
    const name = rest.slice(0, slash);
    const entry = subfolders.get(name) ?? { path: `${prefix}${name}`, count: 0 };
    entry.count++;
    subfolders.set(name, entry);
  }
  return { files: sortProblems(files), subfolders };
}

/** Problems with errors first, then by path. */
export function sortProblems(problems: readonly Problem[]): Problem[] {
  return [...problems].sort(
    (a, b) => (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1) || a.path.localeCompare(b.path),
  );
}
