/** Zoom levels of the image view. */

/** The scales zoom in and zoom out step through. */
export const zoomSteps: readonly number[] = [
  0.05, 0.1, 0.2, 0.25, 0.33, 0.5, 0.67, 0.75, 1, 1.25, 1.5, 2, 3, 4, 6, 8, 12, 16, 24, 32,
];

/** The next step above `scale`. */
export function zoomIn(scale: number): number {
  return zoomSteps.find((s) => s > scale * 1.001) ?? zoomSteps[zoomSteps.length - 1]!;
}

/** The next step below `scale`. */
export function zoomOut(scale: number): number {
  return [...zoomSteps].reverse().find((s) => s < scale * 0.999) ?? zoomSteps[0]!;
}

/** The scale that shows the whole image in the view, never above 100%. */
export function fitScale(width: number, height: number, viewWidth: number, viewHeight: number): number {
  if (width <= 0 || height <= 0 || viewWidth <= 0 || viewHeight <= 0) return 1;
  return Math.min(1, viewWidth / width, viewHeight / height);
}

/** A scale for people: `100%`, `33%`, `1,600%`. */
export function formatScale(scale: number): string {
  return `${Math.round(scale * 100).toLocaleString()}%`;
}
