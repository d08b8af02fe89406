/**
 * The thumbnail cache: `.tagbench/cache/thumbs/<first two hex digits>/<sha256>-<size>.webp`, keyed by
 * content hash, so renamed and duplicate images share one thumbnail. Deleting the folder is safe:
 * thumbnails are made again while indexing or on demand; an index run evicts those of content no
 * longer in the index.
 */
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '../atomicWrite.ts';
import { isAtomicTempName } from '../strayTempFiles.ts';
import { analyzeImage } from './analyzeImage.ts';

/** Where the thumbnail of content `sha256` at `size` px lives. */
export function thumbnailFile(thumbsDir: string, sha256: string, size: number): string {
  return join(thumbsDir, sha256.slice(0, 2), `${sha256}-${size}.webp`);
}

/** Stores a thumbnail (atomically; no fsync, it is a cache). */
export function storeThumbnail(file: string, webp: Uint8Array): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileAtomic(file, webp, { durable: false });
}

/** Returns the thumbnail file for an image, making it from the image file first if it is missing. */
export async function ensureThumbnail(
  thumbsDir: string,
  imageFile: string,
  sha256: string,
  size: number,
  maxPixels?: number,
): Promise<string> {
  const file = thumbnailFile(thumbsDir, sha256, size);
  if (existsSync(file)) return file;
  const ext = imageFile.slice(imageFile.lastIndexOf('.') + 1);
  const { thumbnail } = await analyzeImage(await readFile(imageFile), {
    ext,
    thumbnailSize: size,
    ...(maxPixels ? { maxPixels } : {}),
  });
  storeThumbnail(file, thumbnail!);
  return file;
}

/** What an eviction pass did. */
export interface ThumbnailSweep {
  /** Thumbnails removed because their content is no longer indexed. */
  removed: number;
  /** Temporary files of ours found among the thumbnails (the caller decides whether they are stray). */
  temps: string[];
}

/**
 * Removes the thumbnails whose content hash `isLive` does not know (their images were removed or
 * changed), of any size. Lists the folder before asking, so a thumbnail made meanwhile for a new
 * image is never seen. Never throws: what cannot be removed now is removed by a later pass.
 */
export function evictThumbnails(thumbsDir: string, isLive: (sha256: string) => boolean): ThumbnailSweep {
  const sweep: ThumbnailSweep = { removed: 0, temps: [] };
  let shards: string[];
  try {
    shards = readdirSync(thumbsDir).filter((name) => /^[0-9a-f]{2}$/.test(name));
  } catch {
    return sweep;
  }
  const listed: { shard: string; names: string[] }[] = [];
  for (const shard of shards) {
    try {
      listed.push({ shard, names: readdirSync(join(thumbsDir, shard)) });
    } catch {
      // Removed meanwhile.
    }
  }
  for (const { shard, names } of listed) {
    const folder = join(thumbsDir, shard);
    for (const name of names) {
      if (!THUMBNAIL_NAME.test(name)) {
        if (isAtomicTempName(name)) sweep.temps.push(join(folder, name));
        continue;
      }
      if (isLive(name.slice(0, 64))) continue;
      try {
        rmSync(join(folder, name));
        sweep.removed++;
      } catch {
        // Removed by someone else, or not removable now.
      }
    }
  }
  return sweep;
}

const THUMBNAIL_NAME = /^[0-9a-f]{64}-[1-9][0-9]*\.webp$/;
