// Error classes with stable codes. Tests check the class and `code`, users read the message.
// Messages follow "Cannot <verb> <thing>: <state>" and name the file/field/path involved.

/**
 * Every error code ringann throws (closed: a new code is added here and in exit-codes.ts). Grouped
 * by what the user should do: fix the command line or config, fix or replace a file, fix the
 * machine, or report a bug.
 */
export type ErrorCode =
  // usage and config (exit 2)
  | "E_USAGE"
  | "E_CONFIG"
  | "E_MEMORY_BUDGET"
  | "E_DIMENSION"
  // filters (issue 12): a label / attribute the index lacks, or an index without labels (exit 2)
  | "E_UNKNOWN_LABEL"
  | "E_UNKNOWN_ATTRIBUTE"
  | "E_NO_LABELS"
  // bad data in a file (exit 1)
  | "E_FORMAT"
  | "E_TRUNCATED"
  | "E_RANGE"
  // I/O at run time (exit 1)
  | "E_IO"
  | "E_SHORT_READ"
  | "E_ALIGN"
  | "E_TOO_LONG"
  | "E_PAST_EOF"
  | "E_URING"
  | "E_CLOSED"
  | "E_NOMEM"
  | "E_BENCH"
  // an asynchronous query refused or stopped (exit 1; the server answers 429 / 504)
  | "E_QUEUE_FULL"
  | "E_DEADLINE"
  // a Worker or a run step failed (exit 1 unless its cause says otherwise)
  | "E_WORKER"
  | "E_BUILD_WORKER"
  | "E_STEP"
  // the machine lacks something (exit 3)
  | "E_URING_UNAVAILABLE"
  | "E_MISCONFIGURED"
  | "E_MISSING_PACKAGE"
  | "E_NATIVE_MISSING"
  // a bug in ringann (exit 1)
  | "E_SLOT"
  | "E_SLOT_STATE"
  | "E_INVARIANT"
  | "E_INTERNAL";

const ERROR_CODES: ReadonlySet<string> = new Set<ErrorCode>([
  "E_USAGE",
  "E_CONFIG",
  "E_MEMORY_BUDGET",
  "E_FORMAT",
  "E_TRUNCATED",
  "E_RANGE",
  "E_IO",
  "E_SHORT_READ",
  "E_ALIGN",
  "E_TOO_LONG",
  "E_PAST_EOF",
  "E_URING",
  "E_CLOSED",
  "E_NOMEM",
  "E_BENCH",
  "E_WORKER",
  "E_BUILD_WORKER",
  "E_STEP",
  "E_URING_UNAVAILABLE",
  "E_MISCONFIGURED",
  "E_MISSING_PACKAGE",
  "E_NATIVE_MISSING",
  "E_SLOT",
  "E_SLOT_STATE",
  "E_INVARIANT",
  "E_INTERNAL",
  "E_UNKNOWN_LABEL",
  "E_UNKNOWN_ATTRIBUTE",
  "E_NO_LABELS",
  "E_DIMENSION",
  "E_QUEUE_FULL",
  "E_DEADLINE",
]);

/** True for a code of the union (codes cross Worker boundaries as strings). */
export function isErrorCode(code: string): code is ErrorCode {
  return ERROR_CODES.has(code);
}

export class RingannError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = new.target.name;
    this.code = code;
  }
}

/** Bad bytes in a file: names the file, the field, what was expected and what was found. */
export class FormatError extends RingannError {
  readonly file: string;
  readonly field: string;
  readonly expected: string;
  readonly found: string;
  constructor(file: string, field: string, expected: string, found: string, code: ErrorCode = "E_FORMAT") {
    super(code, `Cannot read ${file}: field '${field}' expected ${expected}, found ${found}`);
    this.file = file;
    this.field = field;
    this.expected = expected;
    this.found = found;
  }
}

/** An I/O operation failed; errno is positive (e.g. 5 for EIO), 0 when not from the kernel. */
export class IoError extends RingannError {
  readonly op: string;
  readonly errno: number;
  readonly file: string;
  readonly offset: number;
  constructor(op: string, errno: number, file: string, offset: number, detail: string, code: ErrorCode = "E_IO") {
    super(code, `Cannot ${op} ${file} at offset ${offset}: ${detail}`);
    this.op = op;
    this.errno = errno;
    this.file = file;
    this.offset = offset;
  }
}

/** A config/CLI input problem; `path` is a JSON path or a flag name. */
export class ConfigError extends RingannError {
  readonly path: string;
  readonly problems: readonly string[];
  constructor(path: string, problems: readonly string[], code: ErrorCode = "E_CONFIG") {
    super(
      code,
      problems.length === 1 ? `Invalid ${path}: ${problems[0]}` : `Invalid ${path}:\n  ${problems.join("\n  ")}`,
    );
    this.path = path;
    this.problems = problems;
  }
}

/** Wrong command-line usage; the CLI prints the message and the command's --help hint, exit code 2. */
export class UsageError extends RingannError {
  constructor(message: string) {
    super("E_USAGE", message);
  }
}

/** Our own invariant broke: a bug in ringann, never the user's input. */
export function invariant(condition: boolean, message: string): asserts condition {
  if (!condition) throw new RingannError("E_INVARIANT", `ringann invariant violated: ${message}`);
}

/**
 * Any thrown value as a RingannError: itself, or E_INTERNAL wrapping what is not ours (a TypeError
 * from a bug, a Worker's plain Error), so every error that reaches a user has a code.
 */
export function asRingannError(err: unknown): RingannError {
  if (err instanceof RingannError) return err;
  const what = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  const e = new RingannError("E_INTERNAL", `internal error: ${what}`);
  if (err instanceof Error) e.cause = err;
  return e;
}

/** An asynchronous query could not be taken or finished: a full queue, a deadline, a closed index. */
export class QueryRejectedError extends RingannError {
  /** "queue-full" | "deadline" | "closed" */
  readonly reason: "queue-full" | "deadline" | "closed";
  constructor(reason: "queue-full" | "deadline" | "closed", message: string) {
    super(reason === "queue-full" ? "E_QUEUE_FULL" : reason === "deadline" ? "E_DEADLINE" : "E_CLOSED", message);
    this.reason = reason;
  }
}
