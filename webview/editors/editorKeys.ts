/** Keys the editors react to wherever focus is. */

/** The image a key press asks for: 1 next (Alt+PageDown, Ctrl+Alt+Right), -1 previous (Alt+PageUp, Ctrl+Alt+Left), 0 none. */
export function navigationStep(event: KeyboardEvent): 1 | -1 | 0 {
  if (event.shiftKey || event.metaKey || !event.altKey) return 0;
  if (!event.ctrlKey) {
    if (event.key === 'PageDown') return 1;
    if (event.key === 'PageUp') return -1;
    return 0;
  }
  if (event.key === 'ArrowRight') return 1;
  if (event.key === 'ArrowLeft') return -1;
  return 0;
}

/** Ctrl/Cmd+Z, +Shift+Z, +Y and +S: undo, redo and save, which VS Code handles for the webview. */
export function isWorkbenchShortcut(event: KeyboardEvent): boolean {
  if (!(event.ctrlKey || event.metaKey) || event.altKey) return false;
  const key = event.key.toLowerCase();
  return key === 'z' || key === 'y' || key === 's';
}
