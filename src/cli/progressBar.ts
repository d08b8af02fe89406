/** A one-line progress bar for terminals; silent when stderr is not a TTY. */
import type { WriteStream } from 'node:tty';

/** Draws `label [#####-----] done/total rate eta` on one line, at most ten times a second. */
export class ProgressBar {
  private readonly stream: NodeJS.WriteStream & Partial<WriteStream>;
  private readonly enabled: boolean;
  private lastDraw = 0;
  private started = performance.now();
  private label = '';

  constructor(stream: NodeJS.WriteStream = process.stderr) {
    this.stream = stream;
    this.enabled = Boolean(stream.isTTY) && !process.env.CI;
  }

  /** Starts a new phase. */
  phase(label: string): void {
    this.label = label;
    this.started = performance.now();
    this.lastDraw = 0;
  }

  /** Updates the bar. */
  update(done: number, total: number, force = false): void {
    if (!this.enabled) return;
    const now = performance.now();
    if (!force && now - this.lastDraw < 100) return;
    this.lastDraw = now;
    const width = Math.max(10, Math.min(40, (this.stream.columns ?? 80) - 60));
    const ratio = total > 0 ? Math.min(1, done / total) : 0;
    const filled = Math.round(ratio * width);
    const seconds = (now - this.started) / 1000;
    const rate = seconds > 0 ? done / seconds : 0;
    const eta = rate > 0 && total > done ? ` eta ${formatDuration((total - done) / rate)}` : '';
    const line = `${this.label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total} ${rate.toFixed(1)}/s${eta}`;
    this.stream.write(`\r${line.slice(0, (this.stream.columns ?? 120) - 1)}\x1b[K`);
  }

  /** Clears the line. */
  done(): void {
    if (this.enabled) this.stream.write('\r\x1b[K');
  }
}

function formatDuration(seconds: number): string {
  if (seconds < 60) return `${Math.ceil(seconds)}s`;
  const minutes = Math.floor(seconds / 60);
  return minutes < 60
    ? `${minutes}m${String(Math.round(seconds % 60)).padStart(2, '0')}s`
    : `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}
