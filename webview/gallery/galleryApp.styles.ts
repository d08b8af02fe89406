/** Styles of tb-gallery: toolbar on top, grid with a side column, batch bar at the bottom. */
import { css } from 'lit';

/** The app's shadow styles. */
export const galleryAppStyles = css`
  :host {
    display: flex;
    flex-direction: column;
    height: 100vh;
    overflow: hidden;
    background: var(--vscode-editor-background);
    container-type: inline-size;
  }
  .body {
    flex: 1 1 auto;
    min-height: 0;
    display: flex;
  }
  tb-virtual-grid {
    flex: 1 1 auto;
    min-width: 0;
  }
  aside {
    flex: 0 0 300px;
    min-width: 0;
    overflow-y: auto;
    border-left: 1px solid var(--vscode-panel-border, rgba(128, 128, 128, 0.35));
    background: var(--vscode-sideBar-background, var(--vscode-editor-background));
  }
  section + section {
    border-top: 1px solid var(--vscode-panel-border, rgba(128, 128, 128, 0.35));
  }
  .section-header {
    display: flex;
    align-items: center;
    gap: 4px;
    width: 100%;
    padding: 4px 6px;
    font-weight: 600;
    font-size: 0.92em;
    text-transform: uppercase;
  }
  .section-header vscode-icon {
    transition: transform 80ms;
  }
  .section-header[aria-expanded='true'] vscode-icon {
    transform: rotate(90deg);
  }
  .notice {
    margin: 8px;
  }
  @container (max-width: 600px) {
    .body {
      flex-direction: column;
    }
    aside {
      flex: 0 1 auto;
      max-height: 45%;
      border-left: none;
      border-top: 1px solid var(--vscode-panel-border, rgba(128, 128, 128, 0.35));
    }
  }
`;
