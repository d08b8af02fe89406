/**
 * The local annotators a user can pick: folders under `<models>/taggers/*` holding `model.onnx` and
 * `selected_tags.csv`, and under `<models>/scorers/*` holding an embedding model and `aesthetic.onnx`.
 * Only the files are looked at (cheap enough for a menu); the models' contracts are checked when a
 * run loads them.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { scorerFiles } from './local/scorerContract.ts';

/** A local annotator folder. */
export interface AnnotatorFolder {
  type: 'tagger' | 'scorer';
  name: string;
  path: string;
}

/** The tagger and scorer folders inside each of `modelFolders` (missing folders are skipped). */
export function findAnnotatorFolders(modelFolders: readonly string[]): AnnotatorFolder[] {
  const found: AnnotatorFolder[] = [];
  const seen = new Set<string>();
  for (const base of modelFolders) {
    for (const type of ['tagger', 'scorer'] as const) {
      const dir = join(base, `${type}s`);
      let names: string[];
      try {
        names = readdirSync(dir, { withFileTypes: true })
          .filter((e) => e.isDirectory())
          .map((e) => e.name)
          .sort();
      } catch {
        continue;
      }
      for (const name of names) {
        const path = join(dir, name);
        const usable =
          type === 'tagger'
            ? existsSync(join(path, 'model.onnx')) && existsSync(join(path, 'selected_tags.csv'))
            : Object.values(scorerFiles(path)).filter(Boolean).length === 2;
        if (usable && !seen.has(path)) {
          seen.add(path);
          found.push({ type, name, path });
        }
      }
    }
  }
  return found;
}
