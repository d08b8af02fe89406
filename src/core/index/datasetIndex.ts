/** Opening an existing dataset's index for reading (search, statistics, problems). */
import { existsSync } from 'node:fs';
import type { Database } from 'better-sqlite3';
import { checkDatasetRoot, DatasetError } from '../dataset/datasetRoot.ts';
import { datasetLayout } from '../dataset/datasetLayout.ts';
import { openIndexDatabase } from './database.ts';
import type { Problem, ProblemKind, ProblemSeverity } from '../problems.ts';

/** Opens the index of the dataset at `root`; throws DatasetError when there is none to read. */
export function openDatasetIndex(root: string): { root: string; db: Database; messages: string[] } {
  const abs = checkDatasetRoot(root, true);
  const layout = datasetLayout(abs);
  if (!existsSync(layout.indexFile)) {
    throw new DatasetError(`${abs} has no Tagbench index yet; run "tagbench index ${root}" first.`);
  }
  const opened = openIndexDatabase(layout.indexFile);
  if (opened.fresh) {
    opened.db.close();
    throw new DatasetError(`${opened.messages.join(' ')} Run "tagbench index ${root}" to rebuild it.`.trim());
  }
  return { root: abs, db: opened.db, messages: opened.messages };
}

/** The problems recorded by the last indexing run, errors first, then by path. */
export function listProblems(db: Database): Problem[] {
  return db
    .prepare(
      `SELECT path, kind, severity, message FROM problems
    ORDER BY severity = 'warning', path, kind`,
    )
    .all() as { path: string; kind: ProblemKind; severity: ProblemSeverity; message: string }[];
}
