/**
 * The questions before a process or export job: which images, what to do, where to, with which
 * options. Each answer is checked as it is given (the export folder with the core check the command
 * line uses), and each title counts the steps: "(3/7)". The total is what is left to ask given the
 * answers so far; it can only shrink as answers rule questions out, never be passed.
 */
import * as vscode from 'vscode';
import { DEFAULT_CAPTION_OPTIONS, captionInputProblem } from '../../core/export/captionFormat.ts';
import type { ExportFormat } from '../../core/export/exportImage.ts';
import type { ExportSourceSummary } from '../../core/export/exportSource.ts';
import { parseConceptFolder } from '../../core/export/kohyaConcepts.ts';
import type { ExportJobSpec, ProcessJobSpec } from '../../core/jobs/jobService.ts';
import type { DatasetSession } from '../datasetSession.ts';
import { askImages } from './imagesQuestion.ts';
import type { Choice, ImageSource } from './imagesQuestion.ts';
import { askExportFolder } from './exportFolderQuestion.ts';

const RESOLUTIONS = [512, 768, 1024, 1536];

/** A step's title: `Export Training Set (3/7): output folder`. */
export function stepTitle(name: string, step: number, total: number, what: string): string {
  return `${name} (${step}/${total}): ${what}`;
}

/** Asks what to process; undefined when the user backs out. */
export async function askProcessSpec(
  session: DatasetSession,
  galleryQuery: string,
): Promise<ProcessJobSpec | undefined> {
  const name = 'Process Images';
  const source = await askImages(session, galleryQuery, stepTitle(name, 1, 4, 'which images?'));
  if (!source || !('query' in source)) return undefined;
  const steps = await vscode.window.showQuickPick<Choice<string>>(
    [
      {
        label: 'Auto-crop borders',
        description: 'remove letterbox and pillarbox bands (approved and manual crops are kept)',
        value: 'crop',
        picked: true,
      },
      { label: 'Resize to buckets', description: 'kohya aspect-ratio buckets', value: 'resize', picked: true },
      { label: 'Upscale small images', description: 'with an ONNX super-resolution model', value: 'upscale' },
    ],
    {
      title: stepTitle(name, 2, 4, 'what to do?'),
      canPickMany: true,
      placeHolder: 'Outputs go to .tagbench/derived/; originals are never changed',
      ignoreFocusOut: true,
    },
  );
  if (!steps || steps.length === 0) return undefined;
  const chosen = new Set(steps.map((s) => s.value));
  const total = 2 + (chosen.has('resize') || chosen.has('upscale') ? 1 : 0) + (chosen.has('upscale') ? 1 : 0);
  let resolution: number | undefined;
  if (chosen.has('resize') || chosen.has('upscale')) {
    resolution = (
      await vscode.window.showQuickPick(
        RESOLUTIONS.map((r): Choice<number> => ({
          label: `${r}`,
          description: r === 1024 ? 'SDXL, Flux' : r === 512 ? 'SD 1.5' : '',
          value: r,
        })),
        { title: stepTitle(name, 3, total, 'training resolution'), ignoreFocusOut: true },
      )
    )?.value;
    if (resolution === undefined) return undefined;
  }
  let upscale: ProcessJobSpec['params']['upscale'] = null;
  if (chosen.has('upscale')) {
    const userFolder = vscode.workspace.getConfiguration('tagbench').get<string>('modelsFolder') || null;
    const { models } = await (await session.data()).request('listModels', { userFolder });
    const model = await vscode.window.showQuickPick(
      models.map((m): Choice<string> => ({
        label: m.name,
        description: `x${m.scale}${m.builtIn ? ', built in' : ''}`,
        value: m.name,
      })),
      { title: stepTitle(name, 4, total, 'upscale with which model?'), ignoreFocusOut: true },
    );
    if (!model) return undefined;
    upscale = { model: model.value, targetLongSide: resolution! };
  }
  return {
    kind: 'process',
    query: source.query,
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

/** Checks a caption input (trigger word, class tokens) as it is typed. */
const captionInput =
  (what: string) =>
  (value: string): string | undefined => {
    const problem = captionInputProblem(value);
    return problem ? `${what} ${problem}.` : undefined;
  };

/** Asks what to export and how; undefined when the user backs out. */
export async function askExportSpec(session: DatasetSession, galleryQuery: string): Promise<ExportJobSpec | undefined> {
  const data = await session.data();
  const { projects } = await data.request('listProjects', {});
  const name = 'Export Training Set';
  // At most: images, format, folder, concept folders, kohya folder name, trigger word, resize.
  let total = 7;
  const source = await askImages(
    session,
    galleryQuery,
    stepTitle(name, 1, total, 'which images?'),
    projects.map((p): Choice<ImageSource> => ({
      label: `Project: ${p.name}`,
      description: p.query ?? `${p.members.length} images`,
      value: { project: p.name },
    })),
  );
  if (!source) return undefined;
  let summary: ExportSourceSummary;
  try {
    summary = await data.request('exportSource', { source });
  } catch (err) {
    void vscode.window.showErrorMessage(`Tagbench: ${(err as Error).message}`);
    return undefined;
  }
  if (summary.images === 0) {
    void vscode.window.showInformationMessage('Tagbench: there are no images to export in that choice.');
    return undefined;
  }
  const training = summary.concepts.filter((c) => !c.isReg);
  const regularisation = summary.concepts.filter((c) => c.isReg);
  if (training.length === 0) total--;

  const format = await vscode.window.showQuickPick<Choice<ExportFormat>>(
    [
      {
        label: 'kohya',
        description: '<repeats>_<name>/ folders with captions and a dataset.toml for sd-scripts',
        value: 'kohya',
      },
      { label: 'Hugging Face imagefolder', description: 'images with metadata.jsonl', value: 'hf' },
      { label: 'plain', description: 'images and caption files', value: 'plain' },
    ],
    { title: stepTitle(name, 2, total, 'format'), ignoreFocusOut: true },
  );
  if (!format) return undefined;
  if (format.value !== 'kohya') total = 5;

  let step = 3;
  const folder = await askExportFolder(
    session,
    format.value,
    stepTitle(name, step++, total, 'output folder (outside the dataset)'),
  );
  if (!folder) return undefined;

  const project = 'project' in source ? projects.find((p) => p.name === source.project) : undefined;
  let concepts: 'keep' | 'merge' = 'keep';
  let folderName = { repeats: project?.repeats ?? 10, name: project?.name ?? session.folder.name };
  if (format.value === 'kohya') {
    if (training.length > 0) {
      const list = training.map((c) => `${c.folder} (${c.images})`).join(', ');
      const reg =
        regularisation.length > 0
          ? ` Regularisation folders stay apart: ${regularisation.map((c) => c.folder).join(', ')}.`
          : '';
      const picked = await vscode.window.showQuickPick<Choice<'keep' | 'merge'>>(
        [
          {
            label: `Keep the ${training.length} concept folder${training.length === 1 ? '' : 's'}`,
            description: 'each a subset with the repeats in its name',
            detail: `${list}.${reg}`,
            value: 'keep',
          },
          {
            label: 'Merge them into one concept folder',
            description: 'one name and one repeats count for all training images',
            detail: `You name the folder next.${reg}`,
            value: 'merge',
          },
        ],
        { title: stepTitle(name, step++, total, 'concept folders'), ignoreFocusOut: true },
      );
      if (!picked) return undefined;
      concepts = picked.value;
    }
    if (concepts === 'keep' && summary.loose === 0) {
      total--;
    } else {
      const what =
        concepts === 'merge'
          ? 'folder for all training images'
          : `folder for the ${summary.loose} image${summary.loose === 1 ? '' : 's'} outside concept folders`;
      const text = await vscode.window.showInputBox({
        title: stepTitle(name, step++, total, what),
        prompt: '<repeats>_<name>, as kohya names concept folders (repeats per epoch, then the concept name)',
        value: `${folderName.repeats}_${folderName.name}`,
        ignoreFocusOut: true,
        validateInput: (v) => {
          const parsed = parseConceptFolder(v.trim());
          if (!parsed)
            return 'Give <repeats>_<name>, e.g. 10_alice: a whole number of repeats from 1, an underscore, a name.';
          return captionInput('The name')(parsed.name);
        },
      });
      if (text === undefined) return undefined;
      folderName = parseConceptFolder(text.trim())!;
    }
  }
  const trigger = await vscode.window.showInputBox({
    title: stepTitle(name, step++, total, 'trigger word put first in every caption (optional)'),
    value: project?.trigger ?? '',
    ignoreFocusOut: true,
    validateInput: captionInput('The trigger word'),
  });
  if (trigger === undefined) return undefined;
  const resolutions: Choice<number | null>[] = [
    { label: 'Keep image sizes', description: 'the trainer buckets them', value: null },
    ...RESOLUTIONS.map((r) => ({
      label: `Resize to ${r} buckets`,
      value: r,
      ...(r === project?.resolution ? { description: "the project's resolution" } : {}),
    })),
  ];
  const resolution = await vscode.window.showQuickPick(resolutions, {
    title: stepTitle(name, step, total, 'resize while exporting?'),
    ignoreFocusOut: true,
  });
  if (!resolution) return undefined;
  return {
    kind: 'export',
    source,
    force: folder.force,
    params: {
      format: format.value,
      out: folder.out,
      name: folderName.name.trim(),
      repeats: folderName.repeats,
      concepts,
      resolution: resolution.value,
      crop: 'auto',
      caption: { ...DEFAULT_CAPTION_OPTIONS, trigger: trigger.trim() },
      classTokens: project?.classTokens ?? '',
      testFraction: 0,
    },
  };
}
