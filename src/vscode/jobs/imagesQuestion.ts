/**
 * The first question of a job: which images. Each choice says what it is and how many images it
 * gives (all images, the gallery's results, a project, or a query typed and checked as it is typed),
 * so what Enter does is never a surprise.
 */
import * as vscode from 'vscode';
import type { DatasetSession } from '../datasetSession.ts';

/** A quick pick item with the value it stands for. */
export type Choice<T> = vscode.QuickPickItem & { value: T };

/** The images of a job: a query ('' for all), or a project by name. */
export type ImageSource = { query: string } | { project: string };

const images = (n: number): string => `${n.toLocaleString('en-US')} image${n === 1 ? '' : 's'}`;

/** Asks which images; `extra` adds choices (projects). Undefined when the user backs out. */
export async function askImages(
  session: DatasetSession,
  galleryQuery: string,
  title: string,
  extra: Choice<ImageSource>[] = [],
): Promise<ImageSource | undefined> {
  const data = await session.data();
  const count = async (query: string): Promise<number | string> => {
    const page = await data.request('search', { query, offset: 0, limit: 1 });
    return 'error' in page ? page.error.message : page.total;
  };
  const all = await count('');
  const gallery = galleryQuery.trim() ? await count(galleryQuery) : undefined;
  const choices: Choice<ImageSource | 'query'>[] = [
    { label: 'All images', description: typeof all === 'number' ? images(all) : '', value: { query: '' } },
    ...(gallery !== undefined
      ? [
          {
            label: "The gallery's results",
            description: `${typeof gallery === 'number' ? images(gallery) : 'not a valid query'}: ${galleryQuery}`,
            value: { query: galleryQuery },
          },
        ]
      : []),
    ...extra,
    { label: 'Another query...', description: 'type a search query', value: 'query' },
  ];
  const picked = await vscode.window.showQuickPick(choices, {
    title,
    placeHolder: 'Enter takes the highlighted choice',
    ignoreFocusOut: true,
  });
  if (!picked) return undefined;
  if (picked.value !== 'query') return picked.value;
  const query = await vscode.window.showInputBox({
    title,
    prompt:
      typeof gallery === 'number'
        ? `A search query, as in the gallery; the gallery's query gives ${images(gallery)}.`
        : 'A search query, as in the gallery (e.g. smile -solo folder:10_alice).',
    value: galleryQuery,
    ignoreFocusOut: true,
    validateInput: async (text) => {
      if (!text.trim()) return 'Type a query, or press Escape and pick All images.';
      const n = await count(text);
      if (typeof n === 'string') return n;
      if (n === 0) return 'No image matches this query.';
      return { message: `${images(n)} match.`, severity: vscode.InputBoxValidationSeverity.Info };
    },
  });
  return query === undefined ? undefined : { query: query.trim() };
}
