/** Custom events between webview components. */

/** Dispatches a CustomEvent that bubbles out of shadow roots. */
export function emit<T>(target: EventTarget, type: string, detail: T): void {
  target.dispatchEvent(new CustomEvent<T>(type, { detail, bubbles: true, composed: true }));
}
