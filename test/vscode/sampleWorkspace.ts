/** Fresh sample datasets for VS Code tests, inside the session's scratch folder. */
import { join } from 'node:path';
import { generateSample } from '../sample/sampleDataset.ts';
import { vscodeSession } from './session.ts';

/** A generated dataset on disk. */
export interface SampleWorkspace {
  dir: string;
  images: number;
}

let made = 0;

/** Writes a new sample dataset (40 images by default) into the session's scratch folder. */
export async function makeSampleWorkspace(
  name = 'dataset',
  options: { count?: number; seed?: number } = {},
): Promise<SampleWorkspace> {
  const dir = join(vscodeSession().scratch, 'datasets', `${++made}-${name}`);
  const result = await generateSample(dir, { count: options.count ?? 40, seed: options.seed ?? 7 });
  return { dir, images: result.images };
}
