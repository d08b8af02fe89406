/** Worker thread serving one dataset's queries and edits (a DatasetService) to the extension host. */
import { DatasetService } from '../core/service/datasetService.ts';
import type { DataWorkerApi, DataWorkerEvents } from '../protocol/dataProtocol.ts';
import { connectToParent } from './workerChannel.ts';

const host = connectToParent<DataWorkerApi, DataWorkerEvents>();
let service: DatasetService | undefined;

const current = (): DatasetService => {
  if (!service) throw new Error('The dataset is not open yet.');
  return service;
};

host.handle('open', ({ root, reopen, ...settings }) => {
  if (service && (service.root !== root || reopen)) {
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
host.handle('folderListing', ({ dir }) => current().folderListing(dir));
host.handle('problems', () => current().problems());
host.handle('neighbour', ({ query, id, step }) => current().neighbour(query, id, step));
host.handle('position', ({ query, id }) => current().position(query, id));
host.handle('resolveSelection', ({ selection }) => current().resolveSelection(selection));
host.handle('previewBatch', ({ selection, action }) => current().previewBatch(selection, action));
host.handle('applyBatch', ({ planId }) => current().applyBatch(planId));
host.handle('undoBatch', () => current().undoBatch());
host.handle('canUndo', () => current().canUndo());
host.handle('ensureThumbnail', ({ id }) => current().ensureThumbnail(id));
host.handle('listProjects', () => current().listProjects());
host.handle('createProject', ({ name, selection, query, trigger }) => current().createProject(name, selection, query, trigger));
host.handle('deleteProject', ({ name }) => current().deleteProject(name));
