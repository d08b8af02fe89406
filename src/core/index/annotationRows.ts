/**
 * The index rows derived from a sidecar's annotations and model tags (tables `annotations` and
 * `model_tags`). They are rewritten whenever the image's sidecar is (re)read, so a rebuilt index
 * holds exactly what the sidecars say.
 */
import type { Database, Statement } from 'better-sqlite3';
import { tagKey } from '../../shared/tags.ts';

/** One sidecar `annotations` entry, as far as the index needs it. */
interface StoredAnnotation {
  model?: unknown;
  kind?: unknown;
  version?: unknown;
  at?: unknown;
  result?: { score?: unknown } | null;
  error?: unknown;
  failure?: unknown;
}

/** One sidecar `tags` entry. */
interface StoredTag {
  name?: unknown;
  source?: unknown;
  confidence?: unknown;
  status?: unknown;
}

/** The lower-cased part of a model id after its first ':' (`tagger:WD-Vit` -> `wd-vit`). */
export function modelName(model: string): string {
  const colon = model.indexOf(':');
  return (colon < 0 ? model : model.slice(colon + 1)).toLowerCase();
}

/** Prepared statements writing an image's annotation rows; one per database connection. */
export class AnnotationRows {
  private readonly deleteAnnotations: Statement;
  private readonly deleteModelTags: Statement;
  private readonly insertAnnotation: Statement;
  private readonly insertModelTag: Statement;

  constructor(db: Database) {
    this.deleteAnnotations = db.prepare('DELETE FROM annotations WHERE image_id = ?');
    this.deleteModelTags = db.prepare('DELETE FROM model_tags WHERE image_id = ?');
    this.insertAnnotation = db.prepare(
      `INSERT OR REPLACE INTO annotations (image_id, model, name, kind, version, at, score, failure)
       VALUES (@image_id, @model, @name, @kind, @version, @at, @score, @failure)`,
    );
    this.insertModelTag = db.prepare(
      `INSERT OR REPLACE INTO model_tags (image_id, key, name, model, confidence, status)
       VALUES (@image_id, @key, @name, @model, @confidence, @status)`,
    );
  }

  /** Replaces the rows of image `id` with those its sidecar JSON (null: none) gives. */
  write(id: number, sidecarJson: string | null): void {
    this.delete(id);
    if (sidecarJson === null) return;
    let sidecar: { annotations?: unknown; tags?: unknown };
    try {
      sidecar = JSON.parse(sidecarJson) as typeof sidecar;
    } catch {
      return;
    }
    if (Array.isArray(sidecar.annotations)) {
      for (const entry of sidecar.annotations as StoredAnnotation[]) {
        if (typeof entry?.model !== 'string' || typeof entry.kind !== 'string') continue;
        const score = entry.result && typeof entry.result.score === 'number' ? entry.result.score : null;
        this.insertAnnotation.run({
          image_id: id,
          model: entry.model,
          name: modelName(entry.model),
          kind: entry.kind,
          version: typeof entry.version === 'string' ? entry.version : null,
          at: typeof entry.at === 'string' ? entry.at : null,
          score,
          failure:
            typeof entry.error === 'string' ? (typeof entry.failure === 'string' ? entry.failure : 'other') : null,
        });
      }
    }
    if (Array.isArray(sidecar.tags)) {
      for (const tag of sidecar.tags as StoredTag[]) {
        if (typeof tag?.name !== 'string' || typeof tag.source !== 'string' || !tag.source.startsWith('model:'))
          continue;
        this.insertModelTag.run({
          image_id: id,
          key: tagKey(tag.name),
          name: tag.name,
          model: tag.source.slice('model:'.length),
          confidence: typeof tag.confidence === 'number' ? tag.confidence : null,
          status: typeof tag.status === 'string' ? tag.status : 'accepted',
        });
      }
    }
  }

  /** Removes the rows of image `id`. */
  delete(id: number): void {
    this.deleteAnnotations.run(id);
    this.deleteModelTags.run(id);
  }
}
