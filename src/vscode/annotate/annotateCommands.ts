/**
 * "Tagbench: Annotate Images...": pick the images, a local tagger or scorer or a cloud vision model,
 * and how results merge into captions; a cloud run first shows what it will send (images, requests,
 * tokens, cost where priced) and warns about images the provider refused before.
 */
import * as vscode from 'vscode';
import { join } from 'node:path';
import {
  cloudConfig,
  cloudProvider,
  hasCredentialsInUrl,
  withoutCredentials,
} from '../../core/annotate/cloud/cloudConfig.ts';
import type { CloudProvider } from '../../core/annotate/cloud/cloudConfig.ts';
import type { AnnotateParams, AnnotatorSpec, CaptionStyle, CloudSpec } from '../../core/annotate/annotatorSpec.ts';
import { annotatorId } from '../../core/annotate/annotatorSpec.ts';
import { DEFAULT_MERGE } from '../../core/annotate/mergeAnnotation.ts';
import type { MergeStrategy } from '../../core/annotate/mergeAnnotation.ts';
import type { AnnotateJobSpec } from '../../core/jobs/jobService.ts';
import type { DatasetRegistry } from '../datasetRegistry.ts';
import type { DatasetSession } from '../datasetSession.ts';
import { GalleryPanel } from '../gallery/galleryPanel.ts';
import type { JobStarter } from '../jobs/jobCommands.ts';
import type { ApiKeys } from './apiKeys.ts';

type Choice<T> = vscode.QuickPickItem & { value: T };

/** The stored key a job's cloud provider needs (undefined for other jobs). */
export async function keyForJob(keys: ApiKeys, job: { params: unknown }): Promise<string | undefined> {
  const annotator = (job.params as { params?: Partial<AnnotateParams> } | null)?.params?.annotator;
  return annotator?.type === 'cloud' ? keys.get(annotator.provider) : undefined;
}

/** Registers "Annotate Images...". */
export function registerAnnotateCommands(
  context: vscode.ExtensionContext,
  registry: DatasetRegistry,
  keys: ApiKeys,
  startJob: JobStarter,
): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('tagbench.annotateImages', async () => {
      const session = GalleryPanel.active?.session ?? (await registry.pick('Annotate the images of which dataset?'));
      if (!session) return undefined;
      const spec = await askAnnotateSpec(session, keys, GalleryPanel.of(session)?.query ?? '', context.extensionPath);
      if (!spec) return undefined;
      const apiKey =
        spec.params.annotator.type === 'cloud' ? await keys.get(spec.params.annotator.provider) : undefined;
      return startJob(session, spec, apiKey);
    }),
  );
}

/** Asks which images, which annotator and how to merge; undefined when the user backs out. */
async function askAnnotateSpec(
  session: DatasetSession,
  keys: ApiKeys,
  query: string,
  extensionPath: string,
): Promise<AnnotateJobSpec | undefined> {
  const config = vscode.workspace.getConfiguration('tagbench');
  const text = await vscode.window.showInputBox({
    title: 'Annotate Images (1/3)',
    prompt: 'Which images? A query, or empty for all',
    value: query,
  });
  if (text === undefined) return undefined;
  const data = await session.data();
  const userFolder = config.get<string>('modelsFolder');
  const folders = [join(extensionPath, 'models'), ...(userFolder ? [userFolder] : [])];
  const local = await data.request('listAnnotators', { folders });
  const providers = await keys.usable();
  const choices: Choice<AnnotatorSpec | 'browse' | 'key'>[] = [
    ...local.map((f): Choice<AnnotatorSpec> => ({
      label: f.name,
      description: f.type === 'tagger' ? 'local tagger' : 'local aesthetic scorer',
      detail: f.path,
      value:
        f.type === 'tagger'
          ? {
              type: 'tagger',
              path: f.path,
              general: config.get<number>('annotate.generalThreshold') ?? 0.35,
              character: config.get<number>('annotate.characterThreshold') ?? 0.85,
              batchSize: 8,
            }
          : { type: 'scorer', path: f.path, batchSize: 16 },
    })),
    ...providers.flatMap((p) =>
      p.models.map((m): Choice<AnnotatorSpec> => ({
        label: `${p.label}: ${m.label}`,
        description: m.id,
        value: cloudSpec(p, m.id, config),
      })),
    ),
    {
      label: '$(folder-opened) Choose a tagger folder...',
      description: 'a folder with model.onnx and selected_tags.csv',
      value: 'browse',
    },
    ...(providers.some((p) => !p.keyOptional)
      ? []
      : [
          {
            label: '$(key) Set an API key...',
            description: 'to use OpenAI, Anthropic or Google models',
            value: 'key' as const,
          },
        ]),
  ];
  const picked = await vscode.window.showQuickPick(choices, {
    title: 'Annotate Images (2/3): with which model?',
    matchOnDescription: true,
  });
  if (!picked) return undefined;
  let annotator: AnnotatorSpec;
  if (picked.value === 'key') {
    await vscode.commands.executeCommand('tagbench.setApiKey');
    return undefined;
  } else if (picked.value === 'browse') {
    const folder = await vscode.window.showOpenDialog({
      title: 'A tagger folder (model.onnx and selected_tags.csv)',
      canSelectFiles: false,
      canSelectFolders: true,
      canSelectMany: false,
    });
    if (!folder?.[0]) return undefined;
    annotator = {
      type: 'tagger',
      path: folder[0].fsPath,
      general: config.get<number>('annotate.generalThreshold') ?? 0.35,
      character: config.get<number>('annotate.characterThreshold') ?? 0.85,
      batchSize: 8,
    };
  } else {
    annotator = picked.value;
  }
  if (annotator.type === 'cloud' && annotator.baseUrl && hasCredentialsInUrl(annotator.baseUrl)) {
    void vscode.window.showErrorMessage(
      `Tagbench: the setting tagbench.annotate.openaiCompatibleBaseUrl (${withoutCredentials(annotator.baseUrl)}) has a user name or password in it. Remove it from the URL and set the key with "Tagbench: Set API Key" instead.`,
    );
    return undefined;
  }
  if (annotator.type === 'cloud') {
    const style = await vscode.window.showQuickPick<Choice<CaptionStyle>>(
      [
        { label: 'Booru tags', description: 'comma-separated tags', value: 'tags' },
        { label: 'A sentence', description: 'a natural-language caption', value: 'sentence' },
        { label: 'Both', description: 'tags, then a sentence', value: 'both' },
      ],
      { title: 'Caption style' },
    );
    if (!style) return undefined;
    annotator = { ...annotator, style: style.value };
    if (cloudProvider(annotator.provider).batch) {
      const mode = await vscode.window.showQuickPick<Choice<boolean>>(
        [
          { label: 'Now', description: 'requests at the rate limit; results as they come', value: false },
          {
            label: 'Through the batch API',
            description: 'about half the price; the provider answers within 24 hours; resumable from the Jobs view',
            value: true,
          },
        ],
        { title: 'Send the requests how?' },
      );
      if (!mode) return undefined;
      if (mode.value) annotator = { ...annotator, batch: true };
    }
  }
  const strategy =
    annotator.type === 'scorer'
      ? 'append'
      : (
          await vscode.window.showQuickPick<Choice<MergeStrategy>>(
            [
              {
                label: 'Append new tags',
                description: 'hand-written tags stay; tags you rejected are not added again',
                value: 'append',
              },
              {
                label: 'Replace earlier model tags',
                description: 'tags models added before go, hand-written ones stay',
                value: 'replace',
              },
              {
                label: 'Hold for review',
                description: 'captions stay as they are; accept or reject suggestions later',
                value: 'review',
              },
            ],
            { title: 'Annotate Images (3/3): how do results go into captions?' },
          )
        )?.value;
  if (!strategy) return undefined;
  const spec: AnnotateJobSpec = {
    kind: 'annotate',
    query: text,
    params: {
      annotator,
      merge: { ...DEFAULT_MERGE, strategy },
      captionExtension: config.get<string>('captionExtension') || '.txt',
    },
  };
  if (annotator.type === 'cloud' && !(await confirmCloudRun(session, spec, annotator))) return undefined;
  return spec;
}

/** The cloud spec of a provider's model, with the user's settings. */
function cloudSpec(provider: CloudProvider, model: string, config: vscode.WorkspaceConfiguration): CloudSpec {
  const baseUrl =
    provider.id === 'openai-compatible'
      ? config.get<string>('annotate.openaiCompatibleBaseUrl') || undefined
      : undefined;
  return {
    type: 'cloud',
    provider: provider.id,
    model,
    style: 'tags',
    maxSide: config.get<number>('annotate.maxImageSide') || cloudConfig().defaultMaxSide,
    rpm: config.get<Record<string, number>>('annotate.requestsPerMinute')?.[provider.id] || provider.defaultRpm,
    concurrency: config.get<number>('annotate.concurrency') || 4,
    ...(baseUrl ? { baseUrl } : {}),
  };
}

/** Shows what a cloud run will send and cost, and warns about images refused before; true to go on. */
async function confirmCloudRun(session: DatasetSession, spec: AnnotateJobSpec, annotator: CloudSpec): Promise<boolean> {
  const data = await session.data();
  const model = annotatorId(annotator);
  const { images, refused } = await data.request('annotationPreflight', { query: spec.query, model });
  if (images === 0) {
    void vscode.window.showInformationMessage('Tagbench: the query matches no images.');
    return false;
  }
  const estimate = await data.request('annotationEstimate', { annotator, query: spec.query });
  const lines = [
    `${images} images, ${estimate.requests} requests to ${model} at up to ${annotator.rpm} a minute (about ${Math.ceil(estimate.minutes)} min).`,
    `About ${estimate.inputTokens.toLocaleString('en-US')} input and ${estimate.outputTokens.toLocaleString('en-US')} output tokens${estimate.cost ? `, about $${estimate.cost.total.toFixed(2)} (prices as of ${estimate.pricesAsOf})` : ' (no price is configured for this model)'}.`,
  ];
  if (refused > 0)
    lines.push(`${refused} of these images were refused by ${model} before (content policy); they will be sent again.`);
  const go = await vscode.window.showWarningMessage(
    `Annotate with ${model}?`,
    { modal: true, detail: lines.join('\n') },
    'Start',
  );
  return go === 'Start';
}
