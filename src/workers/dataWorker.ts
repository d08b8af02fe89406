/** Worker thread serving one dataset's queries and edits (a DatasetService) to the extension host. */
import { DatasetService } from '../core/service/datasetService.ts';
import type { DataWorkerApi, DataWorkerEvents } from '../protocol/dataProtocol.ts';
import { connectToParent } from './workerChannel.ts';
import { JobsService } from '../core/service/jobsService.ts';
import { createJobPool, poolItemRunner } from './jobPool.ts';
import { DEFAULT_MAX_PIXELS } from '../core/imaging/sourceImage.ts';

const host = connectToParent<DataWorkerApi, DataWorkerEvents>();
let service: DatasetService | undefined;
let jobs: JobsService | undefined;
let captionExtension = '.txt';
const maxPixels = DEFAULT_MAX_PIXELS;

const currentJobs = (): JobsService => {
  const s = current();
  jobs ??= new JobsService(
    s.db,
    s.root,
    (size) => {
      const pool = createJobPool(size);
      return {
        runner: poolItemRunner(pool, { root: s.root, captionExtension, maxPixels }),
        close: () => pool.destroy(),
      };
    },
    () => captionExtension,
  );
  return jobs;
};

const current = (): DatasetService => {
  if (!service) throw new Error('The dataset is not open yet.');
  return service;
};

host.handle('open', async ({ root, reopen, ...settings }) => {
  captionExtension = settings.captionExtension;
  if (service && (service.root !== root || reopen)) {
    await jobs?.close();
    jobs = undefined;
    service.close();
    service = undefined;
  }
  if (service) service.configure(settings);
  else service = new DatasetService(root, settings);
  service.invalidate();
  return { images: service.imageCount() };
});
host.handle('search', ({ query, offset, limit }) => current().search(query, offset, limit));
host.handle('tagFrequencies', ({ query, limit }) => current().tagFrequencies(query, limit));
host.handle('imageById', ({ id }) => current().imageById(id));
host.handle('imageByPath', ({ path }) => current().imageByPath(path));
host.handle('tagSuggestions', ({ prefix, limit }) => current().tagSuggestions(prefix, limit));
host.handle('fieldValues', ({ field, prefix, limit }) => current().fieldValues(field, prefix, limit));
host.handle('tagDatabaseStatus', () => current().tagDatabaseStatus());
host.handle('folderListing', ({ dir }) => current().folderListing(dir));
host.handle('problems', () => current().problems());
host.handle('neighbour', ({ query, id, step }) => current().neighbour(query, id, step));
host.handle('position', ({ query, id }) => current().position(query, id));
host.handle('resolveSelection', ({ selection }) => current().resolveSelection(selection));
host.handle('previewBatch', ({ selection, action }) => current().previewBatch(selection, action));
host.handle('applyBatch', ({ planId }) => current().applyBatch(planId));
host.handle('undoBatch', () => current().undoBatch());
host.handle('canUndo', () => current().canUndo());
host.handle('redoBatch', () => current().redoBatch());
host.handle('canRedo', () => current().canRedo());
host.handle('ensureThumbnail', ({ id }) => current().ensureThumbnail(id));
host.handle('listProjects', () => current().listProjects());
host.handle('createProject', ({ name, selection, query, trigger }) =>
  current().createProject(name, selection, query, trigger),
);
host.handle('deleteProject', ({ name }) => current().deleteProject(name));
host.handle('exportSource', ({ source }) => currentJobs().exportSource(source));
host.handle('checkExportFolder', ({ out, format }) => currentJobs().checkExportFolder(out, format));
host.handle('planJob', ({ spec }) => currentJobs().plan(spec));
host.handle('runJob', ({ jobId, workers, retryFailed, apiKey }) =>
  currentJobs().run(jobId, workers, (p) => host.notify('jobProgress', p), retryFailed, apiKey),
);
host.handle('listAnnotators', async ({ folders }) =>
  (await import('../core/annotate/annotatorFolders.ts')).findAnnotatorFolders(folders),
);
host.handle('annotationPreflight', ({ query, model }) => currentJobs().annotationPreflight(query, model));
host.handle('annotationEstimate', ({ annotator, query }) => currentJobs().annotationEstimate(query, annotator));
host.handle('cancelJob', ({ jobId }) => currentJobs().cancel(jobId));
host.handle('listJobs', () => currentJobs().list());
host.handle('jobFailures', ({ jobId }) => currentJobs().failures(jobId));
host.handle('unfinishedJobs', () => currentJobs().unfinished());
host.handle('listModels', async ({ userFolder }) => {
  // Loaded on demand: the model catalog brings in onnxruntime, which most sessions never need.
  const { listUpscalerModels } = await import('../core/models/modelCatalog.ts');
  const catalog = await listUpscalerModels(userFolder ? { userFolder } : {});
  return {
    models: catalog.models.map((m) => ({ id: m.id, name: m.name, scale: m.scale, builtIn: m.builtIn })),
    rejected: catalog.rejected.map((r) => ({ file: r.file, reason: r.reason })),
  };
});
