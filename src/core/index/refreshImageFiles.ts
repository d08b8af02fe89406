/**
 * Re-reading one indexed image's caption and sidecar after Tagbench itself wrote them (an annotation,
 * a merge), so the index follows at once instead of at the next scan.
 */
import type { Database } from 'better-sqlite3';
import { captionPathFor, sidecarPathFor } from '../dataset/filePairing.ts';
import { readCaption, readSidecarState, scannedFile } from './imageFileReader.ts';
import type { ImageStore } from './imageStore.ts';
import type { Problem } from '../problems.ts';

/** Updates the index rows of the image at `path` from its caption and sidecar files; false when it is not indexed. */
export function refreshImageFiles(
  db: Database,
  store: ImageStore,
  root: string,
  path: string,
  captionExtension: string,
): boolean {
  const row = db.prepare('SELECT id, sidecar_path FROM images WHERE path = ?').get(path) as
    { id: number; sidecar_path: string | null } | undefined;
  if (!row) return false;
  const problems: Problem[] = [];
  store.setCaption(row.id, readCaption(root, scannedFile(root, captionPathFor(path, captionExtension)), problems));
  store.setSidecar(
    row.id,
    readSidecarState(
      root,
      scannedFile(root, row.sidecar_path ?? sidecarPathFor(path)) ?? scannedFile(root, sidecarPathFor(path)),
      problems,
    ),
  );
  return true;
}
