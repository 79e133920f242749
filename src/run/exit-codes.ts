// Exit codes of `ringann run` that say what failed (see src/cli/command.ts for 0–3):
// 1 a job failed at run time (bad data file, I/O error, bug), 2 the config or the flags,
// 3 the environment (io_uring unavailable when forced, a missing package or native library),
// 130 interrupted by a signal.
import { ConfigError, RingannError, UsageError } from "../errors.ts";
import { EXIT_ENVIRONMENT, EXIT_FAILURE, EXIT_USAGE } from "../cli/command.ts";

export { EXIT_INTERRUPTED } from "../cli/command.ts";

/** Error codes that mean "this machine lacks something", not "the job or data is wrong". */
const ENVIRONMENT_CODES = /^E_(URING_UNAVAILABLE|MISSING|ENV|NATIVE|PACKAGE|NO_DATASET)/;

export function exitCodeFor(err: unknown): number {
  if (err instanceof UsageError || err instanceof ConfigError) return EXIT_USAGE;
  if (err instanceof RingannError && ENVIRONMENT_CODES.test(err.code)) return EXIT_ENVIRONMENT;
  return EXIT_FAILURE;
}
