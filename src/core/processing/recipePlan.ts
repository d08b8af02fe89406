/**
 * The geometry of a whole recipe for an image of a known size, worked out before decoding: the
 * region cut from the original, the scaled size, the cut after scaling and the padding. Checks every
 * rectangle against the size it applies to, and the sizes against the pixel limit.
 */
import type { CropRect } from './cropRect.ts';
import { isWholeImage, rectProblem } from './cropRect.ts';
import { RecipeError } from './operations.ts';
import type { Operation, ResizeOp } from './operations.ts';
import { resizeGeometry } from './resizeGeometry.ts';

/** The geometric steps, in the order sharp runs them; absent steps change nothing. */
export interface RecipePlan {
  /** Region of the oriented original to keep. */
  extract?: CropRect;
  /** Size to scale the extracted region to. */
  scale?: { width: number; height: number };
  /** Region of the scaled image to keep. */
  cut?: CropRect;
  /** Border to add. */
  pad?: { top: number; bottom: number; left: number; right: number };
  /** Output size. */
  width: number;
  height: number;
}

/** Plans the geometry of `operations` for a width x height (displayed) image; throws RecipeError when it does not fit. */
export function planRecipe(
  width: number,
  height: number,
  operations: readonly Operation[],
  maxPixels: number,
): RecipePlan {
  let w = width;
  let h = height;
  let extract: CropRect | undefined;
  const crop = operations.find((op) => op.op === 'crop');
  if (crop) {
    const problem = rectProblem(crop.rect, { width, height });
    if (problem) throw new RecipeError(`The crop rect is unusable: ${problem}.`);
    if (!isWholeImage(crop.rect, width, height)) extract = { ...crop.rect };
    w = crop.rect.width;
    h = crop.rect.height;
  }
  const resize = operations.find((op): op is ResizeOp => op.op === 'resize');
  if (!resize) return { ...(extract && { extract }), width: w, height: h };

  const geometry = resizeGeometry(w, h, resize);
  for (const [what, size] of [
    ['the scaled image', geometry.scaled],
    ['the output', geometry],
  ] as const) {
    if (size.width * size.height > maxPixels) {
      throw new RecipeError(
        `Resizing the ${w}x${h} image to ${resize.width}x${resize.height} (${resize.mode}) would make ${what} ${size.width}x${size.height}, over the limit of ${maxPixels} pixels.`,
      );
    }
  }
  const scaled = geometry.scaled.width !== w || geometry.scaled.height !== h;
  let cut =
    geometry.cut && !isWholeImage(geometry.cut, geometry.scaled.width, geometry.scaled.height)
      ? geometry.cut
      : undefined;
  if (cut && !scaled) {
    // Nothing is scaled, so the two cuts are one region of the original.
    extract = {
      left: (extract?.left ?? 0) + cut.left,
      top: (extract?.top ?? 0) + cut.top,
      width: cut.width,
      height: cut.height,
    };
    cut = undefined;
  }
  const pad = geometry.pad && Object.values(geometry.pad).some((n) => n > 0) ? geometry.pad : undefined;
  return {
    ...(extract && { extract }),
    ...(scaled && { scale: geometry.scaled }),
    ...(cut && { cut }),
    ...(pad && { pad }),
    width: geometry.width,
    height: geometry.height,
  };
}
