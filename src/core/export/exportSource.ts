/** What an export's images are: how many, and which kohya concept folders they come from (for the questions before an export). */
import { conceptOf } from './kohyaConcepts.ts';
import type { KohyaConcept } from './kohyaConcepts.ts';

/** The images of an export source by concept folder. */
export interface ExportSourceSummary {
  images: number;
  /** Images outside any concept folder. */
  loose: number;
  /** Concept folders with their image counts, by folder path. */
  concepts: (KohyaConcept & { images: number })[];
}

/** Summarises the dataset-relative paths of an export's images. */
export function summarizeExportSource(paths: readonly string[]): ExportSourceSummary {
  const concepts = new Map<string, KohyaConcept & { images: number }>();
  let loose = 0;
  for (const path of paths) {
    const concept = conceptOf(path);
    if (!concept) {
      loose++;
      continue;
    }
    const entry = concepts.get(concept.folder) ?? { ...concept, images: 0 };
    entry.images++;
    concepts.set(concept.folder, entry);
  }
  return {
    images: paths.length,
    loose,
    concepts: [...concepts.values()].sort((a, b) => (a.folder < b.folder ? -1 : a.folder > b.folder ? 1 : 0)),
  };
}
