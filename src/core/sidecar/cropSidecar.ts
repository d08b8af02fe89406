/**
 * The image editor's crop as kept in the image's `<stem>.tagbench.json` sidecar: reading it for the
 * editor, and writing a changed crop back atomically, leaving every other field as it is. A sidecar
 * is created only for a crop to store; it records the image's current SHA-256.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { writeFileAtomic } from '../atomicWrite.ts';
import { cropOf, withCrop } from '../processing/cropState.ts';
import { formatSidecar, parseSidecar, writeSidecar } from './sidecar.ts';
import type { Sidecar } from './sidecar.ts';
import type { CropView } from '../../shared/cropView.ts';

/** A sidecar's crop as the editor shows it, and why the sidecar cannot be used ('' when it can). */
export interface StoredCrop {
  crop: CropView | null;
  problem: string;
}

/** Reads the crop from `sidecarFile`: null when there is no sidecar, no crop, or a crop without a rect. */
export function readStoredCrop(sidecarFile: string): StoredCrop {
  let bytes: Buffer;
  try {
    bytes = readFileSync(sidecarFile);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { crop: null, problem: '' };
    return { crop: null, problem: `${sidecarFile} cannot be read: ${(err as Error).message}` };
  }
  try {
    const crop = cropOf(parseSidecar(bytes));
    return { crop: crop.state !== 'none' && crop.rect ? { state: crop.state, rect: crop.rect } : null, problem: '' };
  } catch (err) {
    return { crop: null, problem: `${sidecarFile}: ${(err as Error).message}` };
  }
}

/**
 * Stores `crop` (null: no crop) in the sidecar of `imageFile`, checking the rect against `size` when
 * known. Returns whether a file was written (removing a crop from an image without a sidecar writes none).
 */
export async function writeStoredCrop(
  sidecarFile: string,
  imageFile: string,
  crop: CropView | null,
  size?: { width: number; height: number },
): Promise<boolean> {
  return writeCropSidecar(sidecarFile, imageFile, await imageSha256(imageFile), crop, size);
}

/** The SHA-256 a crop's sidecar records for its image, read without blocking the thread. */
export async function imageSha256(imageFile: string): Promise<string> {
  return createHash('sha256')
    .update(await readFile(imageFile))
    .digest('hex');
}

/** writeStoredCrop with the image's SHA-256 known: synchronous, so it can run under a held lock. */
export function writeCropSidecar(
  sidecarFile: string,
  imageFile: string,
  sha256: string,
  crop: CropView | null,
  size?: { width: number; height: number },
): boolean {
  let existing: Sidecar | null = null;
  try {
    existing = parseSidecar(readFileSync(sidecarFile));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new Error(
        `The crop was not saved: ${sidecarFile} cannot be used (${(err as Error).message}). Fix or remove it first.`,
        { cause: err },
      );
    }
  }
  if (!existing && !crop) return false;
  const base: Sidecar = existing
    ? { ...existing, image: { ...existing.image, sha256 } }
    : { tagbench: 1, image: { sha256, file: basename(imageFile) } };
  const next = crop ? withCrop(base, crop.state, crop.rect, size) : withCrop(base, 'none');
  if (!existing) return writeSidecar(sidecarFile, next);
  // An existing sidecar is rewritten even when nothing but the image's identity is left in it.
  writeFileAtomic(sidecarFile, formatSidecar(next));
  return true;
}

/** Whether two crops are the same. */
export function sameCrop(a: CropView | null, b: CropView | null): boolean {
  if (a === null || b === null) return a === b;
  return (
    a.state === b.state &&
    a.rect.left === b.rect.left &&
    a.rect.top === b.rect.top &&
    a.rect.width === b.rect.width &&
    a.rect.height === b.rect.height
  );
}
