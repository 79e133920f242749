// The one map from error codes to process exit codes, used by every command (the CLI's main and
// `ringann run`), so the README's table holds everywhere:
//   0 success, 1 runtime failure (bad data, I/O error, a bug), 2 bad usage or config,
//   3 missing environment (io_uring forced but unavailable, a missing package or native library,
//     a reader the kernel refuses: EINVAL/EFAULT/EBADF/...), 130 interrupted by a signal.
// Sits beside errors.ts at the bottom of the import order: run and cli both import it downwards.
import { type ErrorCode, RingannError } from "./errors.ts";

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
export const EXIT_ENVIRONMENT = 3;
export const EXIT_INTERRUPTED = 130;

export type ExitCode =
  | typeof EXIT_OK
  | typeof EXIT_FAILURE
  | typeof EXIT_USAGE
  | typeof EXIT_ENVIRONMENT
  | typeof EXIT_INTERRUPTED;

export const EXIT_CODE_OF: Readonly<Record<ErrorCode, ExitCode>> = {
  E_USAGE: EXIT_USAGE,
  E_CONFIG: EXIT_USAGE,
  E_MEMORY_BUDGET: EXIT_USAGE,
  E_DIMENSION: EXIT_USAGE,
  E_UNKNOWN_LABEL: EXIT_USAGE,
  E_UNKNOWN_ATTRIBUTE: EXIT_USAGE,
  E_NO_LABELS: EXIT_USAGE,
  E_FORMAT: EXIT_FAILURE,
  E_TRUNCATED: EXIT_FAILURE,
  E_RANGE: EXIT_FAILURE,
  E_IO: EXIT_FAILURE,
  E_SHORT_READ: EXIT_FAILURE,
  E_ALIGN: EXIT_FAILURE,
  E_TOO_LONG: EXIT_FAILURE,
  E_PAST_EOF: EXIT_FAILURE,
  E_URING: EXIT_FAILURE,
  E_CLOSED: EXIT_FAILURE,
  E_NOMEM: EXIT_FAILURE,
  E_BENCH: EXIT_FAILURE,
  E_QUEUE_FULL: EXIT_FAILURE,
  E_DEADLINE: EXIT_FAILURE,
  E_WORKER: EXIT_FAILURE,
  E_BUILD_WORKER: EXIT_FAILURE,
  E_STEP: EXIT_FAILURE,
  E_URING_UNAVAILABLE: EXIT_ENVIRONMENT,
  E_MISCONFIGURED: EXIT_ENVIRONMENT,
  E_MISSING_PACKAGE: EXIT_ENVIRONMENT,
  E_NATIVE_MISSING: EXIT_ENVIRONMENT,
  E_SLOT: EXIT_FAILURE,
  E_SLOT_STATE: EXIT_FAILURE,
  E_INVARIANT: EXIT_FAILURE,
  E_INTERNAL: EXIT_FAILURE,
};

/** The exit code for a thrown value: by its code; anything that is not a RingannError is 1. */
export function exitCodeFor(err: unknown): ExitCode {
  return err instanceof RingannError ? EXIT_CODE_OF[err.code] : EXIT_FAILURE;
}
