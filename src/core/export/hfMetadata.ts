/** Hugging Face `imagefolder` metadata: one `metadata.jsonl` per split, a line `{"file_name", "text"}` per image. */

/** One line's content. */
export interface HfRow {
  fileName: string;
  text: string;
}

/** The metadata.jsonl text for a split, in file name order. */
export function hfMetadataJsonl(rows: readonly HfRow[]): string {
  return (
    [...rows]
      .sort((a, b) => (a.fileName < b.fileName ? -1 : a.fileName > b.fileName ? 1 : 0))
      .map((r) => JSON.stringify({ file_name: r.fileName, text: r.text }))
      .join('\n') + (rows.length > 0 ? '\n' : '')
  );
}

/** Whether an image goes to the test split: a stable choice by content hash, so re-exports agree. */
export function inTestSplit(sha256: string, testFraction: number): boolean {
  if (testFraction <= 0) return false;
  return parseInt(sha256.slice(0, 8), 16) / 0xffffffff < testFraction;
}
