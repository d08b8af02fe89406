/** An image's crop as the image editor shows and edits it. */

/** A crop rectangle in displayed (EXIF-oriented) image pixels: whole numbers, origin top-left. */
export interface CropRectView {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** The crop stored for an image: found by auto-crop (`auto`), auto then reviewed (`approved`), or drawn (`manual`). */
export interface CropView {
  state: 'auto' | 'approved' | 'manual';
  rect: CropRectView;
}
