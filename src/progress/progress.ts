// A progress bar with rate and ETA on stderr. Redraws at most ~10 times a second; silent when
// quiet or when stderr is not a terminal (then it prints a line every ~10% so logs still show progress).

export class Progress {
  private readonly label: string;
  private readonly total: number;
  private readonly quiet: boolean;
  private readonly tty: boolean;
  private readonly startMs: number;
  private lastDrawMs = 0;
  private lastTenth = -1;
  private done = 0;

  constructor(label: string, total: number, opts: { quiet?: boolean } = {}) {
    this.label = label;
    this.total = Math.max(1, total);
    this.quiet = opts.quiet ?? false;
    this.tty = Boolean(process.stderr.isTTY);
    this.startMs = performance.now();
  }

  /** Set the absolute amount done. */
  update(done: number): void {
    this.done = done;
    if (this.quiet) return;
    const now = performance.now();
    if (this.tty) {
      if (now - this.lastDrawMs < 100 && done < this.total) return;
      this.lastDrawMs = now;
      process.stderr.write(`\r${this.render(now)}\x1b[K`);
    } else {
      const tenth = Math.floor((10 * done) / this.total);
      if (tenth === this.lastTenth) return;
      this.lastTenth = tenth;
      process.stderr.write(`${this.render(now)}\n`);
    }
  }

  add(n: number): void {
    this.update(this.done + n);
  }

  finish(): number {
    const seconds = (performance.now() - this.startMs) / 1000;
    if (!this.quiet) {
      const line = `${this.label}: done ${this.total.toLocaleString("en-US")} in ${formatDuration(seconds)}`;
      process.stderr.write(this.tty ? `\r${line}\x1b[K\n` : `${line}\n`);
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
    return `${this.label} ${bar} ${(frac * 100).toFixed(1).padStart(5)}% ${this.done.toLocaleString("en-US")}/${this.total.toLocaleString("en-US")} ` +
      `elapsed ${formatDuration(elapsed)} ETA ${Number.isFinite(eta) ? formatDuration(eta) : "?"}`;
  }
}

export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds % 60);
  if (m < 60) return `${m}m${String(s).padStart(2, "0")}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, "0")}m`;
}
