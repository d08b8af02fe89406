/** `tagbench annotate --provider ...`: a cloud vision model over a dataset's images, with an estimate and a policy warning first. */
import type { AnnotatorSpec, CloudSpec } from '../../core/annotate/annotatorSpec.ts';
import { annotatorId } from '../../core/annotate/annotatorSpec.ts';
import type { MergeOptions } from '../../core/annotate/mergeAnnotation.ts';
import {
  apiKeyFromEnv,
  cloudConfig,
  cloudModel,
  cloudProvider,
  CLOUD_PROVIDER_IDS,
  defaultRpm,
  hasCredentialsInUrl,
  withoutCredentials,
} from '../../core/annotate/cloud/cloudConfig.ts';
import type { CloudProviderId } from '../../core/annotate/cloud/cloudConfig.ts';
import { annotationPreflight, estimateAnnotation } from '../../core/annotate/cloudItemRunner.ts';
import { hasBatchApi } from '../../core/annotate/cloud/batchEngine.ts';
import { jobItems, finishItem } from '../../core/jobs/jobStore.ts';
import type { Database } from 'better-sqlite3';
import { planJob } from '../../core/jobs/jobService.ts';
import { openDatasetIndex } from '../../core/index/datasetIndex.ts';
import { UsageError, withQueryContext } from '../cliError.ts';
import type { CommandContext } from '../commandContext.ts';
import { plannedRun } from './jobCommands.ts';

/** Plans and runs a cloud annotation job (`--estimate`: only print what it would send). */
export async function cloudRun(
  ctx: CommandContext,
  dir: string,
  query: string,
  merge: MergeOptions,
  captionExtension: string,
): Promise<number> {
  const providerId = ctx.string('provider')!;
  if (!(CLOUD_PROVIDER_IDS as readonly string[]).includes(providerId))
    throw new UsageError(`Unknown provider "${providerId}" (use ${CLOUD_PROVIDER_IDS.join(', ')}).`);
  const provider = cloudProvider(providerId);
  const model = ctx.string('model') ?? provider.models[0]?.id;
  if (!model) throw new UsageError(`Give --model for ${provider.label}.`);
  const baseUrl = ctx.string('base-url');
  if (provider.id === 'openai-compatible' && !baseUrl)
    throw new UsageError(
      '--provider openai-compatible needs --base-url URL (e.g. http://localhost:11434/v1 for Ollama).',
    );
  if (baseUrl && hasCredentialsInUrl(baseUrl)) {
    throw new UsageError(
      `--base-url ${withoutCredentials(baseUrl)} has a user name or password in it; put the key in ${provider.keyEnv} (the API key) instead, never in the URL.`,
    );
  }
  const apiKey = apiKeyFromEnv(provider);
  if (!apiKey && !provider.keyOptional) throw new UsageError(`Set ${provider.keyEnv} to use ${provider.label}.`);
  cloudModel(provider, model);
  const rpm = ctx.number('rpm') ?? defaultRpm(provider, model);
  const spec: CloudSpec = {
    type: 'cloud',
    provider: provider.id as CloudProviderId,
    model,
    style: ctx.choice('style', ['tags', 'sentence', 'both'] as const, 'tags'),
    maxSide: ctx.number('max-side') ?? cloudConfig().defaultMaxSide,
    rpm,
    concurrency: ctx.number('concurrency') ?? 4,
    ...(baseUrl ? { baseUrl } : {}),
    ...(ctx.string('template') ? { template: ctx.string('template')! } : {}),
    ...(ctx.string('trigger') ? { trigger: ctx.string('trigger')! } : {}),
    ...(ctx.flag('batch') ? { batch: true } : {}),
  };
  if (spec.batch && !hasBatchApi(provider.id))
    throw new UsageError(`${provider.label} has no batch API Tagbench drives; run without --batch.`);
  if (!preflight(ctx, dir, query, spec)) return 0;
  const annotator: AnnotatorSpec = spec;
  return plannedRun(ctx, dir, (db, root) => {
    const id = withQueryContext(query, () =>
      planJob(db, root, { kind: 'annotate', query, params: { annotator, merge, captionExtension } }),
    );
    if (ctx.flag('skip-refused')) skipRefused(db, id, annotatorId(spec));
    return id;
  });
}

/** Prints the estimate and the policy warning to stderr; false when only the estimate was asked for. */
function preflight(ctx: CommandContext, dir: string, query: string, spec: CloudSpec): boolean {
  const { db } = openDatasetIndex(dir);
  try {
    const model = annotatorId(spec);
    const estimate = withQueryContext(query, () => estimateAnnotation(db, query, spec));
    const { refused } = annotationPreflight(db, query, model);
    const cost = estimate.cost
      ? `, about $${estimate.cost.total.toFixed(2)} (prices as of ${estimate.pricesAsOf})`
      : ', no price configured';
    const line = `Estimate: ${estimate.images} images, ${estimate.requests} requests to ${model} at ${spec.rpm}/min (about ${Math.ceil(estimate.minutes)} min), ~${estimate.inputTokens} input and ~${estimate.outputTokens} output tokens${cost}.`;
    if (ctx.flag('estimate')) {
      ctx.out(ctx.flag('json') ? JSON.stringify({ model, ...estimate, refused }, null, 2) : line);
      return false;
    }
    ctx.err(line);
    if (refused > 0)
      ctx.err(
        `Warning: ${refused} of these images were refused by ${model} before (content policy)${ctx.flag('skip-refused') ? '; they are skipped' : '; they are sent again (--skip-refused leaves them out)'}.`,
      );
    return true;
  } finally {
    db.close();
  }
}

/** Marks the job's items the model refused before as skipped. */
function skipRefused(db: Database, jobId: number, model: string): void {
  const refused = new Set(
    db
      .prepare(
        `SELECT i.path FROM annotations a JOIN images i ON i.id = a.image_id WHERE a.model = ? AND a.failure = 'policy'`,
      )
      .pluck()
      .all(model) as string[],
  );
  for (const item of jobItems(db, jobId, 'pending')) {
    if (refused.has(item.key))
      finishItem(db, jobId, item.seq, 'skipped', { result: { skipped: 'refused before (content policy)' } });
  }
}
