// The seam between search and storage. A reader owns the kernel's memory (its SlotArena):
// callers see slot numbers and read-only views of completed slots, never pointers.
import type { IoError } from "../errors.ts";

export type ReaderBackend = "uring" | "pread" | "sim";

/**
 * Completions copied out of the reader by poll()/wait(). Allocated once by the caller and reused:
 * entries 0..count-1 are valid after a call. `error[i]` is null for a good read; a failed read
 * (short read, EOF, EIO, ...) carries its IoError and its slot is already Free again.
 */
export class ReadCompletions {
  readonly slot: Int32Array;
  readonly error: (IoError | null)[];
  count = 0;
  constructor(capacity: number) {
    this.slot = new Int32Array(capacity);
    this.error = new Array<IoError | null>(capacity).fill(null);
  }
  get capacity(): number {
    return this.slot.length;
  }
}

export interface SectorReader {
  readonly backend: ReaderBackend;
  /** The file being read, for messages. */
  readonly file: string;
  /** Bytes in the file (reads past it are errors). */
  readonly fileBytes: number;
  /** Bytes per slot: the largest read one submit() may ask for. Multiple of 4096. */
  readonly slotBytes: number;
  /** Number of slots = the most reads that can be in flight. */
  readonly slotCount: number;
  /** Reads submitted and not yet returned through poll()/wait(). */
  readonly inFlight: number;
  /**
   * Queue a read of `length` bytes at `offset` (both multiples of 4096, length ≤ slotBytes) into a
   * free slot. Returns the slot, or null when every slot is busy. Queued reads reach the kernel in one
   * batch at the next poll()/wait() (one syscall per batch).
   */
  submit(offset: number, length: number): number | null;
  /**
   * Hand queued reads to the kernel now (one system call), reaping nothing. Submitting each read as
   * soon as it is chosen keeps the device busy while the caller computes; on devices that complete a
   * submitted batch together it also avoids waiting for the slowest read of a batch.
   */
  flush(): void;
  /** Flush queued reads and copy out whatever has completed, without blocking. Returns out.count. */
  poll(out: ReadCompletions): number;
  /** Flush queued reads and block until at least min(min, inFlight) completions are available. */
  wait(min: number, out: ReadCompletions): number;
  /** Bytes of a Completed slot (throws unless Completed). Valid until release(slot). */
  view(slot: number): Uint8Array;
  /** Completed → Free. */
  release(slot: number): void;
  /** Drains every in-flight read, then frees the arena and closes the file. Idempotent. */
  close(): void;
}

/** Reads are whole 4 KiB sectors: the index format owns the constant (src/format/sector.ts). */
export { SECTOR_BYTES } from "../format/sector.ts";
