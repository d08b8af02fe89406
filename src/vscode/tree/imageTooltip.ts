/**
 * The hover of an image in the Datasets tree: its thumbnail (from the dataset's thumbnail cache, as a
 * file URI the hover renders), its size in pixels and bytes, its caption and its problems.
 */
import * as vscode from 'vscode';
import type { ImageInfo } from '../../core/index/imageQueries.ts';
import { markdownText } from '../markdownText.ts';

/** Long side of the thumbnail in the hover, in CSS pixels. */
const THUMBNAIL_SIDE = 192;
/** Caption characters shown before an ellipsis. */
const CAPTION_CHARS = 400;

/** The Markdown hover of an image; `thumbnail` is the cached thumbnail's file, when there is one. */
export function imageTooltip(info: ImageInfo, thumbnail: string | null): vscode.MarkdownString {
  const md = new vscode.MarkdownString('', true);
  if (thumbnail) {
    const scale = THUMBNAIL_SIDE / Math.max(info.width, info.height, 1);
    const width = Math.max(1, Math.round(info.width * scale));
    const height = Math.max(1, Math.round(info.height * scale));
    md.appendMarkdown(`![thumbnail](${markdownUri(vscode.Uri.file(thumbnail))}|width=${width},height=${height})\n\n`);
  }
  md.appendMarkdown('**');
  md.appendMarkdown(markdownText(info.path));
  md.appendMarkdown('**\n\n');
  const pixels = `${info.width.toLocaleString('en-US')} × ${info.height.toLocaleString('en-US')} px`;
  md.appendMarkdown(markdownText(`${pixels} · ${formatBytes(info.size)} · ${info.format.toUpperCase()}`));
  md.appendMarkdown('\n\n');
  if (info.caption === null) md.appendMarkdown('*No caption*');
  else if (info.caption.trim() === '') md.appendMarkdown('*Empty caption*');
  else
    md.appendMarkdown(
      markdownText(info.caption.length > CAPTION_CHARS ? `${info.caption.slice(0, CAPTION_CHARS)}…` : info.caption),
    );
  for (const problem of info.problems) {
    md.appendMarkdown(`\n\n$(${problem.severity === 'error' ? 'error' : 'warning'}) `);
    md.appendMarkdown(markdownText(problem.message));
  }
  return md;
}

/** A size in bytes as people read it (1,234 bytes, 12.3 KB, 4.5 MB). */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes.toLocaleString('en-US')} bytes`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/** A URI as a Markdown link destination: the characters that end or split one are escaped. */
function markdownUri(uri: vscode.Uri): string {
  return uri.toString().replace(/[()| ]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
