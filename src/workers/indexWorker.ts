/** Worker thread that indexes a dataset, reporting progress and stopping when told to. */
import { indexDataset } from '../core/index/indexer.ts';
import type { IndexWorkerApi, IndexWorkerEvents } from '../protocol/workerProtocol.ts';
import { connectToParent } from './workerChannel.ts';

const parent = connectToParent<IndexWorkerApi, IndexWorkerEvents>();
let controller: AbortController | undefined;
let lastProgress = 0;

parent.handle('run', async ({ root, options }) => {
  controller = new AbortController();
  try {
    return await indexDataset(root, {
      ...options,
      signal: controller.signal,
      onProgress: (progress) => {
        const now = performance.now();
        if (progress.phase !== 'read' || progress.done === progress.total || now - lastProgress > 100) {
          lastProgress = now;
          parent.notify('progress', progress);
        }
      },
    });
  } finally {
    controller = undefined;
  }
});

parent.on('cancel', () => controller?.abort());
