/**
 * The Explorer nesting patterns Tagbench contributes (package.json configurationDefaults), checked
 * against VS Code's matching rules: a `*<suffix>` parent pattern matches names ending in that suffix
 * (the `*` is captured as `${capture}`), compared as written on a case-sensitive file system (Linux)
 * and in lower case on a case-insensitive one (Windows, macOS). The real Explorer is driven in
 * test/e2e/explorerNesting.test.ts.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const REPO = join(import.meta.dirname, '..', '..');
const manifest = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as {
  contributes: {
    configurationDefaults: Record<string, unknown>;
    customEditors: { viewType: string; selector: { filenamePattern: string }[] }[];
  };
};
const patterns = manifest.contributes.configurationDefaults['explorer.fileNesting.patterns'] as Record<string, string>;

/** The files VS Code nests under `parent` among `names` (its parent patterns of the form `*<suffix>`). */
function nestedUnder(parent: string, names: readonly string[], caseSensitive: boolean): string[] {
  const norm = (s: string): string => (caseSensitive ? s : s.toLowerCase());
  const children = new Set<string>();
  for (const [pattern, childList] of Object.entries(patterns)) {
    assert.ok(pattern.startsWith('*') && !pattern.slice(1).includes('*'), `a *<suffix> pattern: ${pattern}`);
    const suffix = norm(pattern.slice(1));
    if (!norm(parent).endsWith(suffix) || norm(parent).length === suffix.length) continue;
    const capture = norm(parent).slice(0, -suffix.length);
    for (const child of childList.split(',').map((c) => norm(c.trim()).replaceAll('${capture}', capture)))
      children.add(child);
  }
  return names.filter((name) => name !== parent && children.has(norm(name)));
}

/** The image extensions the Image Editor opens, from its filename pattern `*.{png,jpg,...}`. */
function imageExtensions(): string[] {
  const editor = manifest.contributes.customEditors.find((e) => e.viewType === 'tagbench.imageEditor')!;
  const match = /^\*\.\{(.+)\}$/.exec(editor.selector[0]!.filenamePattern)!;
  return [...new Set(match[1]!.split(',').map((e) => e.toLowerCase()))];
}

describe('Explorer nesting patterns', () => {
  it('nests IMG_2805.txt under IMG_2805.JPG on a case-sensitive file system', () => {
    const names = ['IMG_2805.JPG', 'IMG_2805.txt', 'IMG_2805.tagbench.json', 'IMG_2806.txt'];
    assert.deepEqual(nestedUnder('IMG_2805.JPG', names, true), ['IMG_2805.txt', 'IMG_2805.tagbench.json']);
  });

  it('nests the caption (.txt or .caption) and the sidecar of every image extension in lower, upper and capitalised case', () => {
    for (const ext of imageExtensions()) {
      for (const written of [ext, ext.toUpperCase(), ext[0]!.toUpperCase() + ext.slice(1)]) {
        const image = `Photo 01.${written}`;
        const names = [image, 'Photo 01.txt', 'Photo 01.caption', 'Photo 01.tagbench.json'];
        for (const caseSensitive of [true, false]) {
          const system = caseSensitive ? 'case-sensitive' : 'case-insensitive';
          assert.deepEqual(nestedUnder(image, names, caseSensitive), names.slice(1), `${image} (${system})`);
        }
      }
    }
  });

  it('leaves other files alone', () => {
    assert.deepEqual(nestedUnder('notes.md', ['notes.md', 'notes.txt'], true), []);
    assert.deepEqual(nestedUnder('IMG_2805.JPG', ['IMG_2805.JPG', 'IMG_2805.md', 'IMG_2805.txt.bak'], true), []);
  });
});
