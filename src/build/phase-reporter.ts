// How build phases report progress: the CLI plugs in a Progress bar with ETA per phase; the library
// API reports nothing unless given a reporter.
import { Progress } from "../progress/progress.ts";

export interface PhaseHandle {
  update(done: number): void;
  /** Returns the phase's seconds. */
  finish(): number;
}

export interface PhaseReporter {
  start(label: string, total: number): PhaseHandle;
}

/** Progress bars on stderr (silent when quiet), and the seconds of every finished phase. */
export class ProgressReporter implements PhaseReporter {
  readonly phaseSeconds: { label: string; seconds: number }[] = [];
  private readonly quiet: boolean;

  constructor(quiet: boolean) {
    this.quiet = quiet;
  }

  start(label: string, total: number): PhaseHandle {
    const bar = new Progress(label, total, { quiet: this.quiet });
    return {
      update: (done) => bar.update(done),
      finish: () => {
        const seconds = bar.finish();
        this.phaseSeconds.push({ label, seconds });
        return seconds;
      },
    };
  }
}

/** Wraps a reporter so every progress update throws once `signal` is aborted. */
export function abortableReporter(
  inner: PhaseReporter | undefined,
  signal: AbortSignal | undefined,
): PhaseReporter | undefined {
  if (signal === undefined) return inner;
  return {
    start(label, total) {
      signal.throwIfAborted();
      const handle = inner?.start(label, total);
      return {
        update(done) {
          signal.throwIfAborted();
          handle?.update(done);
        },
        finish: () => handle?.finish() ?? 0,
      };
    },
  };
}
