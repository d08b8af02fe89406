/**
 * Which caption and sidecar belong to which image: `<stem>.txt` and `<stem>.tagbench.json` beside
 * `<stem>.<image ext>`. Also finds captions no image claims and captions several images share.
 */
import { SIDECAR_SUFFIX } from '../sidecar/sidecar.ts';
import { problem } from '../problems.ts';
import type { Problem } from '../problems.ts';
import type { ScannedFile } from './scanFolder.ts';

/** The path without its last extension: '10_alice/a.b.png' -> '10_alice/a.b'. */
export function stemOf(path: string): string {
  const slash = path.lastIndexOf('/');
  const dot = path.lastIndexOf('.');
  return dot > slash + 1 ? path.slice(0, dot) : path;
}

/** The caption path that goes with an image path. */
export function captionPathFor(imagePath: string, captionExtension: string): string {
  return stemOf(imagePath) + captionExtension;
}

/** The sidecar path that goes with an image path. */
export function sidecarPathFor(imagePath: string): string {
  return stemOf(imagePath) + SIDECAR_SUFFIX;
}

/** The result of pairing a scan's files. */
export interface Pairing {
  /** Caption files with no image of their stem. */
  orphanCaptions: ScannedFile[];
  /** Sidecar files with no image of their stem. */
  orphanSidecars: ScannedFile[];
  /** caption-shared problems. */
  problems: Problem[];
}

/** Pairs captions and sidecars with images (all image files, whether or not they decode). */
export function pairFiles(
  images: readonly ScannedFile[],
  captions: ReadonlyMap<string, ScannedFile>,
  sidecars: ReadonlyMap<string, ScannedFile>,
  captionExtension: string,
): Pairing {
  const claims = new Map<string, string[]>();
  const stems = new Set<string>();
  for (const image of images) {
    stems.add(stemOf(image.path));
    const caption = captionPathFor(image.path, captionExtension);
    if (captions.has(caption)) {
      const list = claims.get(caption);
      if (list) list.push(image.path);
      else claims.set(caption, [image.path]);
    }
  }
  const problems: Problem[] = [];
  for (const [caption, owners] of claims) {
    if (owners.length > 1) {
      const names = owners.map((p) => p.slice(p.lastIndexOf('/') + 1)).sort();
      problems.push(
        problem(
          caption,
          'caption-shared',
          `${names.length} images share this caption (${names.join(', ')}); trainers will use it for each of them. Give each image its own caption or remove the extra images.`,
        ),
      );
    }
  }
  const orphanCaptions = [...captions.values()].filter((c) => !claims.has(c.path));
  const orphanSidecars = [...sidecars.values()].filter((s) => !stems.has(s.path.slice(0, -SIDECAR_SUFFIX.length)));
  return { orphanCaptions, orphanSidecars, problems };
}
