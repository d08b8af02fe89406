/**
 * Keeping a sidecar's tag provenance in step with a caption edited by hand: tags still in the caption
 * keep their entries (model, confidence), new ones are recorded as the user's, removed ones are
 * dropped; model suggestions not (yet) in the caption keep their review state. A sidecar without a
 * tag list is left alone, and none is created.
 */
import { readFileSync } from 'node:fs';
import { parseTags, tagKey } from '../../shared/tags.ts';
import { formatSidecar, parseSidecar, SidecarError } from './sidecar.ts';
import type { SidecarTag } from './sidecar.ts';
import { writeFileAtomic } from '../atomicWrite.ts';
import { linkTarget } from '../edits/writeTarget.ts';

/**
 * Updates `<stem>.tagbench.json`'s tags for the new caption text (through a symbolic link, which stays);
 * returns whether the file was written. Callers hold the dataset's edit lock (editLock.ts).
 */
export function syncSidecarTags(sidecarFile: string, caption: string): boolean {
  let bytes: Buffer;
  try {
    bytes = readFileSync(sidecarFile);
  } catch {
    return false;
  }
  const next = sidecarTagsFor(bytes, caption);
  if (next === null) return false;
  writeFileAtomic(linkTarget(sidecarFile), next);
  return true;
}

/** The sidecar text with its tags in step with `caption`, or null when nothing changes (or it has no tag list, or is not valid). */
export function sidecarTagsFor(bytes: Buffer, caption: string): string | null {
  let sidecar;
  try {
    sidecar = parseSidecar(bytes);
  } catch (err) {
    if (err instanceof SidecarError) return null;
    throw err;
  }
  if (!Array.isArray(sidecar.tags)) return null;
  const byKey = new Map<string, SidecarTag>(sidecar.tags.map((t) => [tagKey(t.name), t]));
  const inCaption = parseTags(caption).map((name) => byKey.get(tagKey(name)) ?? { name, source: 'user' });
  const captionKeys = new Set(inCaption.map((t) => tagKey(t.name)));
  const pending = sidecar.tags.filter(
    (t) => (t.status === 'suggested' || t.status === 'rejected') && !captionKeys.has(tagKey(t.name)),
  );
  const tags = [
    ...inCaption.map((t) => (t.status === 'suggested' ? { ...t, status: 'accepted' as const } : t)),
    ...pending,
  ];
  const next = formatSidecar({ ...sidecar, tags });
  return next === bytes.toString('utf8') ? null : next;
}
