/**
 * The batch journal: one JSON file per batch under `.tagbench/journal/`, written before any file is
 * touched. It lists every caption's text before and after and every file moved, so the batch can be
 * undone exactly, even after a crash halfway through it. A caption whose bytes its text, BOM and line
 * ending style do not give back (mixed CRLF and LF) also has its exact bytes, in base64. Entries
 * without them (older journals) still undo. `redo.json` beside them lists the batches undone since
 * the last new one, most recently undone last: what Redo does next.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { writeFileAtomic } from '../atomicWrite.ts';

/** One caption file's change: null text means the file does not exist. */
export interface JournalCaption {
  path: string;
  before: string | null;
  after: string | null;
  bom: boolean;
  eol: '\n' | '\r\n';
  /** The exact bytes before (base64), when `before` with `bom` and `eol` does not give them back. */
  beforeBytes?: string;
  /** The exact bytes after (base64), when `after` with `bom` and `eol` does not give them back. */
  afterBytes?: string;
  /** The image's sidecar, when the batch brings its tag provenance in step with the new caption. */
  sidecar?: { path: string; before: string; after: string };
}

/** One file moved (into Tagbench's trash, for instance). */
export interface JournalMove {
  from: string;
  to: string;
}

/** A journal entry. */
export interface JournalEntry {
  tagbench: 1;
  id: string;
  at: string;
  summary: string;
  status: 'applied' | 'undone';
  captions: JournalCaption[];
  moves: JournalMove[];
}

let lastStamp = '';
let sequence = 0;

/**
 * A new batch id that sorts in the order batches were made, even several within one millisecond:
 * `20261122-040512123-0000-3f9a1c` (date, time with milliseconds, sequence, random).
 */
export function newBatchId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:.]/g, '').replace('T', '-').slice(0, 18);
  sequence = stamp === lastStamp ? sequence + 1 : 0;
  lastStamp = stamp;
  return `${stamp}-${String(sequence).padStart(4, '0')}-${randomBytes(3).toString('hex')}`;
}

/** Writes (or rewrites) a journal entry. */
export function writeJournal(journalDir: string, entry: JournalEntry): void {
  mkdirSync(journalDir, { recursive: true });
  writeFileAtomic(join(journalDir, `${entry.id}.json`), JSON.stringify(entry, null, 2) + '\n');
}

/** The most recent batch that has not been undone, or undefined. Unreadable entries are skipped. */
export function lastAppliedBatch(journalDir: string): JournalEntry | undefined {
  let names: string[];
  try {
    names = readdirSync(journalDir)
      .filter((n) => ENTRY_NAME.test(n))
      .sort()
      .reverse();
  } catch {
    return undefined;
  }
  for (const name of names) {
    const entry = readEntry(journalDir, name.slice(0, -'.json'.length));
    if (entry?.status === 'applied') return entry;
  }
  return undefined;
}

/** The batch Redo would apply again: the one undone last since the last new batch, or undefined. */
export function nextRedoBatch(journalDir: string): JournalEntry | undefined {
  const stack = redoStack(journalDir);
  for (let i = stack.length - 1; i >= 0; i--) {
    const entry = readEntry(journalDir, stack[i]!);
    if (entry?.status === 'undone') return entry;
  }
  return undefined;
}

/** Whether there is a batch to redo (cheaper than nextRedoBatch: it reads no entry). */
export function canRedoBatch(journalDir: string): boolean {
  return redoStack(journalDir).length > 0;
}

/** Records that a batch was undone: Redo applies it again next. */
export function pushRedo(journalDir: string, id: string): void {
  writeRedoStack(journalDir, [...redoStack(journalDir).filter((x) => x !== id), id]);
}

/** Records that a batch was redone: it leaves the redo list. */
export function popRedo(journalDir: string, id: string): void {
  writeRedoStack(
    journalDir,
    redoStack(journalDir).filter((x) => x !== id),
  );
}

/** A new batch was applied: nothing undone before it can be redone any more (as in editors). */
export function clearRedo(journalDir: string): void {
  rmSync(join(journalDir, REDO_FILE), { force: true });
}

const ENTRY_NAME = /^\d{8}-\d{9}-\d{4}-[0-9a-f]{6}\.json$/;
const REDO_FILE = 'redo.json';

function readEntry(journalDir: string, id: string): JournalEntry | undefined {
  try {
    const entry = JSON.parse(readFileSync(join(journalDir, `${id}.json`), 'utf8')) as JournalEntry;
    if (entry.tagbench === 1 && Array.isArray(entry.captions) && Array.isArray(entry.moves)) return entry;
  } catch {
    // a damaged entry cannot be undone or redone; others still can
  }
  return undefined;
}

function redoStack(journalDir: string): string[] {
  try {
    const value = JSON.parse(readFileSync(join(journalDir, REDO_FILE), 'utf8')) as { redo?: unknown };
    return Array.isArray(value.redo)
      ? value.redo.filter((id): id is string => typeof id === 'string' && ENTRY_NAME.test(`${id}.json`))
      : [];
  } catch {
    return [];
  }
}

function writeRedoStack(journalDir: string, ids: readonly string[]): void {
  if (ids.length === 0) clearRedo(journalDir);
  else writeFileAtomic(join(journalDir, REDO_FILE), JSON.stringify({ tagbench: 1, redo: ids }, null, 2) + '\n');
}
