/**
 * Sidecars whose image is gone from beside them. If an image with the content hash a sidecar records
 * has no sidecar of its own, it was moved without it: it takes the metadata, and a problem tells the
 * user to move the file along. Otherwise the sidecar is reported as orphaned.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Database } from 'better-sqlite3';
import { parseSidecar, SidecarError } from '../sidecar/sidecar.ts';
import { problem } from '../problems.ts';
import type { Problem } from '../problems.ts';
import type { ScannedFile } from '../dataset/scanFolder.ts';
import { sidecarPathFor } from '../dataset/filePairing.ts';
import type { ImageStore } from './imageStore.ts';
import type { IndexedImage } from './indexedState.ts';

/** Matches orphaned sidecars to moved images by content hash; records a problem for each. */
export function adoptOrphanSidecars(
  db: Database,
  store: ImageStore,
  root: string,
  orphans: readonly ScannedFile[],
  indexed: Map<string, IndexedImage>,
  problems: Problem[],
): void {
  const bySha = db.prepare(
    'SELECT id, path FROM images WHERE sha256 = ? AND (sidecar_path IS NULL OR sidecar_path = ?) ORDER BY id LIMIT 1',
  );
  for (const orphan of orphans) {
    let sha: string;
    let json: string;
    try {
      const bytes = readFileSync(join(root, orphan.path));
      sha = parseSidecar(bytes).image.sha256;
      json = bytes.toString('utf8');
    } catch (err) {
      const message =
        err instanceof SidecarError ? err.message : `The sidecar cannot be read: ${(err as Error).message}.`;
      problems.push(problem(orphan.path, 'sidecar-invalid', message));
      continue;
    }
    const owner = bySha.get(sha, orphan.path) as { id: number; path: string } | undefined;
    if (owner) {
      store.setSidecar(owner.id, { path: orphan.path, size: orphan.size, mtimeMs: orphan.mtimeMs, json });
      const row = indexed.get(owner.path);
      if (row) {
        row.sidecarPath = orphan.path;
        row.sidecarSize = orphan.size;
        row.sidecarMtimeMs = orphan.mtimeMs;
      }
      problems.push(
        problem(
          orphan.path,
          'sidecar-detached',
          `This metadata belongs to ${owner.path} (same content hash), which was moved without it; move it to ${sidecarPathFor(owner.path)}.`,
        ),
      );
    } else {
      problems.push(
        problem(
          orphan.path,
          'sidecar-without-image',
          'No image with this name or with the content hash it records is in the dataset.',
        ),
      );
    }
  }
}
