/**
 * Jobs and their items, persisted in the job history (jobs.db, attached to the index connection):
 * every item's state is written as soon as it is known, so a job interrupted by a cancel, a crash or a
 * closed window resumes with exactly the items left. A job records the process running it, so one
 * whose process died is seen at once on the same host (and after HEARTBEAT_TIMEOUT_MS elsewhere).
 */
import type { Database } from 'better-sqlite3';
import { cachedStatement } from '../index/statementCache.ts';
import { currentProcess, processGone } from '../processIdentity.ts';

/** What a job is doing. `paused`: stopped before its end (cancelled or interrupted); it can resume. */
export type JobState = 'queued' | 'running' | 'paused' | 'done' | 'failed';

/** An item's outcome. */
export type ItemState = 'pending' | 'done' | 'failed' | 'skipped';

/** A job with its counts. */
export interface JobInfo {
  id: number;
  kind: string;
  title: string;
  params: unknown;
  state: JobState;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  message: string | null;
  total: number;
  done: number;
  failed: number;
  skipped: number;
}

/** One item of a job. */
export interface JobItem {
  seq: number;
  key: string;
  state: ItemState;
  error: string | null;
  result: unknown;
}

/** Creates a job with its items (all pending), owned by this process until it runs; returns its id. */
export function createJob(db: Database, kind: string, title: string, params: unknown, keys: readonly string[]): number {
  const owner = currentProcess();
  return db
    .transaction(() => {
      const id = db
        .prepare(
          `INSERT INTO jobs (kind, title, params, state, created_at, owner_host, owner_pid, owner_start)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
        )
        .pluck()
        .get(kind, title, JSON.stringify(params), 'queued', Date.now(), owner.host, owner.pid, owner.start) as number;
      const insert = db.prepare('INSERT INTO job_items (job_id, seq, key, state) VALUES (?, ?, ?, ?)');
      keys.forEach((key, seq) => insert.run(id, seq, key, 'pending'));
      return id;
    })
    .immediate();
}

/** A job and its counts, or undefined. */
export function getJob(db: Database, id: number): JobInfo | undefined {
  const row = cachedStatement(
    db,
    `SELECT j.*, count(i.seq) AS total,
      sum(i.state = 'done') AS done, sum(i.state = 'failed') AS failed, sum(i.state = 'skipped') AS skipped
      FROM jobs j LEFT JOIN job_items i ON i.job_id = j.id WHERE j.id = ? GROUP BY j.id`,
  ).get(id) as JobRow | undefined;
  return row && toInfo(row);
}

/** All jobs, newest first. */
export function listJobs(db: Database, limit = 100): JobInfo[] {
  const rows = cachedStatement(
    db,
    `SELECT j.*, count(i.seq) AS total,
      sum(i.state = 'done') AS done, sum(i.state = 'failed') AS failed, sum(i.state = 'skipped') AS skipped
      FROM jobs j LEFT JOIN job_items i ON i.job_id = j.id GROUP BY j.id ORDER BY j.id DESC LIMIT ?`,
  ).all(limit) as JobRow[];
  return rows.map(toInfo);
}

/** The items of a job in a state (all when state is omitted), in order. */
export function jobItems(db: Database, id: number, state?: ItemState, limit = 1_000_000): JobItem[] {
  const rows = (
    state
      ? cachedStatement(
          db,
          'SELECT seq, key, state, error, result FROM job_items WHERE job_id = ? AND state = ? ORDER BY seq LIMIT ?',
        ).all(id, state, limit)
      : cachedStatement(
          db,
          'SELECT seq, key, state, error, result FROM job_items WHERE job_id = ? ORDER BY seq LIMIT ?',
        ).all(id, limit)
  ) as { seq: number; key: string; state: ItemState; error: string | null; result: string | null }[];
  return rows.map((r) => ({ ...r, result: r.result === null ? null : (JSON.parse(r.result) as unknown) }));
}

/** Records an item's outcome. */
export function finishItem(
  db: Database,
  id: number,
  seq: number,
  state: Exclude<ItemState, 'pending'>,
  outcome: { error?: string; result?: unknown },
): void {
  cachedStatement(
    db,
    'UPDATE job_items SET state = ?, error = ?, result = ?, finished_at = ? WHERE job_id = ? AND seq = ?',
  ).run(
    state,
    outcome.error ?? null,
    outcome.result === undefined ? null : JSON.stringify(outcome.result),
    Date.now(),
    id,
    seq,
  );
}

/** Sets a job's state (and its start or finish time). */
export function setJobState(db: Database, id: number, state: JobState, message: string | null = null): void {
  const now = Date.now();
  if (state === 'running')
    cachedStatement(
      db,
      'UPDATE jobs SET state = ?, started_at = coalesce(started_at, ?), message = ? WHERE id = ?',
    ).run(state, now, message, id);
  else if (state === 'done' || state === 'failed' || state === 'paused')
    cachedStatement(db, 'UPDATE jobs SET state = ?, finished_at = ?, message = ? WHERE id = ?').run(
      state,
      now,
      message,
      id,
    );
  else cachedStatement(db, 'UPDATE jobs SET state = ?, message = ? WHERE id = ?').run(state, message, id);
}

/** How long a running job may go without a heartbeat before it counts as interrupted. */
export const HEARTBEAT_TIMEOUT_MS = 30_000;

/** Records that the process running a job is alive. */
export function touchJob(db: Database, id: number): void {
  cachedStatement(db, 'UPDATE jobs SET heartbeat = ? WHERE id = ?').run(Date.now(), id);
}

/** Thrown when a job to run is already running in a live process. */
export class JobRunningError extends Error {
  constructor(id: number) {
    super(`Job ${id} is running in another process.`);
    this.name = 'JobRunningError';
  }
}

/**
 * Marks a job running in this process (recording this process as its owner), unless it is running in
 * a live one: then throws JobRunningError. Atomic, so two processes resuming one job cannot both run it.
 */
export function claimJob(db: Database, id: number): void {
  const owner = currentProcess();
  db.transaction(() => {
    const row = cachedStatement(
      db,
      `SELECT id, state, heartbeat, started_at, created_at, owner_host, owner_pid, owner_start
      FROM jobs WHERE id = ?`,
    ).get(id) as OwnerRow | undefined;
    if (!row) throw new Error(`There is no job ${id}.`);
    if (row.state === 'running' && !interrupted(row, Date.now())) throw new JobRunningError(id);
    const now = Date.now();
    cachedStatement(
      db,
      `UPDATE jobs SET state = 'running', started_at = coalesce(started_at, ?), message = NULL, heartbeat = ?,
        owner_host = ?, owner_pid = ?, owner_start = ? WHERE id = ?`,
    ).run(now, now, owner.host, owner.pid, owner.start, id);
  }).immediate();
}

/**
 * Jobs left running (or queued) by a process that is gone become `paused`: at once when their owner
 * ran on this host and its process is dead (or its pid now belongs to a process started at another
 * time), else when their heartbeat is older than HEARTBEAT_TIMEOUT_MS.
 */
export function pauseInterruptedJobs(db: Database, now = Date.now()): JobInfo[] {
  const rows = cachedStatement(
    db,
    `SELECT id, state, heartbeat, started_at, created_at, owner_host, owner_pid, owner_start
      FROM jobs WHERE state IN ('running', 'queued')`,
  ).all() as OwnerRow[];
  const ids = rows.filter((row) => interrupted(row, now)).map((row) => row.id);
  for (const id of ids) setJobState(db, id, 'paused', 'Interrupted before it finished.');
  return ids.map((id) => getJob(db, id)!);
}

interface OwnerRow {
  id: number;
  state: JobState;
  heartbeat: number | null;
  started_at: number | null;
  created_at: number;
  owner_host: string | null;
  owner_pid: number | null;
  owner_start: string | null;
}

function interrupted(row: OwnerRow, now: number): boolean {
  if (row.owner_host !== null && row.owner_pid !== null) {
    if (processGone({ host: row.owner_host, pid: row.owner_pid, start: row.owner_start }) === true) return true;
  }
  return (row.heartbeat ?? row.started_at ?? row.created_at) < now - HEARTBEAT_TIMEOUT_MS;
}

/** Puts a job's failed items back to pending, to try them again on resume. */
export function retryFailedItems(db: Database, id: number): number {
  return cachedStatement(
    db,
    "UPDATE job_items SET state = 'pending', error = NULL WHERE job_id = ? AND state = 'failed'",
  ).run(id).changes;
}

interface JobRow {
  id: number;
  kind: string;
  title: string;
  params: string;
  state: JobState;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  message: string | null;
  total: number;
  done: number | null;
  failed: number | null;
  skipped: number | null;
}

function toInfo(row: JobRow): JobInfo {
  return {
    id: row.id,
    kind: row.kind,
    title: row.title,
    params: JSON.parse(row.params) as unknown,
    state: row.state,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    message: row.message,
    total: row.total,
    done: row.done ?? 0,
    failed: row.failed ?? 0,
    skipped: row.skipped ?? 0,
  };
}
