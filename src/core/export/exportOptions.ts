/**
 * Checking an export's text options before a job is planned: the trigger word, separator, class
 * tokens, blacklisted tags and concept name end up in caption files and dataset.toml, where a line
 * break or a control character would silently change what a trainer reads.
 */
import { captionInputProblem } from './captionFormat.ts';
import type { ExportParams } from './exportImage.ts';

/** The export options that are text, by the name the fronts show them under. */
export type ExportTextOption = 'trigger' | 'separator' | 'classTokens' | 'blacklist' | 'name';

/** What is wrong with one option. */
export interface ExportOptionProblem {
  option: ExportTextOption;
  /** The value shown as a JSON string, so a line break is visible. */
  shown: string;
  /** Why, e.g. "has a line break, which would start a caption line of its own (...)". */
  reason: string;
}

const LABELS: Record<ExportTextOption, string> = {
  trigger: 'The trigger word',
  separator: 'The tag separator',
  classTokens: 'The class tokens',
  blacklist: 'The blacklisted tag',
  name: 'The concept name',
};

/** The first problem of an export's text options, or undefined. */
export function exportOptionsProblem(
  params: Pick<ExportParams, 'caption' | 'classTokens' | 'name'>,
): ExportOptionProblem | undefined {
  const values: [ExportTextOption, string][] = [
    ['trigger', params.caption.trigger],
    ['separator', params.caption.separator],
    ['classTokens', params.classTokens],
    ...params.caption.blacklist.map((tag): [ExportTextOption, string] => ['blacklist', tag]),
    ['name', params.name],
  ];
  for (const [option, value] of values) {
    const reason = captionInputProblem(value);
    if (reason) return { option, shown: JSON.stringify(value), reason };
  }
  return undefined;
}

/** One sentence for a problem, naming the option as `label` (default: its plain name). */
export function describeOptionProblem(problem: ExportOptionProblem, label = LABELS[problem.option]): string {
  return `${label} ${problem.shown} ${problem.reason}.`;
}
