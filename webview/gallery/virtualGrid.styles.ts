/** Styles of tb-virtual-grid. */
import { css } from 'lit';

/** The grid's shadow styles. */
export const virtualGridStyles = css`
  :host {
    display: block;
    position: relative;
    min-height: 0;
    contain: strict;
  }
  .scroller {
    position: absolute;
    inset: 0;
    overflow-y: auto;
    overflow-x: hidden;
    outline: none;
    contain: strict;
  }
  .scroller:focus-visible {
    outline: 1px solid var(--vscode-focusBorder);
    outline-offset: -1px;
  }
  .spacer {
    width: 1px;
    pointer-events: none;
  }
  .row {
    position: absolute;
    top: 0;
    left: var(--pad);
    right: var(--pad);
    display: grid;
    grid-template-columns: repeat(var(--cols), var(--cell));
    column-gap: var(--gap);
    height: var(--cell);
    contain: layout style;
  }
  .cell {
    position: relative;
    box-sizing: border-box;
    width: var(--cell);
    height: var(--cell);
    border-radius: 3px;
    border: 1px solid transparent;
    background: var(--vscode-editorWidget-background, rgba(128, 128, 128, 0.12));
    overflow: hidden;
    cursor: default;
    contain: strict;
  }
  .cell img {
    display: block;
    width: 100%;
    height: 100%;
    object-fit: contain;
    user-select: none;
  }
  .cell.broken::after {
    content: '?';
    position: absolute;
    inset: 0;
    display: grid;
    place-items: center;
    color: var(--vscode-descriptionForeground);
  }
  .cell:hover {
    border-color: var(--vscode-list-hoverBackground, rgba(128, 128, 128, 0.4));
  }
  .cell[aria-selected='true'] {
    background: var(--vscode-list-activeSelectionBackground, #04395e);
    border-color: var(--vscode-list-activeSelectionBackground, #04395e);
  }
  .cell[aria-selected='true'] img {
    opacity: 0.85;
  }
  .cell[aria-selected='true']::before {
    content: '';
    position: absolute;
    top: 4px;
    left: 4px;
    width: 10px;
    height: 10px;
    border-radius: 50%;
    background: var(--vscode-list-activeSelectionForeground, #fff);
    border: 2px solid var(--vscode-focusBorder, #007fd4);
    z-index: 1;
  }
  .scroller:focus .cell.focused {
    outline: 2px solid var(--vscode-focusBorder, #007fd4);
    outline-offset: -2px;
  }
  .cell.focused {
    border-color: var(--vscode-focusBorder, #007fd4);
  }
  .empty {
    position: absolute;
    inset: 0;
    display: grid;
    place-items: center;
    padding: 16px;
    text-align: center;
    color: var(--vscode-descriptionForeground);
  }
`;
