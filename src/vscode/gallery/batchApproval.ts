/**
 * The host's decision on applying a batch the gallery webview asks for: only a plan this panel
 * previewed can be applied, and a move to the Tagbench trash only after the host's own modal
 * confirmation, whatever the webview showed or skipped (a webview's word is not the user's).
 */
import * as vscode from 'vscode';
import { HandlerError } from '../../protocol/rpc.ts';
import type { BatchAction, BatchPreview } from '../../protocol/galleryProtocol.ts';

/** Plans remembered per panel (the data worker keeps as many). */
const MAX_PLANS = 8;
/** Files named in the confirmation. */
const NAMED_FILES = 5;
/** The confirmation's button. */
export const TRASH_BUTTON = 'Move to Trash';

/** What the host knows about a plan it previewed for the webview. */
interface PreviewedPlan {
  trash: boolean;
  changed: number;
  paths: string[];
}

/** Plans one gallery panel previewed, and the confirmation of those that move files to the trash. */
export class GalleryBatchApproval {
  private readonly plans = new Map<string, PreviewedPlan>();

  /** Records a preview the webview asked for. */
  previewed(action: BatchAction, preview: BatchPreview): void {
    this.plans.set(preview.planId, {
      trash: action.kind === 'trash',
      changed: preview.changed,
      paths: preview.changes.map((c) => c.path),
    });
    while (this.plans.size > MAX_PLANS) this.plans.delete(this.plans.keys().next().value!);
  }

  /**
   * Resolves when `planId` may be applied, asking the user first for a move to the trash. Throws a
   * HandlerError: `unknown-plan` for a plan this panel did not preview, `cancelled` when the user declines.
   */
  async approve(planId: string): Promise<void> {
    const plan = this.plans.get(planId);
    if (!plan) throw new HandlerError('unknown-plan', 'This preview is out of date; preview the change again.');
    this.plans.delete(planId);
    if (!plan.trash) return;
    const images = plan.changed === 1 ? '1 image' : `${plan.changed.toLocaleString('en-US')} images`;
    const named = plan.paths.slice(0, NAMED_FILES).join('\n');
    const more =
      plan.changed > NAMED_FILES ? `\n... and ${(plan.changed - NAMED_FILES).toLocaleString('en-US')} more` : '';
    const choice = await vscode.window.showWarningMessage(
      `Move ${images} (with captions and sidecars) to the Tagbench trash?`,
      { modal: true, detail: `${named}${more}\n\n"Tagbench: Undo Last Batch Edit" brings them back.` },
      TRASH_BUTTON,
    );
    if (choice !== TRASH_BUTTON) throw new HandlerError('cancelled', 'Cancelled: nothing was moved to the trash.');
  }
}
