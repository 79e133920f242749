// Positioned reads of a file that is never loaded whole: open once, read exact byte ranges at
// offsets (pread), close. A short read means the file changed under us or lied about its size, so it
// is an IoError naming the file and offset rather than silently returning zeros.
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { IoError } from "../errors.ts";

/** Large ranges are read in pieces so one syscall never exceeds what the kernel returns at once. */
const MAX_READ_BYTES = 1 << 30;

export class FileRange {
  readonly file: string;
  readonly sizeBytes: number;
  private fd: number;

  private constructor(file: string, fd: number, sizeBytes: number) {
    this.file = file;
    this.fd = fd;
    this.sizeBytes = sizeBytes;
  }

  static open(file: string): FileRange {
    let fd: number;
    try {
      fd = openSync(file, "r");
    } catch (err) {
      throw ioErrorFrom("open", file, 0, err);
    }
    try {
      const st = fstatSync(fd);
      if (st.isDirectory()) throw new IoError("open", 21, file, 0, "EISDIR (is a directory, expected a file)");
      return new FileRange(file, fd, st.size);
    } catch (err) {
      closeSync(fd);
      throw ioErrorFrom("stat", file, 0, err);
    }
  }

  /** Fills `into` entirely with the bytes at [offsetBytes, offsetBytes + into.length). */
  readInto(into: Uint8Array, offsetBytes: number): void {
    if (this.fd < 0) throw new IoError("read", 9, this.file, offsetBytes, "EBADF (file already closed)");
    let done = 0;
    while (done < into.length) {
      const want = Math.min(into.length - done, MAX_READ_BYTES);
      let n: number;
      try {
        n = readSync(this.fd, into, done, want, offsetBytes + done);
      } catch (err) {
        throw ioErrorFrom("read", this.file, offsetBytes + done, err);
      }
      if (n <= 0) {
        throw new IoError(
          "read",
          0,
          this.file,
          offsetBytes + done,
          `short read: wanted ${into.length - done} more bytes, file ended (size ${this.sizeBytes} bytes)`,
        );
      }
      done += n;
    }
  }

  /** Reads `lengthBytes` bytes at `offsetBytes` into a fresh buffer. */
  read(offsetBytes: number, lengthBytes: number): Uint8Array {
    const out = new Uint8Array(lengthBytes);
    this.readInto(out, offsetBytes);
    return out;
  }

  close(): void {
    if (this.fd < 0) return;
    closeSync(this.fd);
    this.fd = -1;
  }
}

/** Opens `file`, runs `body`, always closes. */
export function withFileRange<T>(file: string, body: (range: FileRange) => T): T {
  const range = FileRange.open(file);
  try {
    return body(range);
  } finally {
    range.close();
  }
}

export function ioErrorFrom(op: string, file: string, offset: number, err: unknown): IoError {
  if (err instanceof IoError) return err;
  const e = err as { errno?: number; code?: string; message?: string };
  const errno = typeof e.errno === "number" ? Math.abs(e.errno) : 0;
  return new IoError(op, errno, file, offset, e.code ? `${e.code} (${e.message ?? ""})` : String(err));
}
