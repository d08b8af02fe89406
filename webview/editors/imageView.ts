/**
 * tb-image-view: the image with Fit / 100% / zoom out / zoom in and the crop tool. With the image
 * focused: `0` fits, `1` shows it at 100%, `+` and `-` zoom, arrows scroll, `C` crops; Ctrl+wheel
 * zooms around the pointer and dragging pans when the image is larger than the view. While
 * cropping, dragging draws, moves or resizes the rectangle, arrow keys move it by 1 px (Shift: 10),
 * Alt+arrow keys resize it, Enter applies (a `crop-change` event) and Escape leaves without changes.
 */
import { LitElement, css, html } from 'lit';
import type { PropertyValues, TemplateResult } from 'lit';
import { classMap } from 'lit/directives/class-map.js';
import '@vscode-elements/elements/dist/vscode-toolbar-button/index.js';
import type { CropPreset, CropView } from '../../src/protocol/editorProtocol.ts';
import { CropTool } from './cropTool.ts';
import { baseStyles } from '../shared/baseStyles.ts';
import { fitScale, formatScale, zoomIn, zoomOut } from './zoom.ts';

/** The image viewer. */
export class ImageView extends LitElement {
  static override properties = {
    src: {},
    label: {},
    imageWidth: { type: Number, attribute: 'image-width' },
    imageHeight: { type: Number, attribute: 'image-height' },
    mode: { state: true },
    manualScale: { state: true },
    natural: { state: true },
    view: { state: true },
    failed: { state: true },
    crop: { attribute: false },
    cropPresets: { attribute: false },
  };

  static override styles = [
    baseStyles,
    css`
    :host {
      display: flex;
      flex-direction: column;
      min-width: 0;
      min-height: 0;
      height: 100%;
    }
    .toolbar {
      display: flex;
      align-items: center;
      gap: 2px;
      padding: 4px 6px;
      border-bottom: 1px solid var(--vscode-panel-border, var(--vscode-widget-border, transparent));
    }
    .toolbar .text-button {
      min-width: 26px;
      padding: 0 4px;
      font-size: 0.92em;
    }
    .scale {
      margin-left: 6px;
      font-variant-numeric: tabular-nums;
    }
    .viewport {
      position: relative;
      flex: 1 1 auto;
      min-height: 0;
      display: grid;
      overflow: auto;
      background: var(--vscode-editor-background);
    }
    .viewport:focus-visible {
      outline: 1px solid var(--vscode-focusBorder, #007fd4);
      outline-offset: -1px;
    }
    .viewport.pannable {
      cursor: grab;
    }
    .viewport.panning {
      cursor: grabbing;
    }
    img,
    tb-crop-layer {
      grid-area: 1 / 1;
      margin: auto;
    }
    img {
      display: block;
      max-width: none;
      user-select: none;
      background-color: rgba(128, 128, 128, 0.12);
      background-image:
        linear-gradient(45deg, rgba(128, 128, 128, 0.25) 25%, transparent 25%, transparent 75%, rgba(128, 128, 128, 0.25) 75%),
        linear-gradient(45deg, rgba(128, 128, 128, 0.25) 25%, transparent 25%, transparent 75%, rgba(128, 128, 128, 0.25) 75%);
      background-size: 16px 16px;
      background-position: 0 0, 8px 8px;
    }
    img.pixelated {
      image-rendering: pixelated;
    }
    .error {
      margin: auto;
      padding: 1em;
      color: var(--vscode-errorForeground);
    }
  `,
  ];

  declare src: string;
  declare label: string;
  declare imageWidth: number;
  declare imageHeight: number;
  declare mode: 'fit' | 'manual';
  declare manualScale: number;
  declare natural: { width: number; height: number } | null;
  declare view: { width: number; height: number };
  declare failed: boolean;
  /** The stored crop (as edited in the document), shown over the image. */
  declare crop: CropView | null;
  /** Aspect presets of the crop tool. */
  declare cropPresets: CropPreset[];
  private readonly cropTool = new CropTool(this);
  private resizeObserver: ResizeObserver | undefined;
  /** A viewport point to keep still across the next zoom: its position in the view and in the image. */
  private anchor: { viewX: number; viewY: number; imageX: number; imageY: number } | null = null;
  private pan: { pointerId: number; x: number; y: number; left: number; top: number } | null = null;

  constructor() {
    super();
    this.src = '';
    this.label = '';
    this.imageWidth = 0;
    this.imageHeight = 0;
    this.mode = 'fit';
    this.manualScale = 1;
    this.natural = null;
    this.view = { width: 0, height: 0 };
    this.failed = false;
    this.crop = null;
    this.cropPresets = [];
  }

  /** The scale the image is shown at (1 is 100%). */
  get scale(): number {
    if (this.mode === 'manual') return this.manualScale;
    const { width, height } = this.size();
    return fitScale(width, height, this.view.width, this.view.height);
  }

  /** Shows the whole image. */
  fit(): void {
    this.anchor = null;
    this.mode = 'fit';
  }

  /** Shows the image at `scale`, keeping the point at (viewX, viewY) of the view still (default: the middle). */
  zoomTo(scale: number, viewX?: number, viewY?: number): void {
    const viewport = this.viewport();
    const img = this.image();
    if (viewport && img) {
      const x = viewX ?? viewport.clientWidth / 2;
      const y = viewY ?? viewport.clientHeight / 2;
      const current = this.scale;
      this.anchor = {
        viewX: x,
        viewY: y,
        imageX: (viewport.scrollLeft + x - img.offsetLeft) / current,
        imageY: (viewport.scrollTop + y - img.offsetTop) / current,
      };
    }
    this.manualScale = scale;
    this.mode = 'manual';
  }

  /** Turns the crop tool on (starting from the stored crop) or off (dropping the draft). */
  toggleCrop(): void {
    this.cropTool.toggle();
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.resizeObserver ??= new ResizeObserver(([entry]) => {
      if (entry) this.view = { width: entry.contentRect.width, height: entry.contentRect.height };
    });
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.resizeObserver?.disconnect();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('src')) {
      this.mode = 'fit';
      this.natural = null;
      this.failed = false;
      this.anchor = null;
      this.cropTool.reset();
    } else if (changed.has('crop')) {
      this.cropTool.storedChanged();
    }
  }

  protected override firstUpdated(): void {
    const viewport = this.viewport();
    if (!viewport) return;
    this.resizeObserver?.observe(viewport);
    viewport.addEventListener('wheel', (e) => this.onWheel(e), { passive: false });
  }

  protected override updated(): void {
    const viewport = this.viewport();
    const img = this.image();
    if (!viewport || !img) return;
    // Sizes go through the CSSOM: a style attribute would break the content security policy.
    const scale = this.scale;
    const { width, height } = this.shownSize(scale);
    img.style.width = `${width}px`;
    img.style.height = `${height}px`;
    const layer = this.renderRoot.querySelector<HTMLElement>('tb-crop-layer');
    if (layer) {
      layer.style.width = `${width}px`;
      layer.style.height = `${height}px`;
    }
    const anchor = this.anchor;
    if (!anchor) return;
    this.anchor = null;
    viewport.scrollLeft = anchor.imageX * scale + img.offsetLeft - anchor.viewX;
    viewport.scrollTop = anchor.imageY * scale + img.offsetTop - anchor.viewY;
  }

  protected override render(): TemplateResult {
    const scale = this.scale;
    const shown = this.shownSize(scale);
    const pannable = shown.width > this.view.width + 1 || shown.height > this.view.height + 1;
    const scaleText = this.mode === 'fit' ? `Fit (${formatScale(scale)})` : formatScale(scale);
    return html`
      <div class="toolbar" role="toolbar" aria-label="Zoom">
        <vscode-toolbar-button icon="screen-normal" label="Fit to view (0)" title="Fit to view (0)"
          toggleable .checked=${this.mode === 'fit'} @click=${this.onFitClick}></vscode-toolbar-button>
        <vscode-toolbar-button class="text-button" label="Actual size, 100% (1)" title="Actual size, 100% (1)"
          @click=${() => this.zoomTo(1)}>1:1</vscode-toolbar-button>
        <vscode-toolbar-button icon="zoom-out" label="Zoom out (-)" title="Zoom out (-)"
          @click=${() => this.zoomTo(zoomOut(this.scale))}></vscode-toolbar-button>
        <vscode-toolbar-button icon="zoom-in" label="Zoom in (+)" title="Zoom in (+)"
          @click=${() => this.zoomTo(zoomIn(this.scale))}></vscode-toolbar-button>
        <span class="scale muted" aria-live="polite">${scaleText}</span>
        <vscode-toolbar-button class="crop-toggle" icon="screen-cut" label="Crop (C)" title="Crop (C)"
          toggleable .checked=${this.cropTool.cropping} @click=${this.onCropClick}></vscode-toolbar-button>
      </div>
      ${this.cropTool.renderBar()}
      <div
        class=${classMap({ viewport: true, pannable, panning: this.pan !== null })}
        tabindex="0"
        role="group"
        aria-label=${this.cropTool.cropping ? this.cropTool.label() : `Image at ${formatScale(scale)}`}
        aria-describedby=${this.cropTool.cropping ? 'crop-help' : 'view-help'}
        @keydown=${this.onKeyDown}
        @pointerdown=${this.onPointerDown}
        @pointermove=${this.onPointerMove}
        @pointerup=${this.onPointerUp}
        @pointercancel=${this.onPointerUp}
      >
        ${
          this.failed
            ? html`<div class="error" role="alert">The image could not be shown.</div>`
            : html`<img
              src=${this.src}
              alt=${this.label}
              draggable="false"
              class=${classMap({ pixelated: scale >= 2 })}
              @load=${this.onLoad}
              @error=${() => (this.failed = this.src !== '')}
            />${this.cropTool.renderLayer()}`
        }
      </div>
      <span id="view-help" class="visually-hidden">0 fits the image, 1 shows it at 100%, plus and minus zoom, arrow keys scroll, C crops.</span>
      <span id="crop-help" class="visually-hidden">Cropping: drag to draw the crop, drag inside it to move it, drag a handle to resize it.
        Arrow keys move it by 1 pixel, with Shift by 10; Alt+arrow keys resize it. Enter applies, Escape leaves without changes.</span>
    `;
  }

  private shownSize(scale: number): { width: number; height: number } {
    const { width, height } = this.size();
    return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
  }

  /** The image's size in pixels: as loaded, or as the facts say until then. */
  imageSize(): { width: number; height: number } {
    return this.size();
  }

  /** Puts keyboard focus on the image, once rendered. */
  focusImage(): void {
    void this.updateComplete.then(() => this.viewport()?.focus());
  }

  private size(): { width: number; height: number } {
    return this.natural ?? { width: this.imageWidth || 1, height: this.imageHeight || 1 };
  }

  private viewport(): HTMLElement | null {
    return this.renderRoot.querySelector('.viewport');
  }

  private image(): HTMLImageElement | null {
    return this.renderRoot.querySelector('img');
  }

  private onLoad(event: Event): void {
    const img = event.target as HTMLImageElement;
    if (img.naturalWidth > 0 && img.naturalHeight > 0)
      this.natural = { width: img.naturalWidth, height: img.naturalHeight };
  }

  private onFitClick(event: Event): void {
    // A toggle button flips itself; Fit only ever turns on.
    (event.currentTarget as HTMLElement & { checked: boolean }).checked = true;
    this.fit();
  }

  private onCropClick(event: Event): void {
    // The toggle button flips itself; the tool's state decides.
    (event.currentTarget as HTMLElement & { checked: boolean }).checked = !this.cropTool.cropping;
    this.cropTool.toggle();
  }

  private onKeyDown(event: KeyboardEvent): void {
    if (this.cropTool.key(event)) {
      event.preventDefault();
      return;
    }
    if (event.ctrlKey || event.altKey || event.metaKey) return;
    switch (event.key) {
      case 'c':
      case 'C':
        this.cropTool.toggle();
        break;
      case '0':
        this.fit();
        break;
      case '1':
        this.zoomTo(1);
        break;
      case '+':
      case '=':
        this.zoomTo(zoomIn(this.scale));
        break;
      case '-':
      case '_':
        this.zoomTo(zoomOut(this.scale));
        break;
      default:
        return;
    }
    event.preventDefault();
  }

  private onWheel(event: WheelEvent): void {
    if (!event.ctrlKey || event.deltaY === 0) return;
    event.preventDefault();
    const rect = (event.currentTarget as HTMLElement).getBoundingClientRect();
    const scale = this.scale;
    this.zoomTo(event.deltaY < 0 ? zoomIn(scale) : zoomOut(scale), event.clientX - rect.left, event.clientY - rect.top);
  }

  private onPointerDown(event: PointerEvent): void {
    const viewport = event.currentTarget as HTMLElement;
    if (event.button !== 0 || !viewport.classList.contains('pannable')) return;
    viewport.setPointerCapture(event.pointerId);
    this.pan = {
      pointerId: event.pointerId,
      x: event.clientX,
      y: event.clientY,
      left: viewport.scrollLeft,
      top: viewport.scrollTop,
    };
    this.requestUpdate();
  }

  private onPointerMove(event: PointerEvent): void {
    if (!this.pan || event.pointerId !== this.pan.pointerId) return;
    const viewport = event.currentTarget as HTMLElement;
    viewport.scrollLeft = this.pan.left - (event.clientX - this.pan.x);
    viewport.scrollTop = this.pan.top - (event.clientY - this.pan.y);
  }

  private onPointerUp(event: PointerEvent): void {
    if (!this.pan || event.pointerId !== this.pan.pointerId) return;
    this.pan = null;
    this.requestUpdate();
  }
}

customElements.define('tb-image-view', ImageView);

declare global {
  interface HTMLElementTagNameMap {
    'tb-image-view': ImageView;
  }
}
