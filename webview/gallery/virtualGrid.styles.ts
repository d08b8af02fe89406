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
    /* Scrolled by the compositor: content already painted is moved, not painted again. */
    will-change: scroll-position;
    background: var(--vscode-editor-background, #1e1e1e);
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
    height: var(--cell-height);
    contain: layout style;
  }
  .row[hidden] {
    display: none;
  }
  .cell {
    position: relative;
    box-sizing: border-box;
    width: var(--cell);
    height: var(--cell-height);
    border-radius: 3px;
    border: 1px solid transparent;
    overflow: hidden;
    cursor: default;
    contain: strict;
  }
  .thumb {
    position: relative;
    height: calc(var(--cell) - 2px);
    border-radius: 2px;
    background: var(--vscode-editorWidget-background, rgba(128, 128, 128, 0.12));
    overflow: hidden;
  }
  .thumb img {
    display: block;
    width: 100%;
    height: 100%;
    object-fit: contain;
    user-select: none;
  }
  .cell.broken .thumb::after {
    content: '?';
    position: absolute;
    inset: 0;
    display: grid;
    place-items: center;
    color: var(--vscode-descriptionForeground);
  }
  .text {
    display: flex;
    flex-direction: column;
    justify-content: center;
    height: 32px;
    padding: 0 3px;
    font-size: 11px;
    line-height: 15px;
  }
  .name,
  .caption {
    overflow: hidden;
    white-space: nowrap;
    text-overflow: ellipsis;
  }
  .name {
    color: var(--vscode-foreground);
  }
  .caption {
    color: var(--vscode-descriptionForeground);
  }
  .caption.none {
    font-style: italic;
    opacity: 0.7;
  }
  .cell:hover {
    border-color: var(--vscode-list-hoverBackground, rgba(128, 128, 128, 0.4));
  }
  .cell[aria-selected='true'] {
    background: var(--vscode-list-activeSelectionBackground, #04395e);
    border-color: var(--vscode-list-activeSelectionBackground, #04395e);
  }
  .cell[aria-selected='true'] .name,
  .cell[aria-selected='true'] .caption {
    color: var(--vscode-list-activeSelectionForeground, #fff);
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
