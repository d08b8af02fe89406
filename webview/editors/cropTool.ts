/**
 * The image view's crop tool, as a lit controller: whether it is on, the rectangle being edited,
 * the aspect preset; its keys (arrows move by 1 px, Shift by 10, Alt+arrows resize, Enter applies,
 * Escape leaves) and its parts (the crop bar, the overlay). Applying, approving and removing send a
 * `crop-change` event (a CropChange) from the view.
 */
import { html, nothing } from 'lit';
import type { ReactiveController, ReactiveControllerHost, TemplateResult } from 'lit';
import type { CropChange, CropPreset, CropRectView, CropView } from '../../src/protocol/editorProtocol.ts';
import { emit } from '../shared/events.ts';
import './cropBar.ts';
import type { CropPresetDetail } from './cropBar.ts';
import { fitAspect, largestRect, moveRect, resizeBy } from './cropGeometry.ts';
import type { Size } from './cropGeometry.ts';
import './cropLayer.ts';
import type { CropDraftDetail } from './cropLayer.ts';

/** What the crop tool needs from the image view. */
export interface CropToolHost extends ReactiveControllerHost, HTMLElement {
  /** The stored crop (as edited in the document). */
  crop: CropView | null;
  cropPresets: CropPreset[];
  /** The image's size in pixels. */
  imageSize(): Size;
  /** Puts keyboard focus on the image, once rendered. */
  focusImage(): void;
}

/** Arrow keys as steps: [dx, dy]. */
const ARROWS: Record<string, [number, number]> = {
  ArrowLeft: [-1, 0],
  ArrowRight: [1, 0],
  ArrowUp: [0, -1],
  ArrowDown: [0, 1],
};

/** The crop tool of one image view. */
export class CropTool implements ReactiveController {
  private readonly host: CropToolHost;
  /** Whether the tool is on. */
  cropping = false;
  /** The rectangle being edited (null until one is drawn). */
  draft: CropRectView | null = null;
  /** The chosen aspect preset. */
  presetIndex = 0;

  constructor(host: CropToolHost) {
    this.host = host;
    host.addController(this);
  }

  hostDisconnected(): void {
    this.reset();
  }

  /** Turns the tool on (starting from the stored crop) or off (dropping the draft). */
  toggle(): void {
    if (this.cropping) this.leave();
    else {
      this.cropping = true;
      this.draft = this.stored();
      this.changed(true);
    }
  }

  /** Leaves the tool without changes. */
  leave(): void {
    this.cropping = false;
    this.draft = null;
    this.changed(true);
  }

  /** Drops the tool's state for another image. */
  reset(): void {
    this.cropping = false;
    this.draft = null;
  }

  /** The stored crop changed (undo, redo, another editor): while cropping, edit that one. */
  storedChanged(): void {
    if (this.cropping) this.draft = this.stored();
  }

  /** Sends the drawn rectangle as a manual crop and leaves the tool. */
  apply(): void {
    if (this.cropping && this.draft) this.send({ state: 'manual', rect: { ...this.draft }, label: 'Crop' });
  }

  /** Asks for no crop. */
  remove(): void {
    this.send({ state: 'none', rect: null, label: 'Remove crop' });
  }

  /** Approves the stored auto crop as it is. */
  approve(): void {
    const crop = this.host.crop;
    if (crop?.state === 'auto') this.send({ state: 'approved', rect: { ...crop.rect }, label: 'Approve crop' });
  }

  /** Handles a key pressed on the image while cropping; true when it was the tool's. */
  key(event: KeyboardEvent): boolean {
    if (!this.cropping || event.ctrlKey || event.metaKey) return false;
    if (event.key === 'Enter' && !event.altKey) this.apply();
    else if (event.key === 'Escape') this.leave();
    else {
      const arrow = ARROWS[event.key];
      if (!arrow) return false;
      const bounds = this.host.imageSize();
      const [dx, dy] = [arrow[0] * (event.shiftKey ? 10 : 1), arrow[1] * (event.shiftKey ? 10 : 1)];
      const draft = this.draft;
      // With nothing drawn yet, the first arrow key puts the largest rectangle of the preset's aspect in the middle.
      if (!draft) this.draft = largestRect(this.aspect(), bounds);
      else this.draft = event.altKey ? resizeBy(draft, dx, dy, this.aspect(), bounds) : moveRect(draft, dx, dy, bounds);
      this.changed(false);
    }
    return true;
  }

  /** The view's label while cropping: the rectangle in words. */
  label(): string {
    const d = this.draft;
    return d ? `Crop of ${d.width} × ${d.height} pixels at ${d.left}, ${d.top}` : 'Crop: nothing drawn yet';
  }

  /** The crop bar: shown while cropping or when there is a stored crop. */
  renderBar(): TemplateResult | typeof nothing {
    if (!this.cropping && !this.host.crop) return nothing;
    return html`<tb-crop-bar
      ?editing=${this.cropping}
      .crop=${this.host.crop}
      .draft=${this.draft}
      .presets=${this.host.cropPresets}
      .presetIndex=${this.presetIndex}
      @crop-preset=${(e: CustomEvent<CropPresetDetail>) => this.choosePreset(e.detail.index)}
      @crop-apply=${() => this.apply()}
      @crop-cancel=${() => this.leave()}
      @crop-remove=${() => this.remove()}
      @crop-approve=${() => this.approve()}
    ></tb-crop-bar>`;
  }

  /** The overlay over the image: the rectangle being edited, or the stored crop. */
  renderLayer(): TemplateResult | typeof nothing {
    const crop = this.host.crop;
    const rect = this.cropping ? this.draft : (crop?.rect ?? null);
    if (!this.cropping && !rect) return nothing;
    const { width, height } = this.host.imageSize();
    return html`<tb-crop-layer
      .imageWidth=${width}
      .imageHeight=${height}
      .rect=${rect}
      .aspect=${this.aspect()}
      ?editing=${this.cropping}
      kind=${this.cropping ? 'draft' : (crop?.state ?? 'draft')}
      @crop-draft=${this.onDraft}
    ></tb-crop-layer>`;
  }

  private readonly onDraft = (event: CustomEvent<CropDraftDetail>): void => {
    event.stopPropagation();
    if (!this.cropping) return;
    this.draft = event.detail.rect;
    this.changed(false);
  };

  private choosePreset(index: number): void {
    this.presetIndex = index;
    const aspect = this.aspect();
    if (this.draft && aspect) this.draft = fitAspect(this.draft, aspect, this.host.imageSize());
    this.changed(false);
  }

  private send(change: CropChange): void {
    emit<CropChange>(this.host, 'crop-change', change);
    if (this.cropping) this.leave();
  }

  /** The chosen preset's aspect ratio (width / height); null for free. */
  private aspect(): number | null {
    const ratio = this.host.cropPresets[this.presetIndex]?.ratio;
    return ratio ? ratio.width / ratio.height : null;
  }

  private stored(): CropRectView | null {
    return this.host.crop ? { ...this.host.crop.rect } : null;
  }

  private changed(focus: boolean): void {
    this.host.requestUpdate();
    if (focus) this.host.focusImage();
  }
}
