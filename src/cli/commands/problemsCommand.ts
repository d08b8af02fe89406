/** `tagbench problems DIR`: what the last indexing run could not use, file by file. */
import { listProblems, openDatasetIndex } from '../../core/index/datasetIndex.ts';
import type { CommandContext } from '../commandContext.ts';

/** Prints the recorded problems. */
export function runProblemsCommand(ctx: CommandContext): number {
  const dir = ctx.positional(0, 'DIR');
  ctx.noMorePositionals(1);
  const { db } = openDatasetIndex(dir);
  try {
    const problems = listProblems(db);
    if (ctx.flag('json')) {
      ctx.out(JSON.stringify({ problems }, null, 2));
    } else if (problems.length === 0) {
      ctx.out('No problems.');
    } else {
      for (const p of problems) ctx.out(`${p.path}: ${p.severity} [${p.kind}] ${p.message}`);
    }
  } finally {
    db.close();
  }
  return 0;
}
