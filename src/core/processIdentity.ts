/**
 * Which process is this, and is another one still alive: a host name, a pid and, on Linux, the
 * process's start time (boot id and clock ticks since boot from /proc), so a pid the system reused
 * for another program is not taken for the process that is gone.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

/** A process, as recorded by whoever needs to find out later whether it still runs. */
export interface ProcessIdentity {
  host: string;
  pid: number;
  /** Opaque start time (Linux: `<boot id>:<start ticks>`), null where the system does not tell. */
  start: string | null;
}

let self: ProcessIdentity | undefined;

/** This process. */
export function currentProcess(): ProcessIdentity {
  self ??= { host: hostname(), pid: process.pid, start: processStart(process.pid) };
  return self;
}

/** A short tag of this host's name (8 hex digits), for names that must not be mistaken across hosts. */
export function hostTag(host = hostname()): string {
  return createHash('sha256').update(host).digest('hex').slice(0, 8);
}

/** Whether a process with this pid exists on this host (a live process of another user counts). */
export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether the process `owner` describes is gone: true when it surely is (same host, and its pid is
 * free or now belongs to a process that started at another time), false when it surely runs (same
 * host, same pid and start time), undefined when this host cannot tell (another host, or no start
 * time to compare while the pid is taken).
 */
export function processGone(owner: ProcessIdentity): boolean | undefined {
  if (owner.host !== hostname()) return undefined;
  if (!pidAlive(owner.pid)) return true;
  const start = processStart(owner.pid);
  if (owner.start === null || start === null) return undefined;
  return start !== owner.start;
}

/** The start time of process `pid` as `<boot id>:<start ticks>` (Linux), or null. */
export function processStart(pid: number): string | null {
  if (process.platform !== 'linux') return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces and parentheses): state is field 3, starttime field 22.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = fields[22 - 3];
    return ticks ? `${bootId()}:${ticks}` : null;
  } catch {
    return null;
  }
}

let boot: string | undefined;

function bootId(): string {
  if (boot === undefined) {
    try {
      boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    } catch {
      boot = '';
    }
  }
  return boot;
}
