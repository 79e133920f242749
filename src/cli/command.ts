// What every `ringann <command>` module exports. run() returns the process exit code (0 or 130);
// errors it throws get theirs from the one code → exit-code map (src/exit-codes.ts) in main.ts.

export interface Command {
  readonly name: string;
  /** One line for `ringann --help`. */
  readonly summary: string;
  /** Full help text for `ringann <command> --help`. */
  readonly help: string;
  /** Help for a subcommand (`ringann bench serve --help`), when the command has several. */
  helpFor?(argv: readonly string[]): string;
  run(argv: string[]): Promise<number>;
}

export { EXIT_ENVIRONMENT, EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE } from "../exit-codes.ts";
