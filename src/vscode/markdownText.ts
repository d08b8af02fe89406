/**
 * Plain text inside a Markdown hover. MarkdownString.appendText keeps spaces as `&nbsp;`, so a long
 * caption never wraps and the hover scrolls sideways; this escapes only what Markdown (and `$(icon)`)
 * would read, and keeps line breaks. No VS Code API here.
 */

/** `text` escaped for Markdown: it renders as written, wrapping at spaces. */
export function markdownText(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!<>|~$&]/g, '\\$&').replace(/\r?\n/g, '  \n');
}
