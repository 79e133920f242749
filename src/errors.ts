// Error classes with stable codes. Tests check the class and `code`, users read the message.
// Messages follow "Cannot <verb> <thing>: <state>" and name the file/field/path involved.

export class RingannError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
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
  constructor(file: string, field: string, expected: string, found: string, code = "E_FORMAT") {
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
  constructor(op: string, errno: number, file: string, offset: number, detail: string, code = "E_IO") {
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
  constructor(path: string, problems: readonly string[], code = "E_CONFIG") {
    super(code, problems.length === 1 ? `Invalid ${path}: ${problems[0]}` : `Invalid ${path}:\n  ${problems.join("\n  ")}`);
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

/** An asynchronous query could not be taken or finished: a full queue, a deadline, a closed index. */
export class QueryRejectedError extends RingannError {
  /** "queue-full" | "deadline" | "closed" */
  readonly reason: "queue-full" | "deadline" | "closed";
  constructor(reason: "queue-full" | "deadline" | "closed", message: string) {
    super(reason === "queue-full" ? "E_QUEUE_FULL" : reason === "deadline" ? "E_DEADLINE" : "E_CLOSED", message);
    this.reason = reason;
  }
}
