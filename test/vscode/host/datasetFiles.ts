/** What the in-host tests expect, read from the dataset's files rather than from Tagbench's own reports. */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const IMAGE = /\.(jpe?g|png|webp|gif|bmp|tiff?|avif)$/i;

/** The image files under `folder` of the dataset (at any depth, `.tagbench/` left out), dataset-relative and sorted. */
export function imagesOnDisk(root: string, folder = ''): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    for (const entry of readdirSync(join(root, rel), { withFileTypes: true })) {
      if (entry.name.startsWith('.')) continue;
      const path = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(path);
      else if (IMAGE.test(entry.name)) out.push(path);
    }
  };
  walk(folder);
  return out.sort();
}

/** Each image file of the dataset (dataset-relative path) with the SHA-256 of its bytes. */
export function hashImages(root: string): Map<string, string> {
  return new Map(
    imagesOnDisk(root).map((path) => [
      path,
      createHash('sha256')
        .update(readFileSync(join(root, path)))
        .digest('hex'),
    ]),
  );
}

/** The caption file beside an image (`.txt`). */
export function captionFileOf(root: string, image: string): string {
  return join(root, image.replace(/\.[^./]+$/, '.txt'));
}

/** The bytes of an image's caption file, or null when it has none. */
export function captionBytes(root: string, image: string): Buffer | null {
  return existsSync(captionFileOf(root, image)) ? readFileSync(captionFileOf(root, image)) : null;
}
