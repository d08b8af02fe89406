/** A batch preview as text for a read-only document: counts, then each changed caption as before (-) and after (+) lines. */
import type { BatchPreview } from '../../protocol/galleryProtocol.ts';
import { splitCaption } from '../../shared/tags.ts';

/** The preview's text (diff syntax, so editors colour the - and + lines). */
export function batchPreviewText(
  summary: string,
  preview: Pick<BatchPreview, 'files' | 'changed' | 'changes'>,
): string {
  const lines = [
    `# ${summary}`,
    `# ${preview.changed} of ${preview.files} caption${preview.files === 1 ? '' : 's'} change${preview.changed === 1 ? 's' : ''}; the rest stay as they are.`,
  ];
  if (preview.changes.length < preview.changed) lines.push(`# Showing the first ${preview.changes.length}.`);
  for (const change of preview.changes) {
    lines.push('', `@@ ${change.path} @@`);
    lines.push(`- ${oneLine(change.before ?? '(no caption)')}`);
    lines.push(change.after === null ? '+ (moved to the trash)' : `+ ${oneLine(change.after)}`);
    if (change.after !== null) lines.push(`  ${tagChange(change.before ?? '', change.after)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** A caption change as the tags it loses and gains (`a, b → c`), or `(reordered)`. */
export function tagChange(before: string, after: string): string {
  const old = splitCaption(before).parts;
  const now = splitCaption(after).parts;
  const removed = old.filter((p) => !now.includes(p));
  const added = now.filter((p) => !old.includes(p));
  if (removed.length === 0 && added.length === 0) return '(reordered)';
  if (removed.length === 0) return `(added ${added.join(', ')})`;
  if (added.length === 0) return `(removed ${removed.join(', ')})`;
  return `(${removed.join(', ')} → ${added.join(', ')})`;
}

function oneLine(text: string): string {
  return text.replace(/\r?\n$/, '').replace(/\r?\n/g, ' ⏎ ');
}
