/**
 * The pixel arithmetic of a resize step, separate from any decoding so it can be planned, shown and
 * tested exactly. Crop-to-bucket follows sd-scripts: scale so the image covers the bucket (sides
 * rounded half up), then cut the overflow evenly, the odd pixel going to the right or bottom.
 */
import type { CropRect } from './cropRect.ts';
import type { ResizeOp } from './operations.ts';

/** What a resize does to an image of a given size, in order: scale, then cut, then pad. */
export interface ResizeGeometry {
  /** Size after scaling (equal to the input size when nothing is scaled). */
  scaled: { width: number; height: number };
  /** Region of the scaled image kept ('crop' mode), or undefined. */
  cut?: CropRect;
  /** Border added on each side ('pad' mode), or undefined. */
  pad?: { top: number; bottom: number; left: number; right: number };
  /** Final size. */
  width: number;
  height: number;
}

/** The geometry of a resize step applied to a width x height image. */
export function resizeGeometry(
  width: number,
  height: number,
  op: Pick<ResizeOp, 'width' | 'height' | 'mode' | 'allowUpscale'>,
): ResizeGeometry {
  const { width: tw, height: th } = op;
  // Integer cross products decide "wider than the target" exactly, as sd-scripts' float comparison intends.
  const wider = width * th > tw * height;
  if (op.mode === 'crop') {
    // Covering scales by th/height when the image is wider than the target, else by tw/width.
    const upscale = wider ? th > height : tw > width;
    if (upscale && !op.allowUpscale) {
      // The target's aspect ratio at the image's own scale: one side kept, the other cut.
      const w = wider ? Math.max(1, Math.floor((tw * height) / th)) : width;
      const h = wider ? height : Math.max(1, Math.floor((th * width) / tw));
      return { scaled: { width, height }, cut: centred(width, height, w, h), width: w, height: h };
    }
    // The same float expressions as sd-scripts (int(size * scale + 0.5)), so rounding matches it.
    const scaled = wider
      ? { width: Math.floor(width * (th / height) + 0.5), height: th }
      : { width: tw, height: Math.floor(height * (tw / width) + 0.5) };
    return { scaled, cut: centred(scaled.width, scaled.height, tw, th), width: tw, height: th };
  }
  // Fitting scales by tw/width when the image is wider than the target, else by th/height.
  const upscale = wider ? tw > width : th > height;
  const fit =
    upscale && !op.allowUpscale
      ? { width, height }
      : wider
        ? { width: tw, height: Math.max(1, Math.floor(height * (tw / width) + 0.5)) }
        : { width: Math.max(1, Math.floor(width * (th / height) + 0.5)), height: th };
  if (op.mode === 'fit') return { scaled: fit, width: fit.width, height: fit.height };
  const left = Math.floor((tw - fit.width) / 2);
  const top = Math.floor((th - fit.height) / 2);
  const pad = { top, bottom: th - fit.height - top, left, right: tw - fit.width - left };
  return { scaled: fit, pad, width: tw, height: th };
}

function centred(width: number, height: number, w: number, h: number): CropRect {
  return { left: Math.floor((width - w) / 2), top: Math.floor((height - h) / 2), width: w, height: h };
}
