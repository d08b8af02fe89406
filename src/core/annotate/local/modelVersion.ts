/** Model versions (the first 12 hex digits of a weights file's SHA-256, computed once per file state), and load errors as contract errors. */
import { createHash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { ModelContractError } from '../../models/upscalerContract.ts';

const known = new Map<string, { stamp: string; version: Promise<string> }>();

/** The first 12 hex digits of the file's SHA-256 (streamed; remembered while its size and modification time stay the same). */
export function modelVersion(file: string): Promise<string> {
  const path = resolve(file);
  const stat = statSync(path);
  const stamp = `${stat.size}:${stat.mtimeMs}`;
  const cached = known.get(path);
  if (cached?.stamp === stamp) return cached.version;
  const version = new Promise<string>((done, fail) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', fail)
      .on('end', () => done(hash.digest('hex').slice(0, 12)));
  });
  known.set(path, { stamp, version });
  version.catch(() => {
    if (known.get(path)?.version === version) known.delete(path);
  });
  return version;
}

/**
 * Runs `load` (which loads `file` into a session and checks it); an error other than a
 * ModelContractError becomes one: `<label> cannot be used as a <kind>: its <file> is not a loadable ONNX model (<why>)`.
 */
export async function loadingModel<T>(file: string, label: string, kind: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    if (error instanceof ModelContractError) throw error;
    const why = (error instanceof Error ? error.message : String(error)).split('\n')[0]!.trim();
    throw new ModelContractError(
      `${label} cannot be used as a ${kind}: its ${basename(file)} is not a loadable ONNX model (${why})`,
      { cause: error },
    );
  }
}
