// What every `ringann <command>` module exports. run() returns the process exit code:
// 0 ok, 1 runtime failure, 2 usage/config error, 3 environment problem (e.g. missing package),
// 130 interrupted by a signal (nothing half-written is left).

export interface Command {
  readonly name: string;
  /** One line for `ringann --help`. */
  readonly summary: string;
  /** Full help text for `ringann <command> --help`. */
  readonly help: string;
  run(argv: string[]): Promise<number>;
}

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
export const EXIT_ENVIRONMENT = 3;
export const EXIT_INTERRUPTED = 130;
