/** `tagbench export`: a training set in kohya, Hugging Face or plain form, as a resumable job. */
import { resolve } from 'node:path';
import type { JobSpec } from '../../core/jobs/jobService.ts';
import { planJob } from '../../core/jobs/jobService.ts';
import { DEFAULT_CAPTION_OPTIONS } from '../../core/export/captionFormat.ts';
import { describeOptionProblem, exportOptionsProblem } from '../../core/export/exportOptions.ts';
import type { ExportTextOption } from '../../core/export/exportOptions.ts';
import { UsageError, withQueryContext } from '../cliError.ts';
import type { CommandContext } from '../commandContext.ts';
import { checkResolution, plannedRun } from './jobCommands.ts';

const FLAGS: Record<ExportTextOption, string> = {
  trigger: '--trigger',
  separator: '--separator',
  classTokens: '--class-tokens',
  blacklist: '--blacklist',
  name: '--name',
};

/**
 * `tagbench export DIR --out OUT --format kohya|hf|plain [--query Q | --project NAME] ...`. Without
 * --name and --repeats, each kohya concept folder of the dataset stays a subset of its own; with
 * either, the training images are merged into one `<repeats>_<name>` folder.
 */
export async function runExportCommand(ctx: CommandContext): Promise<number> {
  const dir = ctx.positional(0, 'DIR');
  ctx.noMorePositionals(1);
  const out = ctx.string('out');
  if (!out) throw new UsageError('"tagbench export" needs --out OUT, the folder to export to.');
  const format = ctx.choice('format', ['kohya', 'hf', 'plain'] as const, 'kohya');
  const query = ctx.string('query');
  const project = ctx.string('project');
  if (query !== undefined && project !== undefined) throw new UsageError('Give --query or --project, not both.');
  const resolution = ctx.number('resolution');
  const repeats = ctx.number('repeats');
  if (repeats !== undefined && (!Number.isInteger(repeats) || repeats < 1 || repeats > 100_000))
    throw new UsageError('--repeats must be a whole number from 1 to 100000.');
  const name = ctx.string('name');
  const spec: JobSpec = {
    kind: 'export',
    source: project !== undefined ? { project } : { query: query ?? '' },
    force: ctx.flag('force'),
    params: {
      format,
      out: resolve(out),
      name: name ?? project ?? 'dataset',
      repeats: repeats ?? 10,
      concepts: name !== undefined || repeats !== undefined ? 'merge' : 'keep',
      resolution: resolution !== undefined ? checkResolution(resolution) : null,
      crop: ctx.choice('crop', ['auto', 'none'] as const, 'none'),
      caption: {
        ...DEFAULT_CAPTION_OPTIONS,
        trigger: ctx.string('trigger') ?? '',
        separator: ctx.string('separator') ?? DEFAULT_CAPTION_OPTIONS.separator,
        underscoresToSpaces: !ctx.flag('keep-underscores'),
        escapeParentheses: !ctx.flag('no-escape'),
        blacklist: (ctx.string('blacklist') ?? '')
          .split(',')
          .map((t) => t.trim())
          .filter(Boolean),
      },
      classTokens: ctx.string('class-tokens') ?? '',
      testFraction: ctx.decimal('test-split', 0, 0.9) ?? 0,
      paths: ctx.choice('paths', ['relative', 'absolute'] as const, 'relative'),
    },
  };
  const problem = exportOptionsProblem(spec.params);
  if (problem) throw new UsageError(describeOptionProblem(problem, FLAGS[problem.option]));
  return plannedRun(ctx, dir, (db, root) => withQueryContext(query ?? '', () => planJob(db, root, spec)));
}
