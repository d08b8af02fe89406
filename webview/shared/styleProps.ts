/**
 * A lit element directive that sets inline CSS properties through the CSSOM (`style.setProperty`),
 * which a strict `style-src` allows. (lit's styleMap writes a `style` attribute on first render,
 * which such a policy blocks.) Usage: `<div ${styleProps({ height: '10px', '--cols': '4' })}>`.
 */
import { noChange } from 'lit';
import { Directive, PartType, directive } from 'lit/directive.js';
import type { ElementPart, PartInfo } from 'lit/directive.js';

class StylePropsDirective extends Directive {
  private previous = new Map<string, string>();

  constructor(partInfo: PartInfo) {
    super(partInfo);
    if (partInfo.type !== PartType.ELEMENT)
      throw new Error('styleProps goes on an element: <div ${styleProps({...})}>');
  }

  render(_props: Readonly<Record<string, string>>): typeof noChange {
    return noChange;
  }

  override update(part: ElementPart, [props]: [Readonly<Record<string, string>>]): typeof noChange {
    const style = (part.element as HTMLElement).style;
    for (const name of this.previous.keys()) if (!(name in props)) style.removeProperty(name);
    const next = new Map<string, string>();
    for (const [name, value] of Object.entries(props)) {
      if (this.previous.get(name) !== value) style.setProperty(name, value);
      next.set(name, value);
    }
    this.previous = next;
    return noChange;
  }
}

/** Sets CSS properties (and custom properties) on the element, CSP-safely. */
export const styleProps = directive(StylePropsDirective);
