/** What a batch edit would do (its preview) and what it did (its outcome), as every front shows them. */

/** What a batch would do, before it is applied. `changes` holds at most the first 100 files. */
export interface BatchPreview {
  /** The host's plan of exactly this change; `applyBatch` applies it by this id. */
  planId: string;
  files: number;
  changed: number;
  /** A suggestion review also names the suggestions it accepts or rejects in each file. */
  changes: { path: string; before: string | null; after: string | null; accepted?: string[]; rejected?: string[] }[];
  /** True when the change touches enough files that the user should confirm it first. */
  needsConfirmation: boolean;
}

/** What an applied (or undone) batch did. Files changed on disk since they were read are conflicts, never overwritten. */
export interface BatchOutcome {
  changed: number;
  unchanged: number;
  conflicts: { path: string; reason: string }[];
  /** A one-line description ("Added 2 tags to 40 captions"). */
  summary: string;
}
