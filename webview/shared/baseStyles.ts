/** Styles shared by every webview component (gallery and editors): theme colours, focus rings, inputs, plain buttons, hidden text. */
import { css } from 'lit';

/** Base styles every webview component adopts. */
export const baseStyles = css`
  :host {
    color: var(--vscode-foreground);
    font-family: var(--vscode-font-family, sans-serif);
    font-size: var(--vscode-font-size, 13px);
    box-sizing: border-box;
  }
  *,
  *::before,
  *::after {
    box-sizing: inherit;
  }
  [hidden] {
    display: none !important;
  }
  :focus-visible {
    outline: 1px solid var(--vscode-focusBorder, #007fd4);
    outline-offset: -1px;
  }
  .muted {
    color: var(--vscode-descriptionForeground);
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip-path: inset(50%);
    white-space: nowrap;
  }
  .plain {
    font: inherit;
    color: inherit;
    background: none;
    border: 1px solid transparent;
    border-radius: 2px;
    padding: 2px 4px;
    text-align: left;
    cursor: pointer;
  }
  .plain:hover {
    background: var(--vscode-list-hoverBackground, rgba(128, 128, 128, 0.15));
  }
  input[type='text'],
  textarea {
    font: inherit;
    color: var(--vscode-input-foreground);
    background: var(--vscode-input-background);
    border: 1px solid var(--vscode-input-border, var(--vscode-dropdown-border, transparent));
    border-radius: 2px;
    padding: 3px 6px;
    min-width: 0;
  }
  input[type='text']:focus,
  textarea:focus {
    outline: 1px solid var(--vscode-focusBorder, #007fd4);
    outline-offset: -1px;
  }
  input::placeholder,
  textarea::placeholder {
    color: var(--vscode-input-placeholderForeground);
  }
`;

/** A small badge-coloured chip (`class="chip"`), for components whose chips have no styles of their own. */
export const chipStyles = css`
  .chip {
    display: inline-flex;
    align-items: center;
    gap: 2px;
    max-width: 100%;
    padding: 1px 6px;
    border-radius: 10px;
    background: var(--vscode-badge-background, rgba(128, 128, 128, 0.3));
    color: var(--vscode-badge-foreground, inherit);
    font-size: 0.92em;
    line-height: 18px;
    overflow-wrap: anywhere;
  }
`;
