/** The kept region of an image, in displayed (EXIF-oriented) pixel coordinates. */

/** A region to keep: integer pixels, origin at the displayed image's top-left corner. */
export interface CropRect {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** Why a rectangle is unusable, in one sentence; undefined when it is a valid rectangle (inside `size` when given). */
export function rectProblem(value: unknown, size?: { width: number; height: number }): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return 'it must be an object with left, top, width and height';
  const rect = value as Record<string, unknown>;
  const extra = Object.keys(rect).filter((key) => !['left', 'top', 'width', 'height'].includes(key));
  if (extra.length > 0) return `it has an unknown field "${extra[0]}"`;
  for (const key of ['left', 'top', 'width', 'height'] as const) {
    const n = rect[key];
    if (typeof n !== 'number' || !Number.isSafeInteger(n))
      return `its ${key} must be a whole number, not ${typeof n === 'number' || n === undefined ? String(n) : JSON.stringify(n)}`;
    const min = key === 'width' || key === 'height' ? 1 : 0;
    if (n < min) return `its ${key} must be at least ${min}, not ${n}`;
  }
  const { left, top, width, height } = rect as unknown as CropRect;
  if (size && (left + width > size.width || top + height > size.height)) {
    return `${describeRect({ left, top, width, height })} reaches outside the ${size.width}x${size.height} image`;
  }
  return undefined;
}

/** `WxH at (left,top)`, for messages. */
export function describeRect(rect: CropRect): string {
  return `${rect.width}x${rect.height} at (${rect.left},${rect.top})`;
}

/** Whether a rectangle covers the whole image (a crop that changes nothing). */
export function isWholeImage(rect: CropRect, width: number, height: number): boolean {
  return rect.left === 0 && rect.top === 0 && rect.width === width && rect.height === height;
}
