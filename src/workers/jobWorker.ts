/** A pool worker doing one job item at a time: processing or exporting one image. */
import { processImage } from '../core/processing/processImage.ts';
import { exportImage } from '../core/export/exportImage.ts';
import { ItemAborted } from '../core/jobs/jobRunner.ts';
import type { JobWorkerApi } from '../protocol/jobProtocol.ts';
import { connectToParent } from './workerChannel.ts';
import { annotateItems } from '../core/annotate/annotateItems.ts';
import { annotatorKind } from '../core/annotate/annotatorSpec.ts';
import { annotatorParams, localAnnotator } from '../core/annotate/localAnnotatorCache.ts';

const parent = connectToParent<
  JobWorkerApi,
  { requests: Record<string, never>; notifications: Record<string, never> }
>();
let current: AbortController | undefined;

parent.handle('runItem', async ({ request, env }) => {
  current = new AbortController();
  const signal = current.signal;
  try {
    if (request.kind === 'process') {
      return await processImage(
        {
          root: env.root,
          maxPixels: env.maxPixels,
          ...(env.builtInModels ? { builtInModels: env.builtInModels } : {}),
          ...(env.userModels ? { userModels: env.userModels } : {}),
        },
        request.params,
        request.key,
        signal,
      );
    }
    if (request.kind === 'export')
      return await exportImage(
        { root: env.root, captionExtension: env.captionExtension, maxPixels: env.maxPixels },
        request.params,
        request.key,
      );
    throw new Error('Annotation items arrive in batches (annotateBatch).');
  } catch (err) {
    if (signal.aborted) throw new ItemAborted();
    throw err;
  } finally {
    current = undefined;
  }
});

parent.handle('annotateBatch', async ({ params, keys, env }) => {
  current = new AbortController();
  const signal = current.signal;
  try {
    const annotator = await localAnnotator(params.annotator, env);
    return await annotateItems(
      annotator,
      { kind: annotatorKind(params.annotator), params: annotatorParams(params.annotator) },
      keys,
      { root: env.root, captionExtension: params.captionExtension },
      params.merge,
      signal,
    );
  } catch (err) {
    if (signal.aborted) throw new ItemAborted();
    throw err;
  } finally {
    current = undefined;
  }
});

parent.on('cancel', () => current?.abort());
