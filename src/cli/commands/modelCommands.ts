/** `tagbench models DIR` (the catalog and what is installed in a models folder) and `tagbench download MODEL --to DIR`. */
import { resolve } from 'node:path';
import {
  downloadModel,
  findCatalogModel,
  loadModelCatalog,
  modelInstallState,
} from '../../core/models/modelDownload.ts';
import { ProgressBar } from '../progressBar.ts';
import type { CommandContext } from '../commandContext.ts';
import { UsageError } from '../cliError.ts';

/** Lists the downloadable models and whether each is installed in the models folder DIR. */
export function runModelsCommand(ctx: CommandContext): number {
  const dir = resolve(ctx.positional(0, 'DIR (a models folder)'));
  ctx.noMorePositionals(1);
  const rows = loadModelCatalog().map((model) => ({ model, ...modelInstallState(model, dir) }));
  if (ctx.flag('json')) {
    ctx.out(
      JSON.stringify(
        rows.map(({ model, state, folder }) => ({
          name: model.name,
          kind: model.kind,
          description: model.description ?? null,
          repo: model.repo,
          revision: model.revision,
          state,
          folder,
          files: model.files,
        })),
        null,
        2,
      ),
    );
    return 0;
  }
  const width = Math.max(...rows.map((r) => r.model.name.length));
  for (const { model, state } of rows)
    ctx.out(`${state.padEnd(9)}  ${model.name.padEnd(width)}  ${model.description ?? model.repo}`);
  ctx.err(`Install one with: tagbench download NAME --to ${dir}`);
  return 0;
}

/** Downloads a catalog model into a models folder, resuming a partial download; Ctrl+C keeps what arrived. */
export async function runDownloadCommand(ctx: CommandContext): Promise<number> {
  const name = ctx.positional(0, 'MODEL (see "tagbench models DIR")');
  ctx.noMorePositionals(1);
  const to = ctx.string('to');
  if (to === undefined)
    throw new UsageError('"tagbench download" needs --to MODELS_DIR, the models folder to download into.');
  const catalog = loadModelCatalog();
  const model = findCatalogModel(name, catalog);
  if (!model)
    throw new UsageError(
      `There is no model "${name}" in the catalog; known models: ${catalog.map((m) => m.name).join(', ')}.`,
    );
  const bar = new ProgressBar();
  const controller = new AbortController();
  const onSignal = (): void => controller.abort();
  process.once('SIGINT', onSignal);
  let current = '';
  try {
    const result = await downloadModel(model, resolve(to), {
      signal: controller.signal,
      onProgress: (p) => {
        if (p.file !== current) {
          current = p.file;
          bar.phase(p.file.split(/[\\/]/).pop() ?? p.file);
        }
        bar.update(Math.round(p.bytes / 1024), Math.round((p.total ?? p.bytes) / 1024));
      },
    });
    bar.done();
    if (ctx.flag('json')) {
      ctx.out(JSON.stringify({ name: model.name, folder: result.folder, files: result.files }, null, 2));
    } else {
      for (const file of result.files)
        ctx.out(
          `${file.skipped ? 'already there' : file.resumed ? 'resumed' : 'downloaded'}  ${file.path} (${file.bytes} bytes)`,
        );
      ctx.out(`${model.name} is installed in ${result.folder}.`);
    }
    return 0;
  } catch (err) {
    bar.done();
    if (controller.signal.aborted) {
      ctx.err('tagbench: Cancelled; the partial file is kept: run the same command to resume.');
      return 130;
    }
    throw err;
  } finally {
    process.off('SIGINT', onSignal);
  }
}
