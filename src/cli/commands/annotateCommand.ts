/** `tagbench annotate`: tag, caption or score a dataset's images with a local model or a cloud vision model, as a resumable job. */
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { planJob } from '../../core/jobs/jobService.ts';
import type { JobSpec } from '../../core/jobs/jobService.ts';
import type { AnnotatorSpec } from '../../core/annotate/annotatorSpec.ts';
import { DEFAULT_MERGE } from '../../core/annotate/mergeAnnotation.ts';
import type { MergeOptions } from '../../core/annotate/mergeAnnotation.ts';
import { normalizeSettings, readDatasetSettings } from '../../core/dataset/datasetSettings.ts';
import { datasetLayout } from '../../core/dataset/datasetLayout.ts';
import { checkDatasetRoot } from '../../core/dataset/datasetRoot.ts';
import { UsageError, withQueryContext } from '../cliError.ts';
import type { CommandContext } from '../commandContext.ts';
import { plannedRun } from './jobCommands.ts';
import { cloudRun } from './cloudAnnotate.ts';

/** `tagbench annotate DIR [QUERY] --tagger PATH | --scorer PATH | --provider NAME ...`. */
export async function runAnnotateCommand(ctx: CommandContext): Promise<number> {
  const dir = ctx.positional(0, 'DIR');
  const query = ctx.rest(1).join(' ');
  const sources = ['tagger', 'scorer', 'provider'].filter((name) => ctx.string(name) !== undefined);
  if (sources.length !== 1)
    throw new UsageError('Say which model to use: --tagger PATH, --scorer PATH or --provider openai|anthropic|google.');
  const merge: MergeOptions = {
    ...DEFAULT_MERGE,
    strategy: ctx.choice('merge', ['append', 'replace', 'review'] as const, 'append'),
    underscores: ctx.flag('keep-underscores') ? 'keep' : 'spaces',
    exclude: (ctx.string('exclude') ?? '')
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean),
  };
  const settings = normalizeSettings({
    ...readDatasetSettings(datasetLayout(checkDatasetRoot(dir, true)).settingsFile),
    ...ctx.settingsOverrides(),
  });
  if (ctx.string('provider') !== undefined) return cloudRun(ctx, dir, query, merge, settings.captionExtension);
  const annotator = localSpec(ctx);
  const spec: JobSpec = {
    kind: 'annotate',
    query,
    params: { annotator, merge, captionExtension: settings.captionExtension },
  };
  return plannedRun(ctx, dir, (db, root) => withQueryContext(query, () => planJob(db, root, spec)));
}

/** The local tagger or scorer the options name. */
function localSpec(ctx: CommandContext): AnnotatorSpec {
  const batchSize = ctx.number('batch-size');
  if (batchSize !== undefined && (batchSize < 1 || batchSize > 256))
    throw new UsageError('--batch-size must be from 1 to 256.');
  const tagger = ctx.string('tagger');
  if (tagger !== undefined) {
    return {
      type: 'tagger',
      path: modelFolder(tagger, 'taggers', ['model.onnx', 'selected_tags.csv'], ctx.string('models')),
      general: ctx.decimal('general', 0, 1) ?? 0.35,
      character: ctx.decimal('character', 0, 1) ?? 0.85,
      batchSize: batchSize ?? 8,
    };
  }
  return {
    type: 'scorer',
    path: modelFolder(ctx.string('scorer')!, 'scorers', ['aesthetic.onnx'], ctx.string('models')),
    batchSize: batchSize ?? 16,
  };
}

/** A model folder: the path itself, or `<models>/<kind>/<name>`; refused with what it must hold. */
function modelFolder(given: string, kind: string, files: string[], models: string | undefined): string {
  const candidates = [
    resolve(given),
    ...(models ? [resolve(models, kind, given)] : []),
    resolve('models', kind, given),
  ];
  const found = candidates.find((c) => existsSync(c) && statSync(c).isDirectory());
  if (!found) throw new UsageError(`There is no model folder "${given}" (looked in ${candidates.join(', ')}).`);
  const missing = files.filter((f) => !existsSync(join(found, f)));
  if (missing.length > 0)
    throw new UsageError(`${found} is not a ${kind.slice(0, -1)} folder: it has no ${missing.join(' or ')}.`);
  return found;
}
