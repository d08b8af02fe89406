/**
 * The document behind the image editor: one image's caption (`<stem>.txt`), crop and review of
 * model suggestions (both in its `<stem>.tagbench.json` sidecar), as loaded from disk and as edited.
 * Edits are whole-caption, whole-crop or whole-review replacements VS Code keeps on its undo stack.
 * Saving writes the caption atomically in its own style (BOM, line endings), refusing to overwrite a
 * caption that changed on disk since it was loaded unless the user says so, then a changed crop and
 * changed review statuses into the sidecar.
 */
import * as vscode from 'vscode';
import { readFileSync, writeFileSync } from 'node:fs';
import { CaptionDecodeError, decodeCaption, writeCaptionFile } from '../../core/caption/captionFile.ts';
import { captionPathFor, sidecarPathFor } from '../../core/dataset/filePairing.ts';
import type { SidecarTag } from '../../core/sidecar/sidecar.ts';
import type { CropView, SuggestionsView } from '../../protocol/editorProtocol.ts';
import { imageSha256, readStoredCrop, sameCrop, writeCropSidecar } from '../../core/sidecar/cropSidecar.ts';
import { CaptionChangedError, saveCaption, withSaveLock } from '../../core/caption/captionSave.ts';
import {
  readStoredReview,
  reviewChanges,
  suggestionsView,
  writeReviewChanges,
} from '../../core/sidecar/suggestionSidecar.ts';

/** Where a caption stands on disk. */
interface DiskState {
  bytes: Buffer | null;
  text: string;
  bom: boolean;
  eol: '\n' | '\r\n';
}

/** An image's caption and crop as a custom document. */
export class CaptionDocument implements vscode.CustomDocument {
  readonly uri: vscode.Uri;
  /** The dataset the image belongs to (saves take its edit lock), or undefined outside any dataset. */
  readonly root: string | undefined;
  readonly captionFile: string;
  readonly sidecarFile: string;
  private disk: DiskState;
  private current: string;
  private diskCrop: CropView | null;
  private currentCrop: CropView | null;
  /** Why the sidecar's crop cannot be used, or ''. */
  private cropProblem: string;
  /** The sidecar's tag entries as loaded and as reviewed here, and its annotations (held sentences). */
  private diskTags: SidecarTag[];
  private currentTags: SidecarTag[];
  private annotations: unknown[];
  /** Why the caption cannot be edited (it is not UTF-8, or cannot be read), or ''. */
  readonly readOnlyReason: string;
  /** The image's displayed size once known (from the index), to check crops against. */
  imageSize: { width: number; height: number } | undefined;
  private readonly changed = new vscode.EventEmitter<string>();
  /** Fires with the new text whenever the caption changes (edit, undo, redo, revert). */
  readonly onDidChangeCaption = this.changed.event;
  private readonly cropChanged = new vscode.EventEmitter<CropView | null>();
  /** Fires with the new crop whenever it changes (edit, undo, redo, revert). */
  readonly onDidChangeCrop = this.cropChanged.event;
  private readonly tagsChanged = new vscode.EventEmitter<SuggestionsView>();
  /** Fires with what there is to review whenever review statuses change (edit, undo, redo, revert). */
  readonly onDidChangeSuggestions = this.tagsChanged.event;
  private readonly disposed = new vscode.EventEmitter<void>();
  readonly onDidDispose = this.disposed.event;

  /** Opens the caption and crop of image `uri`; `backup` restores unsaved ones from a hot-exit backup. */
  static async open(
    uri: vscode.Uri,
    root: string | undefined,
    captionExtension: string,
    backupId: string | undefined,
  ): Promise<CaptionDocument> {
    const doc = new CaptionDocument(uri, root, captionExtension);
    if (backupId) {
      const saved = JSON.parse(
        new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.parse(backupId))),
      ) as { caption?: unknown; crop?: unknown; tags?: unknown };
      if (typeof saved.caption === 'string') doc.current = saved.caption;
      if (saved.crop === null || isCropView(saved.crop)) doc.currentCrop = saved.crop;
      if (Array.isArray(saved.tags) && saved.tags.every(isSidecarTag)) doc.currentTags = saved.tags;
    }
    return doc;
  }

  private constructor(uri: vscode.Uri, root: string | undefined, captionExtension: string) {
    this.uri = uri;
    this.root = root;
    this.captionFile = captionPathFor(uri.fsPath, captionExtension);
    this.sidecarFile = sidecarPathFor(uri.fsPath);
    let reason = '';
    let disk: DiskState = { bytes: null, text: '', bom: false, eol: '\n' };
    try {
      disk = readDisk(this.captionFile);
    } catch (err) {
      reason =
        err instanceof CaptionDecodeError
          ? `${err.message} Tagbench will not edit it.`
          : `The caption cannot be read: ${(err as Error).message}`;
    }
    this.disk = disk;
    this.current = disk.text;
    this.readOnlyReason = reason;
    const stored = readStoredCrop(this.sidecarFile);
    this.diskCrop = stored.crop;
    this.currentCrop = stored.crop;
    this.cropProblem = stored.problem;
    const review = readStoredReview(this.sidecarFile);
    this.diskTags = review.tags;
    this.currentTags = review.tags;
    this.annotations = review.annotations;
  }

  /** The caption as currently edited. */
  get caption(): string {
    return this.current;
  }

  /** The crop as currently edited; null when there is none. */
  get crop(): CropView | null {
    return this.currentCrop;
  }

  /** The sidecar's tag entries with their review statuses as currently edited. */
  get tags(): readonly SidecarTag[] {
    return this.currentTags;
  }

  /** What there is to review, as the image editor shows it. */
  get suggestions(): SuggestionsView {
    return suggestionsView(this.currentTags, this.annotations);
  }

  /** Whether the edited caption, crop or review statuses differ from the files. */
  get isDirty(): boolean {
    return (
      this.current !== this.disk.text ||
      !sameCrop(this.currentCrop, this.diskCrop) ||
      reviewChanges(this.diskTags, this.currentTags).length > 0
    );
  }

  /** Sets the caption (for edits, undo and redo). */
  setCaption(text: string): void {
    if (text === this.current) return;
    this.current = text;
    this.changed.fire(text);
  }

  /** Sets the crop (for edits, undo and redo). */
  setCrop(crop: CropView | null): void {
    if (sameCrop(crop, this.currentCrop)) return;
    this.currentCrop = crop;
    this.cropChanged.fire(crop);
  }

  /** Sets the tag entries with their review statuses (for review edits, undo and redo). */
  setTags(tags: readonly SidecarTag[]): void {
    if (tags === this.currentTags) return;
    this.currentTags = [...tags];
    this.tagsChanged.fire(this.suggestions);
  }

  /**
   * Writes the caption if it changed, then the crop if it changed, then review statuses that changed,
   * all under the dataset's edit lock (a batch edit elsewhere is waited for, never interleaved). If the
   * caption changed on disk since it was loaded, asks before overwriting it; throws (so VS Code reports
   * the save as failed) when the user does not confirm. Saving to another caption file (Save As)
   * writes only the caption.
   */
  async save(target = this.captionFile): Promise<void> {
    if (target !== this.captionFile) {
      if (this.readOnlyReason) throw new Error(this.readOnlyReason);
      writeCaptionFile(target, this.current, { bom: this.disk.bom, eol: this.disk.eol });
      return;
    }
    const crop = this.currentCrop;
    const cropChanged = !sameCrop(crop, this.diskCrop);
    if (cropChanged && this.cropProblem) throw new Error(`The crop was not saved: ${this.cropProblem}`);
    const sha256 = cropChanged ? await imageSha256(this.uri.fsPath) : '';
    const tags = this.currentTags;
    const text = this.current;
    const writeRest = (): void => {
      if (cropChanged) writeCropSidecar(this.sidecarFile, this.uri.fsPath, sha256, crop, this.imageSize);
      if (!this.readOnlyReason) writeReviewChanges(this.sidecarFile, reviewChanges(this.diskTags, tags), text);
    };
    // A crop-only save leaves the caption file alone, even if it changed on disk meanwhile.
    if (!this.readOnlyReason && text !== this.disk.text) {
      let expected = this.disk.bytes;
      for (;;) {
        try {
          const style = { bom: this.disk.bom, eol: this.disk.eol };
          await saveCaption({
            root: this.root,
            captionFile: this.captionFile,
            sidecarFile: this.sidecarFile,
            text,
            style,
            expected,
            alsoWrite: writeRest,
          });
          break;
        } catch (err) {
          if (!(err instanceof CaptionChangedError)) throw err;
          const choice = await vscode.window.showWarningMessage(
            `${this.captionFile} changed on disk since it was opened. Overwrite it with your edits?`,
            { modal: true },
            'Overwrite',
          );
          if (choice !== 'Overwrite')
            throw new Error('The caption changed on disk; not saved. Revert the editor to see the file as it is now.', {
              cause: err,
            });
          expected = err.now;
        }
      }
      this.disk = readDisk(this.captionFile);
    } else {
      await withSaveLock(this.root, undefined, writeRest);
    }
    this.diskCrop = crop;
    this.diskTags = tags;
  }

  /** Re-reads the caption and the crop from disk, dropping edits. */
  async revert(): Promise<void> {
    this.disk = readDisk(this.captionFile);
    const stored = readStoredCrop(this.sidecarFile);
    this.diskCrop = stored.crop;
    this.cropProblem = stored.problem;
    const review = readStoredReview(this.sidecarFile);
    this.diskTags = review.tags;
    this.annotations = review.annotations;
    this.setCaption(this.disk.text);
    this.setCrop(stored.crop);
    this.setTags(review.tags);
  }

  /** Writes a hot-exit backup of the edited caption and crop. */
  async backup(destination: vscode.Uri): Promise<vscode.CustomDocumentBackup> {
    writeFileSync(
      destination.fsPath,
      JSON.stringify({ caption: this.current, crop: this.currentCrop, tags: this.currentTags }),
    );
    return {
      id: destination.toString(),
      delete: () => {
        void vscode.workspace.fs.delete(destination).then(undefined, () => undefined);
      },
    };
  }

  dispose(): void {
    this.disposed.fire();
    this.changed.dispose();
    this.cropChanged.dispose();
    this.tagsChanged.dispose();
    this.disposed.dispose();
  }
}

function readDisk(file: string): DiskState {
  const bytes = readBytes(file);
  if (!bytes) return { bytes: null, text: '', bom: false, eol: '\n' };
  const decoded = decodeCaption(bytes);
  return { bytes, text: decoded.text, bom: decoded.bom, eol: decoded.eol };
}

function readBytes(file: string): Buffer | null {
  try {
    return readFileSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

function isCropView(value: unknown): value is CropView {
  if (typeof value !== 'object' || value === null) return false;
  const { state, rect } = value as { state?: unknown; rect?: Record<string, unknown> };
  return (
    (state === 'auto' || state === 'approved' || state === 'manual') &&
    typeof rect === 'object' &&
    rect !== null &&
    ['left', 'top', 'width', 'height'].every((key) => Number.isSafeInteger(rect[key]))
  );
}

function isSidecarTag(value: unknown): value is SidecarTag {
  if (typeof value !== 'object' || value === null) return false;
  const { name, source, status } = value as Record<string, unknown>;
  return (
    typeof name === 'string' &&
    typeof source === 'string' &&
    (status === undefined || status === 'accepted' || status === 'suggested' || status === 'rejected')
  );
}
