/**
 * tb-crop-layer: the crop rectangle drawn over the image, sized like the shown image. The shading
 * and outline are an SVG in image pixels (its viewBox is the image), the frame and its eight handles
 * are placed in percent of the image, so both stay right at any zoom. While `editing`, dragging
 * outside the frame draws a new rectangle, inside it moves it, and a handle resizes it; every change
 * is a `crop-draft` event with the new rectangle in image pixels.
 */
import { LitElement, css, html, nothing, svg } from 'lit';
import type { TemplateResult } from 'lit';
import type { CropRectView } from '../../src/protocol/editorProtocol.ts';
import { emit } from '../shared/events.ts';
import { styleProps } from '../shared/styleProps.ts';
import { HANDLES, contains, moveRect, rectFromPoints, resizeRect } from './cropGeometry.ts';
import type { Handle, Point, Size } from './cropGeometry.ts';

/** Detail of `crop-draft`: the rectangle as drawn so far. */
export interface CropDraftDetail {
  rect: CropRectView;
}

/** Screen pixels a press must move before it draws a new rectangle (a click alone changes nothing). */
const DRAW_THRESHOLD = 3;

type Drag =
  | { kind: 'draw'; pointerId: number; anchor: Point; startX: number; startY: number; started: boolean }
  | { kind: 'move'; pointerId: number; start: Point; rect: CropRectView }
  | { kind: 'resize'; pointerId: number; handle: Handle; rect: CropRectView };

/** The crop overlay. */
export class CropLayer extends LitElement {
  static override properties = {
    imageWidth: { type: Number, attribute: false },
    imageHeight: { type: Number, attribute: false },
    rect: { attribute: false },
    aspect: { attribute: false },
    editing: { type: Boolean, reflect: true },
    kind: { reflect: true },
  };

  static override styles = css`
    :host {
      position: relative;
      display: block;
      overflow: hidden;
      pointer-events: none;
      touch-action: none;
      user-select: none;
    }
    :host([editing]) {
      pointer-events: auto;
      cursor: crosshair;
    }
    svg {
      position: absolute;
      inset: 0;
      width: 100%;
      height: 100%;
    }
    .shade {
      fill: rgba(0, 0, 0, 0.5);
    }
    :host(:not([editing])) .shade {
      fill: rgba(0, 0, 0, 0.3);
    }
    .outline {
      fill: none;
      stroke: #fff;
      stroke-width: 1px;
    }
    .outline-dark {
      fill: none;
      stroke: rgba(0, 0, 0, 0.7);
      stroke-width: 3px;
    }
    :host([kind='auto']) .outline {
      stroke: var(--vscode-editorWarning-foreground, #cca700);
      stroke-dasharray: 6 4;
    }
    .frame {
      position: absolute;
      left: var(--left);
      top: var(--top);
      width: var(--width);
      height: var(--height);
    }
    :host([editing]) .frame {
      cursor: move;
    }
    .handle {
      position: absolute;
      width: 10px;
      height: 10px;
      margin: -5px 0 0 -5px;
      background: #fff;
      border: 1px solid rgba(0, 0, 0, 0.8);
    }
    .n, .s { left: 50%; cursor: ns-resize; }
    .e, .w { top: 50%; cursor: ew-resize; }
    .n, .ne, .nw { top: 0; }
    .s, .se, .sw { top: 100%; }
    .w, .nw, .sw { left: 0; }
    .e, .ne, .se { left: 100%; }
    .ne, .sw { cursor: nesw-resize; }
    .nw, .se { cursor: nwse-resize; }
  `;

  declare imageWidth: number;
  declare imageHeight: number;
  /** The rectangle shown, in image pixels; null shows nothing. */
  declare rect: CropRectView | null;
  /** The aspect ratio (width / height) drawing and resizing keep; null for free. */
  declare aspect: number | null;
  declare editing: boolean;
  /** What the rectangle is: 'draft' while editing, else the stored crop's state (styles it). */
  declare kind: 'draft' | 'auto' | 'approved' | 'manual';
  private drag: Drag | null = null;

  constructor() {
    super();
    this.imageWidth = 0;
    this.imageHeight = 0;
    this.rect = null;
    this.aspect = null;
    this.editing = false;
    this.kind = 'draft';
    this.addEventListener('pointerdown', (e) => this.onPointerDown(e));
    this.addEventListener('pointermove', (e) => this.onPointerMove(e));
    this.addEventListener('pointerup', (e) => this.onPointerUp(e));
    this.addEventListener('pointercancel', (e) => this.onPointerUp(e));
  }

  protected override render(): TemplateResult | typeof nothing {
    const rect = this.rect;
    const { width: w, height: h } = this.bounds();
    if (!rect || w <= 0 || h <= 0) return nothing;
    const pct = (value: number, of: number): string => `${(value / of) * 100}%`;
    const { left, top, width, height } = rect;
    return html`
      <svg viewBox="0 0 ${w} ${h}" preserveAspectRatio="none" aria-hidden="true">
        ${svg`<path class="shade" fill-rule="evenodd" d="M0 0H${w}V${h}H0Z M${left} ${top}h${width}v${height}h${-width}Z"></path>
        <rect class="outline-dark" x=${left} y=${top} width=${width} height=${height} vector-effect="non-scaling-stroke"></rect>
        <rect class="outline" x=${left} y=${top} width=${width} height=${height} vector-effect="non-scaling-stroke"></rect>`}
      </svg>
      <div class="frame" ${styleProps({ '--left': pct(left, w), '--top': pct(top, h), '--width': pct(width, w), '--height': pct(height, h) })}>
        ${this.editing ? HANDLES.map((handle) => html`<div class="handle ${handle}" data-handle=${handle}></div>`) : nothing}
      </div>
    `;
  }

  private bounds(): Size {
    return { width: this.imageWidth, height: this.imageHeight };
  }

  /** A pointer position in image pixels. */
  private toImage(event: PointerEvent): Point {
    const box = this.getBoundingClientRect();
    const { width, height } = this.bounds();
    return {
      x: ((event.clientX - box.left) / Math.max(1, box.width)) * width,
      y: ((event.clientY - box.top) / Math.max(1, box.height)) * height,
    };
  }

  private onPointerDown(event: PointerEvent): void {
    if (!this.editing || event.button !== 0) return;
    // The image view pans on a press; a press here is the crop tool's.
    event.stopPropagation();
    const point = this.toImage(event);
    const target = event.composedPath()[0];
    const handle = target instanceof HTMLElement ? (target.dataset['handle'] as Handle | undefined) : undefined;
    const rect = this.rect;
    if (rect && handle) this.drag = { kind: 'resize', pointerId: event.pointerId, handle, rect };
    else if (rect && contains(rect, point))
      this.drag = { kind: 'move', pointerId: event.pointerId, start: point, rect };
    else
      this.drag = {
        kind: 'draw',
        pointerId: event.pointerId,
        anchor: point,
        startX: event.clientX,
        startY: event.clientY,
        started: false,
      };
    this.setPointerCapture(event.pointerId);
  }

  private onPointerMove(event: PointerEvent): void {
    const drag = this.drag;
    if (!drag || event.pointerId !== drag.pointerId) return;
    event.stopPropagation();
    const point = this.toImage(event);
    const bounds = this.bounds();
    let rect: CropRectView;
    if (drag.kind === 'move') {
      rect = moveRect(drag.rect, point.x - drag.start.x, point.y - drag.start.y, bounds);
    } else if (drag.kind === 'resize') {
      rect = resizeRect(drag.rect, drag.handle, point, this.aspect, bounds);
    } else {
      drag.started ||= Math.hypot(event.clientX - drag.startX, event.clientY - drag.startY) >= DRAW_THRESHOLD;
      if (!drag.started) return;
      rect = rectFromPoints(drag.anchor, point, this.aspect, bounds);
    }
    emit<CropDraftDetail>(this, 'crop-draft', { rect });
  }

  private onPointerUp(event: PointerEvent): void {
    if (!this.drag || event.pointerId !== this.drag.pointerId) return;
    event.stopPropagation();
    this.drag = null;
  }
}

customElements.define('tb-crop-layer', CropLayer);

declare global {
  interface HTMLElementTagNameMap {
    'tb-crop-layer': CropLayer;
  }
}
