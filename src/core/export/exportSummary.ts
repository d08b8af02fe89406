/** What an export did, in sentences: the one text the command line and VS Code show for an export job's details. */
import type { ExportDetails } from './finishExport.ts';

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The merged concept folders in one sentence, e.g. "3 concept folders merged into 10_mix: 10_alice, 5_bob, 3_forest_style." */
export function mergedSentence(merged: NonNullable<ExportDetails['merged']>): string {
  return `${plural(merged.folders.length, 'concept folder')} merged into ${merged.into}: ${merged.folders.join(', ')}.`;
}

/** Lines describing an export's outcome: images and where, subsets and steps per epoch, what was merged or removed, warnings. */
export function exportSummaryLines(details: ExportDetails): string[] {
  const removed = details.removed ? `; removed ${details.removed} no longer selected` : '';
  const lines: string[] = [];
  const subsets = details.subsets ?? [];
  if (details.format === 'kohya' && subsets.length === 1 && !subsets[0]!.isReg) {
    lines.push(
      `Exported ${plural(details.images, 'image')} to ${details.out} (x${subsets[0]!.repeats} repeats = ${details.stepsPerEpoch} steps per epoch)${removed}.`,
    );
  } else if (details.format === 'kohya' && subsets.length > 0) {
    const reg = subsets.some((s) => s.isReg)
      ? ', regularisation images balanced to the training images as sd-scripts does'
      : '';
    lines.push(
      `Exported ${plural(details.images, 'image')} to ${details.out} in ${subsets.length} subsets, ${details.stepsPerEpoch} steps per epoch at batch size 1${reg}${removed}:`,
    );
    for (const s of subsets) {
      lines.push(
        `  ${s.folder}: ${plural(s.images, s.isReg ? 'regularisation image' : 'image')} x ${s.repeats} = ${s.steps}${s.concepts.length > 0 ? ` (from ${s.concepts.join(', ')})` : ''}`,
      );
    }
  } else if (details.format === 'hf') {
    lines.push(
      `Exported ${plural(details.images, 'image')} to ${details.out} (${details.train ?? 0} train, ${details.test ?? 0} test)${removed}.`,
    );
  } else {
    lines.push(`Exported ${plural(details.images, 'image')} to ${details.out}${removed}.`);
  }
  if (details.merged) lines.push(mergedSentence(details.merged));
  for (const warning of details.warnings ?? []) lines.push(`Warning: ${warning}`);
  return lines;
}

/** The same in one paragraph (for a notification): subsets listed inline. */
export function exportSummaryText(details: ExportDetails): string {
  const subsets = details.subsets ?? [];
  const [first = '', ...rest] = exportSummaryLines(details);
  if (subsets.length < 2 || details.format !== 'kohya') return [first, ...rest].join(' ');
  const list = subsets
    .map((s) => `${s.folder} ${s.images} x ${s.repeats}${s.isReg ? ' (regularisation)' : ''}`)
    .join(', ');
  return [`${first.replace(/:$/, '')}: ${list}.`, ...rest.filter((line) => !line.startsWith('  '))].join(' ');
}
