/**
 * The batch journal: one JSON file per batch under `.tagbench/journal/`, written before any file is
 * touched. It lists every caption's text before and after and every file moved, so the batch can be
 * undone exactly, even after a crash halfway through it.
 */
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
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
    names = readdirSync(journalDir).filter((n) => /^\d{8}-\d{9}-\d{4}-[0-9a-f]{6}\.json$/.test(n)).sort().reverse();
  } catch {
    return undefined;
  }
  for (const name of names) {
    try {
      const entry = JSON.parse(readFileSync(join(journalDir, name), 'utf8')) as JournalEntry;
      if (entry.tagbench === 1 && entry.status === 'applied' && Array.isArray(entry.captions) && Array.isArray(entry.moves)) return entry;
    } catch {
      // a damaged entry cannot be undone; older ones still can
    }
  }
  return undefined;
}
