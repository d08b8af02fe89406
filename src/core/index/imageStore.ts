/**
 * Writes image rows and everything derived from them (tags, folders, full-text) into the index.
 * The indexer, migrations tests and synthetic benchmark indexes all go through here, so the index
 * has one layout whoever writes it.
 */
import type { Database, Statement } from 'better-sqlite3';
import { randomInt } from 'node:crypto';
import { AnnotationRows } from './annotationRows.ts';
import { parseTags, tagKey } from '../../shared/tags.ts';
import type { ImageFacts } from '../imaging/analyzeImage.ts';

/** Everything the index holds about one image: its file, its decoded facts, caption and sidecar. */
export interface ImageRecord extends ImageFacts {
  path: string;
  size: number;
  mtimeMs: number;
  sha256: string;
  caption: CaptionState | null;
  sidecar: SidecarState | null;
}

/** The caption file that goes with an image, as last read. `text` is null when it could not be decoded. */
export interface CaptionState {
  path: string;
  size: number;
  mtimeMs: number;
  text: string | null;
}

/** The `.tagbench.json` sidecar in use for an image, as last read. */
export interface SidecarState {
  path: string;
  size: number;
  mtimeMs: number;
  /** The JSON as read; null when it is not a valid sidecar. */
  json: string | null;
}

/** Splits a relative path into its folder, file name and lower-cased extension ('jpeg' as 'jpg'). */
export function splitImagePath(path: string): { dir: string; name: string; ext: string } {
  const slash = path.lastIndexOf('/');
  const name = path.slice(slash + 1);
  const dot = name.lastIndexOf('.');
  let ext = dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
  if (ext === 'jpeg') ext = 'jpg';
  if (ext === 'tif') ext = 'tiff';
  return { dir: slash < 0 ? '' : path.slice(0, slash), name, ext };
}

/** Prepared statements for writing images; create one per database connection. */
export class ImageStore {
  private readonly insertImage: Statement;
  private readonly updateImage: Statement;
  private readonly updateCaption: Statement;
  private readonly updateSidecar: Statement;
  private readonly updatePath: Statement;
  private readonly deleteImageRow: Statement;
  private readonly deleteTags: Statement;
  private readonly insertTag: Statement;
  private readonly findTag: Statement;
  private readonly insertImageTag: Statement;
  private readonly deleteFolders: Statement;
  private readonly insertFolder: Statement;
  private readonly deleteFts: Statement;
  private readonly insertFts: Statement;
  private readonly tagIds = new Map<string, number>();
  private readonly annotationRows: AnnotationRows;

  constructor(db: Database) {
    const columns = `path, dir, name, name_key, ext, size, mtime_ms, sha256, format, width, height, pixels,
      aspect, channels, has_alpha, bit_depth, space, frames, orientation, phash, dhash, caption_path, caption,
      caption_size, caption_mtime_ms, tag_count, sidecar_path, sidecar_size, sidecar_mtime_ms, sidecar`;
    const names = columns.split(',').map((c) => c.trim());
    this.insertImage = db.prepare(
      `INSERT INTO images (${columns}, rand) VALUES (${names.map((c) => '@' + c).join(', ')}, @rand) RETURNING id`,
    );
    this.updateImage = db.prepare(`UPDATE images SET ${names.map((c) => `${c} = @${c}`).join(', ')} WHERE id = @id`);
    this.updateCaption = db.prepare(
      `UPDATE images SET caption_path = @caption_path, caption = @caption, caption_size = @caption_size,
       caption_mtime_ms = @caption_mtime_ms, tag_count = @tag_count WHERE id = @id`,
    );
    this.updateSidecar = db.prepare(
      `UPDATE images SET sidecar_path = @sidecar_path, sidecar_size = @sidecar_size,
       sidecar_mtime_ms = @sidecar_mtime_ms, sidecar = @sidecar WHERE id = @id`,
    );
    this.updatePath = db.prepare(
      'UPDATE images SET path = @path, dir = @dir, name = @name, name_key = @name_key, ext = @ext WHERE id = @id',
    );
    this.deleteImageRow = db.prepare('DELETE FROM images WHERE id = ?');
    this.deleteTags = db.prepare('DELETE FROM image_tags WHERE image_id = ?');
    this.insertTag = db.prepare('INSERT INTO tags (name, key) VALUES (?, ?) RETURNING id');
    this.findTag = db.prepare('SELECT id FROM tags WHERE name = ?');
    this.insertImageTag = db.prepare('INSERT OR IGNORE INTO image_tags (image_id, pos, tag_id) VALUES (?, ?, ?)');
    this.deleteFolders = db.prepare('DELETE FROM image_folders WHERE image_id = ?');
    this.insertFolder = db.prepare('INSERT OR IGNORE INTO image_folders (folder, image_id) VALUES (?, ?)');
    this.deleteFts = db.prepare('DELETE FROM caption_fts WHERE rowid = ?');
    this.insertFts = db.prepare('INSERT INTO caption_fts (rowid, caption, tags) VALUES (?, ?, ?)');
    this.annotationRows = new AnnotationRows(db);
  }

  /** Inserts a new image and its tags, folders and full-text entry; returns its id. */
  insert(record: ImageRecord): number {
    const row = this.insertImage.get({ ...toRow(record), rand: randomInt(2 ** 47) }) as { id: number };
    const id = row.id;
    this.writeFolders(id, record.path);
    this.writeCaptionIndex(id, record.caption?.text ?? null, false);
    if (record.sidecar?.json) this.annotationRows.write(id, record.sidecar.json);
    return id;
  }

  /** Replaces everything about an existing image (its content changed). */
  update(id: number, record: ImageRecord): void {
    this.updateImage.run({ ...toRow(record), id });
    this.writeFolders(id, record.path);
    this.writeCaptionIndex(id, record.caption?.text ?? null, true);
    this.annotationRows.write(id, record.sidecar?.json ?? null);
  }

  /** Records a new caption state for an image whose pixels did not change. */
  setCaption(id: number, caption: CaptionState | null): void {
    const tags = caption?.text != null ? parseTags(caption.text) : [];
    this.updateCaption.run({
      id,
      caption_path: caption?.path ?? null,
      caption: caption?.text ?? null,
      caption_size: caption?.size ?? null,
      caption_mtime_ms: caption?.mtimeMs ?? null,
      tag_count: tags.length,
    });
    this.writeCaptionIndex(id, caption?.text ?? null, true);
  }

  /** Records a new sidecar state for an image. */
  setSidecar(id: number, sidecar: SidecarState | null): void {
    this.updateSidecar.run({
      id,
      sidecar_path: sidecar?.path ?? null,
      sidecar_size: sidecar?.size ?? null,
      sidecar_mtime_ms: sidecar?.mtimeMs ?? null,
      sidecar: sidecar?.json ?? null,
    });
    this.annotationRows.write(id, sidecar?.json ?? null);
  }

  /** Moves an image to a new path, keeping its id (a rename or move recognised by content hash). */
  move(id: number, path: string): void {
    const { dir, name, ext } = splitImagePath(path);
    this.updatePath.run({ id, path, dir, name, name_key: path.toLowerCase(), ext });
    this.writeFolders(id, path);
  }

  /** Removes an image and everything derived from it. */
  delete(id: number): void {
    this.deleteImageRow.run(id);
    this.deleteTags.run(id);
    this.deleteFolders.run(id);
    this.deleteFts.run(id);
    this.annotationRows.delete(id);
  }

  private writeFolders(id: number, path: string): void {
    this.deleteFolders.run(id);
    const parts = path.split('/');
    parts.pop();
    for (const folder of parts) this.insertFolder.run(folder.toLowerCase(), id);
  }

  private writeCaptionIndex(id: number, caption: string | null, replace: boolean): void {
    if (replace) {
      this.deleteTags.run(id);
      this.deleteFts.run(id);
    }
    if (caption == null) return;
    const tags = parseTags(caption);
    tags.forEach((tag, pos) => this.insertImageTag.run(id, pos, this.tagId(tag)));
    this.insertFts.run(id, caption, tags.join('\n'));
  }

  private tagId(name: string): number {
    let id = this.tagIds.get(name);
    if (id === undefined) {
      const found = this.findTag.get(name) as { id: number } | undefined;
      id = found ? found.id : (this.insertTag.get(name, tagKey(name)) as { id: number }).id;
      this.tagIds.set(name, id);
    }
    return id;
  }
}

function toRow(r: ImageRecord): Record<string, unknown> {
  const { dir, name, ext } = splitImagePath(r.path);
  const tags = r.caption?.text != null ? parseTags(r.caption.text) : [];
  return {
    path: r.path,
    dir,
    name,
    name_key: r.path.toLowerCase(),
    ext,
    size: r.size,
    mtime_ms: Math.trunc(r.mtimeMs),
    sha256: r.sha256,
    format: r.format,
    width: r.width,
    height: r.height,
    pixels: r.width * r.height,
    aspect: r.height > 0 ? r.width / r.height : 0,
    channels: r.channels,
    has_alpha: r.hasAlpha ? 1 : 0,
    bit_depth: r.bitDepth,
    space: r.space,
    frames: r.frames,
    orientation: r.orientation,
    phash: r.phash,
    dhash: r.dhash,
    caption_path: r.caption?.path ?? null,
    caption: r.caption?.text ?? null,
    caption_size: r.caption?.size ?? null,
    caption_mtime_ms: r.caption ? Math.trunc(r.caption.mtimeMs) : null,
    tag_count: tags.length,
    sidecar_path: r.sidecar?.path ?? null,
    sidecar_size: r.sidecar?.size ?? null,
    sidecar_mtime_ms: r.sidecar ? Math.trunc(r.sidecar.mtimeMs) : null,
    sidecar: r.sidecar?.json ?? null,
  };
}
