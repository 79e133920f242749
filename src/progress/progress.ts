// A progress bar with rate and ETA on stderr. On a terminal it redraws in place at most ~10 times a
// second. Off a terminal (a CI log, a file) it prints a plain line at most every 10 s, plus the
// final line, so a log holds a few lines per phase instead of hundreds. Silent when quiet.

/** Off a terminal, at most one progress line per this many milliseconds. */
export const LOG_LINE_INTERVAL_MS = 10_000;

export interface ProgressOptions {
  quiet?: boolean;
  /** Draw in place (default: stderr is a terminal). */
  tty?: boolean;
  /** Where text goes (default: stderr). */
  write?: (text: string) => void;
  /** Milliseconds (default: performance.now); tests pass their own clock. */
  now?: () => number;
}

export class Progress {
  private readonly label: string;
  private readonly total: number;
  private readonly quiet: boolean;
  private readonly tty: boolean;
  private readonly write: (text: string) => void;
  private readonly now: () => number;
  private readonly startMs: number;
  private lastDrawMs: number;
  private done = 0;

  constructor(label: string, total: number, opts: ProgressOptions = {}) {
    this.label = label;
    this.total = Math.max(1, total);
    this.quiet = opts.quiet ?? false;
    this.tty = opts.tty ?? Boolean(process.stderr.isTTY);
    this.write = opts.write ?? ((text) => void process.stderr.write(text));
    this.now = opts.now ?? (() => performance.now());
    this.startMs = this.now();
    this.lastDrawMs = this.tty ? Number.NEGATIVE_INFINITY : this.startMs;
  }

  /** Set the absolute amount done. */
  update(done: number): void {
    this.done = done;
    if (this.quiet) return;
    const now = this.now();
    if (this.tty) {
      if (now - this.lastDrawMs < 100 && done < this.total) return;
      this.lastDrawMs = now;
      this.write(`\r${this.render(now)}\x1b[K`);
    } else {
      // The final line comes from finish(); in between, one line per interval.
      if (now - this.lastDrawMs < LOG_LINE_INTERVAL_MS) return;
      this.lastDrawMs = now;
      this.write(`${this.render(now)}\n`);
    }
  }

  add(n: number): void {
    this.update(this.done + n);
  }

  finish(): number {
    const seconds = (this.now() - this.startMs) / 1000;
    if (!this.quiet) {
      const line = `${this.label}: done ${this.total.toLocaleString("en-US")} in ${formatDuration(seconds)}`;
      this.write(this.tty ? `\r${line}\x1b[K\n` : `${line}\n`);
    }
    return seconds;
  }

  private render(now: number): string {
    const frac = Math.min(1, this.done / this.total);
    const width = 24;
    const filled = Math.round(frac * width);
    const elapsed = (now - this.startMs) / 1000;
    const eta = frac > 0 ? (elapsed * (1 - frac)) / frac : Number.NaN;
    const bar = "█".repeat(filled) + "░".repeat(width - filled);
    const count = `${this.done.toLocaleString("en-US")}/${this.total.toLocaleString("en-US")}`;
    return (
      `${this.label} ${bar} ${(frac * 100).toFixed(1).padStart(5)}% ${count} ` +
      `elapsed ${formatDuration(elapsed)} ETA ${Number.isFinite(eta) ? formatDuration(eta) : "?"}`
    );
  }
}

export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds % 60);
  if (m < 60) return `${m}m${String(s).padStart(2, "0")}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, "0")}m`;
}
