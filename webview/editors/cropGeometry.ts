/**
 * Geometry of the crop tool, in image pixels: drawing a rectangle between two points, moving it,
 * resizing it by one of its eight handles or by keys, fitting it to an aspect ratio, and keeping it
 * inside the image. Every result has whole-pixel sides of at least 1.
 */
import type { CropRectView } from '../../src/protocol/editorProtocol.ts';

/** A point in image pixels (not necessarily whole). */
export interface Point {
  x: number;
  y: number;
}

/** An image's size in pixels. */
export interface Size {
  width: number;
  height: number;
}

/** The eight resize handles: edges and corners, by compass direction. */
export type Handle = 'n' | 'ne' | 'e' | 'se' | 's' | 'sw' | 'w' | 'nw';

/** The handles in drawing order, clockwise from the top. */
export const HANDLES: readonly Handle[] = ['n', 'ne', 'e', 'se', 's', 'sw', 'w', 'nw'];

const clamp = (value: number, min: number, max: number): number => Math.min(max, Math.max(min, value));

/** A point moved inside the image. */
export function clampPoint(point: Point, bounds: Size): Point {
  return { x: clamp(point.x, 0, bounds.width), y: clamp(point.y, 0, bounds.height) };
}

/**
 * The rectangle from a fixed corner `anchor` towards `point` (drawing, or dragging a corner handle),
 * with the aspect ratio `aspect` (width / height) when given, as large as the pointer asks but
 * inside the image.
 */
export function rectFromPoints(anchor: Point, point: Point, aspect: number | null, bounds: Size): CropRectView {
  const ax = clamp(Math.round(anchor.x), 0, bounds.width);
  const ay = clamp(Math.round(anchor.y), 0, bounds.height);
  const p = clampPoint(point, bounds);
  const right = p.x >= ax;
  const down = p.y >= ay;
  const maxW = Math.max(1, right ? bounds.width - ax : ax);
  const maxH = Math.max(1, down ? bounds.height - ay : ay);
  let w = Math.abs(p.x - ax);
  let h = Math.abs(p.y - ay);
  if (aspect) {
    if (w / Math.max(h, 1e-9) > aspect) h = w / aspect;
    else w = h * aspect;
    if (w > maxW) [w, h] = [maxW, maxW / aspect];
    if (h > maxH) [w, h] = [maxH * aspect, maxH];
  }
  const width = clamp(Math.round(w), 1, maxW);
  const height = clamp(Math.round(h), 1, maxH);
  return inside({ left: right ? ax : ax - width, top: down ? ay : ay - height, width, height }, bounds);
}

/** The rectangle moved by (dx, dy), stopping at the image's edges. */
export function moveRect(rect: CropRectView, dx: number, dy: number, bounds: Size): CropRectView {
  return inside({ ...rect, left: Math.round(rect.left + dx), top: Math.round(rect.top + dy) }, bounds);
}

/** The corner opposite a corner handle, which stays put while that handle is dragged. */
export function oppositeCorner(rect: CropRectView, handle: 'ne' | 'se' | 'sw' | 'nw'): Point {
  return {
    x: handle.includes('e') ? rect.left : rect.left + rect.width,
    y: handle.includes('s') ? rect.top : rect.top + rect.height,
  };
}

/**
 * The rectangle with `handle` dragged to `point` (the rectangle as it was when the drag started):
 * corners keep the opposite corner still, edges the opposite edge; with an aspect ratio, an edge
 * handle changes the other side too, around its middle.
 */
export function resizeRect(
  rect: CropRectView,
  handle: Handle,
  point: Point,
  aspect: number | null,
  bounds: Size,
): CropRectView {
  if (handle.length === 2)
    return rectFromPoints(oppositeCorner(rect, handle as 'ne' | 'se' | 'sw' | 'nw'), point, aspect, bounds);
  const p = clampPoint(point, bounds);
  if (handle === 'e' || handle === 'w') {
    const fixed = handle === 'e' ? rect.left : rect.left + rect.width;
    let width = Math.max(1, Math.round(Math.abs(p.x - fixed)));
    let { top, height } = rect;
    if (aspect) {
      width = Math.max(1, Math.min(width, Math.floor(bounds.height * aspect)));
      height = Math.max(1, Math.round(width / aspect));
      top = Math.round(rect.top + rect.height / 2 - height / 2);
    }
    return inside({ left: p.x >= fixed ? fixed : fixed - width, top, width, height }, bounds);
  }
  const fixed = handle === 's' ? rect.top : rect.top + rect.height;
  let height = Math.max(1, Math.round(Math.abs(p.y - fixed)));
  let { left, width } = rect;
  if (aspect) {
    height = Math.max(1, Math.min(height, Math.floor(bounds.width / aspect)));
    width = Math.max(1, Math.round(height * aspect));
    left = Math.round(rect.left + rect.width / 2 - width / 2);
  }
  return inside({ left, top: p.y >= fixed ? fixed : fixed - height, width, height }, bounds);
}

/**
 * The rectangle `dw` wider and `dh` taller (negative: smaller), its top-left corner still; with an
 * aspect ratio the other side follows. For keyboard resizing.
 */
export function resizeBy(
  rect: CropRectView,
  dw: number,
  dh: number,
  aspect: number | null,
  bounds: Size,
): CropRectView {
  let width = clamp(rect.width + dw, 1, bounds.width - rect.left);
  let height = clamp(rect.height + dh, 1, bounds.height - rect.top);
  if (aspect) {
    if (dw !== 0) height = Math.max(1, Math.round(width / aspect));
    else width = Math.max(1, Math.round(height * aspect));
    if (rect.left + width > bounds.width || rect.top + height > bounds.height) {
      const scale = Math.min((bounds.width - rect.left) / width, (bounds.height - rect.top) / height);
      width = Math.max(1, Math.floor(width * scale));
      height = Math.max(1, Math.floor(height * scale));
    }
  }
  return inside({ left: rect.left, top: rect.top, width, height }, bounds);
}

/** The largest rectangle of this aspect ratio (the whole image when null) centred in the image. */
export function largestRect(aspect: number | null, bounds: Size): CropRectView {
  if (!aspect) return { left: 0, top: 0, width: bounds.width, height: bounds.height };
  let width = bounds.width;
  let height = Math.round(width / aspect);
  if (height > bounds.height) {
    height = bounds.height;
    width = Math.round(height * aspect);
  }
  width = clamp(width, 1, bounds.width);
  height = clamp(height, 1, bounds.height);
  return { left: Math.floor((bounds.width - width) / 2), top: Math.floor((bounds.height - height) / 2), width, height };
}

/** The rectangle reshaped to an aspect ratio around its centre, keeping about its area, inside the image. */
export function fitAspect(rect: CropRectView, aspect: number, bounds: Size): CropRectView {
  const area = rect.width * rect.height;
  let width = Math.sqrt(area * aspect);
  let height = width / aspect;
  const scale = Math.min(1, bounds.width / width, bounds.height / height);
  width = clamp(Math.round(width * scale), 1, bounds.width);
  height = clamp(Math.round(height * scale), 1, bounds.height);
  const cx = rect.left + rect.width / 2;
  const cy = rect.top + rect.height / 2;
  return inside({ left: Math.round(cx - width / 2), top: Math.round(cy - height / 2), width, height }, bounds);
}

/** Whether the rectangle has this aspect ratio, give or take a pixel's rounding. */
export function hasAspect(rect: CropRectView, aspect: number): boolean {
  return (
    Math.abs(Math.round(rect.height * aspect) - rect.width) <= 1 ||
    Math.abs(Math.round(rect.width / aspect) - rect.height) <= 1
  );
}

/** `4:3`, `13:19`, or the ratio to two decimals (`1.78:1`) when the sides share no small divisor. */
export function describeAspect(width: number, height: number): string {
  const divisor = gcd(width, height);
  const w = width / divisor;
  const h = height / divisor;
  if (w <= 64 && h <= 64) return `${w}:${h}`;
  return width >= height ? `${(width / height).toFixed(2)}:1` : `1:${(height / width).toFixed(2)}`;
}

/** The rectangle with whole sides of at least 1, moved (and if need be shrunk) to lie inside the image. */
export function inside(rect: CropRectView, bounds: Size): CropRectView {
  const width = clamp(Math.round(rect.width), 1, Math.max(1, bounds.width));
  const height = clamp(Math.round(rect.height), 1, Math.max(1, bounds.height));
  return {
    left: clamp(Math.round(rect.left), 0, Math.max(0, bounds.width - width)),
    top: clamp(Math.round(rect.top), 0, Math.max(0, bounds.height - height)),
    width,
    height,
  };
}

/** Whether the point lies inside the rectangle. */
export function contains(rect: CropRectView, point: Point): boolean {
  return (
    point.x >= rect.left &&
    point.x <= rect.left + rect.width &&
    point.y >= rect.top &&
    point.y <= rect.top + rect.height
  );
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}
