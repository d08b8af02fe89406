/**
 * The crop state kept in an image's sidecar: none, auto (found by auto-crop, not yet reviewed),
 * approved (auto, then reviewed) or manual (drawn by hand). Batch runs never redo approved or manual
 * crops: only a person changes those.
 */
import type { Sidecar } from '../sidecar/sidecar.ts';
import type { CropRect } from './cropRect.ts';
import { rectProblem } from './cropRect.ts';

/** The states a crop can be in. */
export type CropStateName = 'none' | 'auto' | 'approved' | 'manual';

/** A sidecar's crop: its state and, unless 'none', the kept region (displayed coordinates). */
export interface CropState {
  state: CropStateName;
  rect?: CropRect;
}

const STATES: readonly CropStateName[] = ['none', 'auto', 'approved', 'manual'];

/** The sidecar's crop; { state: 'none' } when it has none. */
export function cropOf(sidecar: Sidecar): CropState {
  const crop = sidecar.crop;
  if (!crop || crop.state === 'none') return { state: 'none' };
  return crop.rect ? { state: crop.state, rect: { ...crop.rect } } : { state: crop.state };
}

/**
 * A copy of the sidecar with this crop. 'none' removes the crop field (so an image with nothing
 * else to store needs no sidecar); the other states need a rect, checked against `size` when given.
 */
export function withCrop(
  sidecar: Sidecar,
  state: CropStateName,
  rect?: CropRect,
  size?: { width: number; height: number },
): Sidecar {
  if (!STATES.includes(state)) throw new RangeError(`Unknown crop state "${String(state)}"; use ${STATES.join(', ')}.`);
  const { crop: _old, ...rest } = sidecar;
  if (state === 'none') return rest as Sidecar;
  if (!rect) throw new RangeError(`A crop in state "${state}" needs a rect.`);
  const problem = rectProblem(rect, size);
  if (problem) throw new RangeError(`The crop rect is unusable: ${problem}.`);
  const { left, top, width, height } = rect;
  return { ...rest, crop: { state, rect: { left, top, width, height } } } as Sidecar;
}

/** Whether a batch auto-crop may set this image's crop: yes for none and auto, never for approved or manual. */
export function shouldAutoCrop(sidecar: Sidecar): boolean {
  const state = sidecar.crop?.state ?? 'none';
  return state === 'none' || state === 'auto';
}

/** A reviewed auto crop: 'auto' becomes 'approved' with the same rect; other states are returned unchanged. */
export function approveCrop(sidecar: Sidecar): Sidecar {
  const crop = cropOf(sidecar);
  return crop.state === 'auto' && crop.rect ? withCrop(sidecar, 'approved', crop.rect) : sidecar;
}
