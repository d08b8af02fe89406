/**
 * The thumbnail cache: `.tagbench/cache/thumbs/<first two hex digits>/<sha256>-<size>.webp`, keyed by
 * content hash, so renamed and duplicate images share one thumbnail. Deleting the folder is safe:
 * thumbnails are made again while indexing or on demand.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '../atomicWrite.ts';
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
export async function ensureThumbnail(thumbsDir: string, imageFile: string, sha256: string, size: number, maxPixels?: number): Promise<string> {
  const file = thumbnailFile(thumbsDir, sha256, size);
  if (existsSync(file)) return file;
  const ext = imageFile.slice(imageFile.lastIndexOf('.') + 1);
  const { thumbnail } = await analyzeImage(await readFile(imageFile), { ext, thumbnailSize: size, ...(maxPixels ? { maxPixels } : {}) });
  storeThumbnail(file, thumbnail!);
  return file;
}
