/**
 * This process's peak resident set size in MB. On Linux it is read from `VmHWM` in
 * /proc/self/status: `process.resourceUsage().maxRSS` keeps the high-water mark across exec, so a
 * child spawned by a large parent (a long mocha run) would report the parent's size instead of its own.
 */
import { readFileSync } from 'node:fs';

export function peakRssMb(): number {
  try {
    const hwm = /^VmHWM:\s*(\d+)\s*kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (hwm) return Number(hwm[1]) / 1024;
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS / 1024;
}
