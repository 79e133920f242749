// Where a run talks: status lines and progress bars go to stderr (silent with --quiet), so stdout
// carries only the table or, with --json, one JSON document.
import { Progress } from "../../progress/progress.ts";

export class RunLog {
  readonly quiet: boolean;

  constructor(quiet: boolean) {
    this.quiet = quiet;
  }

  info(line: string): void {
    if (!this.quiet) process.stderr.write(line + "\n");
  }

  /** A status line that replaces a progress bar still drawn on a terminal. */
  line(text: string): void {
    if (this.quiet) return;
    process.stderr.write(process.stderr.isTTY ? `\r\x1b[K${text}\n` : `${text}\n`);
  }

  /** ttyOnly: short phases (one search run) draw a bar on a terminal but add no lines to logs. */
  progress(label: string, total: number, opts: { ttyOnly?: boolean } = {}): Progress {
    return new Progress(label, total, { quiet: this.quiet || (opts.ttyOnly === true && !process.stderr.isTTY) });
  }
}
