/** Per-file problems found while indexing: recorded, reported, and never fatal to a run. */

/** What went wrong with one file. */
export type ProblemKind =
  | 'unreadable' // the file could not be read (permissions, I/O error)
  | 'empty-file' // zero bytes
  | 'not-an-image' // an image extension, but the content is not an image format
  | 'unsupported-image' // an image format Tagbench cannot decode (e.g. a BMP variant)
  | 'corrupt-image' // the decoder rejected the data
  | 'truncated-image' // the data ends early
  | 'too-many-pixels' // over the pixel limit (decompression bomb guard)
  | 'extension-mismatch' // decodes, but as another format than its extension says
  | 'caption-encoding' // caption is not valid UTF-8
  | 'caption-unreadable' // caption could not be read
  | 'caption-without-image' // `<stem>.txt` with no image of that stem beside it
  | 'caption-shared' // several images share one caption file (`x.png` + `x.jpg` + `x.txt`)
  | 'sidecar-invalid' // `<stem>.tagbench.json` is not valid JSON or breaks the schema
  | 'sidecar-without-image' // `<stem>.tagbench.json` whose image is gone
  | 'sidecar-detached' // an image's metadata was found in a sidecar left behind when it moved
  | 'symlink-loop' // a symbolic link that leads back into a folder being scanned
  | 'broken-symlink'; // a symbolic link whose target does not exist

/** An error: the file is unusable as it is. A warning: usable, but probably not what the user meant. */
export type ProblemSeverity = 'error' | 'warning';

/** One recorded problem: the path is relative to the dataset root, with `/` separators. */
export interface Problem {
  path: string;
  kind: ProblemKind;
  message: string;
  severity: ProblemSeverity;
}

const WARNINGS: ReadonlySet<ProblemKind> = new Set<ProblemKind>([
  'extension-mismatch',
  'caption-without-image',
  'caption-shared',
  'sidecar-without-image',
  'sidecar-detached',
  'symlink-loop',
  'broken-symlink',
]);

/** The severity that goes with a kind of problem. */
export function severityOf(kind: ProblemKind): ProblemSeverity {
  return WARNINGS.has(kind) ? 'warning' : 'error';
}

/** Builds a problem with its severity; the message is one sentence ending in a full stop. */
export function problem(path: string, kind: ProblemKind, message: string): Problem {
  const sentence = /[.!?]$/.test(message.trim()) ? message.trim() : `${message.trim()}.`;
  return { path, kind, message: sentence, severity: severityOf(kind) };
}
