// Writers never leave a half-written file under its final name: bytes go to a temporary file in the
// same directory (so rename stays on one filesystem and is atomic), are fsync'ed, then renamed over
// the target. Any failure before the rename unlinks the temporary file.
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { IoError } from "../errors.ts";
import { ioErrorFrom } from "./file-range.ts";

/** A file being written under a temporary name; commit() publishes it, abort() discards it. */
export class AtomicFileWriter {
  /** The final name. */
  readonly path: string;
  /** The temporary name the bytes go to until commit(). */
  readonly tempPath: string;
  private fd: number;
  private positionBytes = 0;
  private state: "open" | "committed" | "aborted" = "open";

  constructor(path: string) {
    this.path = path;
    const suffix = `${process.pid}-${Math.floor(Math.random() * 0x7fffffff).toString(36)}`;
    this.tempPath = join(dirname(path), `.${basename(path)}.tmp-${suffix}`);
    try {
      this.fd = openSync(this.tempPath, "wx", 0o644);
    } catch (err) {
      throw ioErrorFrom("create", this.tempPath, 0, err);
    }
  }

  /** Bytes written so far by append() (the current end of the appended stream). */
  get bytesWritten(): number {
    return this.positionBytes;
  }

  /** Appends the bytes of a typed-array view at the current position. */
  append(bytes: ArrayBufferView): void {
    this.writeAt(bytes, this.positionBytes);
    this.positionBytes += bytes.byteLength;
  }

  /** Writes bytes at an absolute offset without moving the append position (e.g. to patch a header). */
  writeAt(bytes: ArrayBufferView, offsetBytes: number): void {
    if (this.state !== "open") throw new IoError("write", 0, this.path, offsetBytes, `writer already ${this.state}`);
    const view = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let done = 0;
    try {
      while (done < view.length) {
        const n = writeSync(this.fd, view, done, view.length - done, offsetBytes + done);
        if (n <= 0) throw new IoError("write", 0, this.tempPath, offsetBytes + done, "write returned 0 bytes");
        done += n;
      }
    } catch (err) {
      this.abort();
      throw ioErrorFrom("write", this.tempPath, offsetBytes + done, err);
    }
  }

  /** fsyncs, closes and renames the temporary file to the final name. */
  commit(): void {
    if (this.state !== "open") throw new IoError("commit", 0, this.path, 0, `writer already ${this.state}`);
    try {
      fsyncSync(this.fd);
      closeSync(this.fd);
      this.fd = -1;
      renameSync(this.tempPath, this.path);
      this.state = "committed";
    } catch (err) {
      this.abort();
      throw ioErrorFrom("rename", this.path, 0, err);
    }
  }

  /** Closes and removes the temporary file; the final name is untouched. Safe to call twice. */
  abort(): void {
    if (this.state !== "open") return;
    this.state = "aborted";
    if (this.fd >= 0) {
      try {
        closeSync(this.fd);
      } catch {
        // Already failing; the unlink below is what matters.
      }
      this.fd = -1;
    }
    try {
      unlinkSync(this.tempPath);
    } catch {
      // The temp file may never have been created or may already be gone.
    }
  }
}

/** Streams bytes through `fill(writer)` and publishes the file only if fill() completes. */
export async function writeFileAtomicWith(
  path: string,
  fill: (writer: AtomicFileWriter) => void | Promise<void>,
): Promise<void> {
  const writer = new AtomicFileWriter(path);
  try {
    await fill(writer);
  } catch (err) {
    writer.abort();
    throw err;
  }
  writer.commit();
}

/** Writes the given chunks, in order, as the whole content of `path`. */
export function writeFileAtomic(path: string, chunks: Iterable<ArrayBufferView> | ArrayBufferView | string): void {
  const writer = new AtomicFileWriter(path);
  try {
    if (typeof chunks === "string") writer.append(new TextEncoder().encode(chunks));
    else if (ArrayBuffer.isView(chunks)) writer.append(chunks);
    else for (const chunk of chunks) writer.append(chunk);
  } catch (err) {
    writer.abort();
    throw err;
  }
  writer.commit();
}
