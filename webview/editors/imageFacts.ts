/** tb-image-facts: what is known about the image (path, size, format, colour) and its problems. */
import { LitElement, css, html, nothing } from 'lit';
import type { TemplateResult } from 'lit';
import '@vscode-elements/elements/dist/vscode-icon/index.js';
import type { EditorProblem, ImageFactsView } from '../../src/protocol/editorProtocol.ts';
import { formatBytes, formatCount } from '../shared/format.ts';
import { baseStyles } from '../shared/baseStyles.ts';

/** The facts as label and value rows, in the order shown. */
export function factRows(facts: ImageFactsView): [string, string][] {
  const rows: [string, string][] = [
    ['Path', facts.path],
    ['Dimensions', `${formatCount(facts.width)} × ${formatCount(facts.height)}`],
    ['Format', facts.format.toUpperCase()],
    ['File size', formatBytes(facts.size)],
    ['Channels', String(facts.channels)],
    ['Alpha', facts.hasAlpha ? 'Yes' : 'No'],
    ['Bit depth', `${facts.bitDepth}-bit`],
    ['Colour space', facts.space],
    ['Frames', formatCount(facts.frames)],
  ];
  if (facts.total > 0 && facts.position > 0)
    rows.push(['Position', `${formatCount(facts.position)} of ${formatCount(facts.total)}`]);
  return rows;
}

/** The facts and problems of one image. */
export class ImageFacts extends LitElement {
  static override properties = {
    facts: { attribute: false },
    problems: { attribute: false },
  };

  static override styles = [
    baseStyles,
    css`
    :host {
      display: block;
    }
    h2 {
      margin: 10px 0 4px;
      font-size: 1em;
      font-weight: 600;
    }
    dl {
      display: grid;
      grid-template-columns: max-content minmax(0, 1fr);
      gap: 2px 12px;
      margin: 0;
    }
    dt {
      color: var(--vscode-descriptionForeground);
    }
    dd {
      margin: 0;
      overflow-wrap: anywhere;
      user-select: text;
    }
    ul {
      list-style: none;
      margin: 0;
      padding: 0;
      display: flex;
      flex-direction: column;
      gap: 4px;
    }
    li {
      display: flex;
      gap: 6px;
      align-items: flex-start;
    }
    li.error vscode-icon {
      color: var(--vscode-errorForeground, #f48771);
    }
    li.warning vscode-icon {
      color: var(--vscode-editorWarning-foreground, #cca700);
    }
  `,
  ];

  declare facts: ImageFactsView | null;
  declare problems: EditorProblem[];

  constructor() {
    super();
    this.facts = null;
    this.problems = [];
  }

  protected override render(): TemplateResult | typeof nothing {
    if (!this.facts) return nothing;
    return html`
      ${
        this.problems.length > 0
          ? html`
          <h2 id="problems-heading">Problems</h2>
          <ul aria-labelledby="problems-heading">
            ${this.problems.map(
              (p) => html`
              <li class=${p.severity}>
                <vscode-icon name=${p.severity === 'error' ? 'error' : 'warning'}></vscode-icon>
                <span><span class="visually-hidden">${p.severity === 'error' ? 'Error' : 'Warning'}: </span>${p.message}</span>
              </li>`,
            )}
          </ul>`
          : nothing
      }
      <h2 id="facts-heading">Image</h2>
      <dl aria-labelledby="facts-heading">
        ${factRows(this.facts).map(([label, value]) => html`<dt>${label}</dt><dd>${value}</dd>`)}
      </dl>
    `;
  }
}

customElements.define('tb-image-facts', ImageFacts);

declare global {
  interface HTMLElementTagNameMap {
    'tb-image-facts': ImageFacts;
  }
}
