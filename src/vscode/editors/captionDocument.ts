/**
 * The document behind the image editor: one image's caption (`<stem>.txt`), as loaded from disk and
 * as edited. Edits are whole-caption replacements VS Code keeps on its undo stack. Saving writes the
 * caption atomically in its own style (BOM, line endings) and refuses to overwrite a caption that
 * changed on disk since it was loaded unless the user says so.
 */
import * as vscode from 'vscode';
import { readFileSync, writeFileSync } from 'node:fs';
import { CaptionDecodeError, decodeCaption, writeCaptionFile } from '../../core/caption/captionFile.ts';
import { captionPathFor, sidecarPathFor } from '../../core/dataset/filePairing.ts';
import { syncSidecarTags } from '../../core/sidecar/sidecarTags.ts';

/** Where a caption stands on disk. */
interface DiskState {
  bytes: Buffer | null;
  text: string;
  bom: boolean;
  eol: '\n' | '\r\n';
}

/** An image's caption as a custom document. */
export class CaptionDocument implements vscode.CustomDocument {
  readonly uri: vscode.Uri;
  readonly captionFile: string;
  readonly sidecarFile: string;
  private disk: DiskState;
  private current: string;
  /** Why the caption cannot be edited (it is not UTF-8, or cannot be read), or ''. */
  readonly readOnlyReason: string;
  private readonly changed = new vscode.EventEmitter<string>();
  /** Fires with the new text whenever the caption changes (edit, undo, redo, revert). */
  readonly onDidChangeCaption = this.changed.event;
  private readonly disposed = new vscode.EventEmitter<void>();
  readonly onDidDispose = this.disposed.event;

  /** Opens the caption of image `uri`; `backup` restores unsaved text from a hot-exit backup. */
  static async open(uri: vscode.Uri, captionExtension: string, backupId: string | undefined): Promise<CaptionDocument> {
    const doc = new CaptionDocument(uri, captionExtension);
    if (backupId) {
      const saved = JSON.parse(new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.parse(backupId)))) as { caption?: unknown };
      if (typeof saved.caption === 'string') doc.current = saved.caption;
    }
    return doc;
  }

  private constructor(uri: vscode.Uri, captionExtension: string) {
    this.uri = uri;
    this.captionFile = captionPathFor(uri.fsPath, captionExtension);
    this.sidecarFile = sidecarPathFor(uri.fsPath);
    let reason = '';
    let disk: DiskState = { bytes: null, text: '', bom: false, eol: '\n' };
    try {
      disk = readDisk(this.captionFile);
    } catch (err) {
      reason = err instanceof CaptionDecodeError ? `${err.message} Tagbench will not edit it.` : `The caption cannot be read: ${(err as Error).message}`;
    }
    this.disk = disk;
    this.current = disk.text;
    this.readOnlyReason = reason;
  }

  /** The caption as currently edited. */
  get caption(): string {
    return this.current;
  }

  /** Whether the edited caption differs from the file. */
  get isDirty(): boolean {
    return this.current !== this.disk.text;
  }

  /** Sets the caption (for edits, undo and redo). */
  setCaption(text: string): void {
    if (text === this.current) return;
    this.current = text;
    this.changed.fire(text);
  }

  /**
   * Writes the caption. If the file changed on disk since it was loaded, asks before overwriting;
   * throws (so VS Code reports the save as failed) when the user does not confirm.
   */
  async save(target = this.captionFile): Promise<void> {
    if (this.readOnlyReason) throw new Error(this.readOnlyReason);
    if (target === this.captionFile) {
      const now = readBytes(this.captionFile);
      if (!sameBytes(now, this.disk.bytes)) {
        const choice = await vscode.window.showWarningMessage(
          `${this.captionFile} changed on disk since it was opened. Overwrite it with your edits?`, { modal: true }, 'Overwrite');
        if (choice !== 'Overwrite') throw new Error('The caption changed on disk; not saved. Revert the editor to see the file as it is now.');
      }
    }
    if (!(this.current === '' && readBytes(target) === null)) {
      writeCaptionFile(target, this.current, { bom: this.disk.bom, eol: this.disk.eol });
    }
    syncSidecarTags(this.sidecarFile, this.current);
    if (target === this.captionFile) this.disk = readDisk(this.captionFile);
  }

  /** Re-reads the caption from disk, dropping edits. */
  async revert(): Promise<void> {
    this.disk = readDisk(this.captionFile);
    this.setCaption(this.disk.text);
  }

  /** Writes a hot-exit backup of the edited caption. */
  async backup(destination: vscode.Uri): Promise<vscode.CustomDocumentBackup> {
    writeFileSync(destination.fsPath, JSON.stringify({ caption: this.current }));
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

function sameBytes(a: Buffer | null, b: Buffer | null): boolean {
  return a === null || b === null ? a === b : a.equals(b);
}
