/** The questions before a process or export job: which images, what to do, where to, with which options. */
import * as vscode from 'vscode';
import { DEFAULT_CAPTION_OPTIONS } from '../../core/export/captionFormat.ts';
import type { ExportJobSpec, ProcessJobSpec } from '../../core/jobs/jobService.ts';
import type { DatasetSession } from '../datasetSession.ts';

type Choice<T> = vscode.QuickPickItem & { value: T };

const RESOLUTIONS = [512, 768, 1024, 1536];

/** Asks what to process; undefined when the user backs out. */
export async function askProcessSpec(session: DatasetSession, query: string): Promise<ProcessJobSpec | undefined> {
  const text = await vscode.window.showInputBox({ title: 'Process Images (1/3)', prompt: 'Which images? A query, or empty for all', value: query });
  if (text === undefined) return undefined;
  const steps = await vscode.window.showQuickPick<Choice<string>>([
    { label: 'Auto-crop borders', description: 'remove letterbox and pillarbox bands (approved and manual crops are kept)', value: 'crop', picked: true },
    { label: 'Resize to buckets', description: 'kohya aspect-ratio buckets', value: 'resize', picked: true },
    { label: 'Upscale small images', description: 'with an ONNX super-resolution model', value: 'upscale' },
  ], { title: 'Process Images (2/3)', canPickMany: true, placeHolder: 'Outputs go to .tagbench/derived/; originals are never changed' });
  if (!steps || steps.length === 0) return undefined;
  const chosen = new Set(steps.map((s) => s.value));
  let resolution: number | undefined;
  if (chosen.has('resize') || chosen.has('upscale')) {
    resolution = (await vscode.window.showQuickPick(RESOLUTIONS.map((r): Choice<number> => ({ label: `${r}`, description: r === 1024 ? 'SDXL, Flux' : r === 512 ? 'SD 1.5' : '', value: r })), { title: 'Process Images (3/3): training resolution' }))?.value;
    if (resolution === undefined) return undefined;
  }
  let upscale: ProcessJobSpec['params']['upscale'] = null;
  if (chosen.has('upscale')) {
    const userFolder = vscode.workspace.getConfiguration('tagbench').get<string>('modelsFolder') || null;
    const { models } = await (await session.data()).request('listModels', { userFolder });
    const model = await vscode.window.showQuickPick(models.map((m): Choice<string> => ({ label: m.name, description: `x${m.scale}${m.builtIn ? ', built in' : ''}`, value: m.name })), { title: 'Upscale with which model?' });
    if (!model) return undefined;
    upscale = { model: model.value, targetLongSide: resolution! };
  }
  return {
    kind: 'process',
    query: text,
    params: {
      crop: chosen.has('crop') ? 'auto' : 'none',
      resize: chosen.has('resize') ? { resolution: resolution!, mode: 'crop', allowUpscale: false } : null,
      upscale,
      format: 'auto',
      quality: 95,
      flatten: null,
    },
  };
}

/** Asks what to export and how; undefined when the user backs out. */
export async function askExportSpec(session: DatasetSession, query: string): Promise<ExportJobSpec | undefined> {
  const { projects } = await (await session.data()).request('listProjects', {});
  const sources: Choice<ExportJobSpec['source']>[] = [
    ...(query ? [{ label: `Gallery results: ${query}`, value: { query } }] : []),
    { label: 'All images', value: { query: '' } },
    ...projects.map((p) => ({ label: `Project: ${p.name}`, description: p.query ?? `${p.members.length} images`, value: { project: p.name } })),
  ];
  const source = await vscode.window.showQuickPick(sources, { title: 'Export Training Set (1/6): which images?' });
  if (!source) return undefined;
  const format = await vscode.window.showQuickPick<Choice<'kohya' | 'hf' | 'plain'>>([
    { label: 'kohya', description: '<repeats>_<name>/ folders with captions and a dataset.toml for sd-scripts', value: 'kohya' },
    { label: 'Hugging Face imagefolder', description: 'images with metadata.jsonl', value: 'hf' },
    { label: 'plain', description: 'images and caption files', value: 'plain' },
  ], { title: 'Export Training Set (2/6): format' });
  if (!format) return undefined;
  const folder = await vscode.window.showOpenDialog({ title: 'Export Training Set (3/6): output folder (outside the dataset)', canSelectFiles: false, canSelectFolders: true, canSelectMany: false, openLabel: 'Export Here' });
  if (!folder?.[0]) return undefined;
  const project = 'project' in source.value ? projects.find((p) => p.name === (source.value as { project: string }).project) : undefined;
  const name = await vscode.window.showInputBox({ title: 'Export Training Set (4/6): concept name', value: project?.name ?? session.folder.name, validateInput: (v) => (v.trim() ? undefined : 'A name is needed.') });
  if (name === undefined) return undefined;
  const repeatsText = format.value === 'kohya'
    ? await vscode.window.showInputBox({ title: 'Export Training Set (5/6): repeats per epoch', value: String(project?.repeats ?? 10), validateInput: (v) => (/^[1-9]\d{0,3}$/.test(v) ? undefined : 'A whole number from 1 to 9999.') })
    : '1';
  if (repeatsText === undefined) return undefined;
  const trigger = await vscode.window.showInputBox({ title: 'Export Training Set (6/6): trigger word put first in every caption (optional)', value: project?.trigger ?? '' });
  if (trigger === undefined) return undefined;
  const resolution = await vscode.window.showQuickPick<Choice<number | null>>([
    { label: 'Keep image sizes', description: 'the trainer buckets them', value: null },
    ...RESOLUTIONS.map((r) => ({ label: `Resize to ${r} buckets`, value: r })),
  ], { title: 'Resize while exporting?' });
  if (!resolution) return undefined;
  return {
    kind: 'export',
    source: source.value,
    force: false,
    params: {
      format: format.value,
      out: folder[0].fsPath,
      name: name.trim(),
      repeats: Number(repeatsText),
      resolution: resolution.value,
      crop: 'auto',
      caption: { ...DEFAULT_CAPTION_OPTIONS, trigger: trigger.trim() },
      classTokens: project?.classTokens ?? '',
      testFraction: 0,
    },
  };
}
