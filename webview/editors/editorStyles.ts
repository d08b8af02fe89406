/** Styles shared by the editors' components: theme colours, focus rings, inputs, hidden text. */
import { css } from 'lit';

/** Base styles every editor component adopts. */
export const editorStyles = css`
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
