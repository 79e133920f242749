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

/** Index of each figure in SectorReader.counters (cumulative since the reader opened). */
export const IoCounter = {
  /** System calls made to submit or wait (io_uring_enter; pread: one per read). */
  Calls: 0,
  /** Reads handed to the kernel. */
  Submitted: 1,
  /** System calls that waited for completions. */
  Waits: 2,
  /** Completions collected. */
  Reaped: 3,
  /** Waits answered from completions already in the ring, without a system call. */
  FreeReaps: 4,
  /** Reads re-queued after EINTR/EAGAIN. */
  Retried: 5,
} as const;
export const IO_COUNTERS = 8;

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
  /** Reads submitted and not yet returned through poll()/wait() (including those not yet sent). */
  readonly inFlight: number;
  /** Reads submitted and not yet handed to the kernel (sent by the next flush/poll/wait). */
  readonly unsent: number;
  /**
   * The read record of each slot, set by submit() and kept until the slot is submitted again: the
   * caller's tag (search: the query that owns the read) and key (search: the node being read).
   */
  readonly tags: Int32Array;
  readonly keys: Uint32Array;
  /** Cumulative I/O figures, indexed by IoCounter (read them at any time; no call). */
  readonly counters: Float64Array;
  /**
   * Queue a read of `length` bytes at `offset` (both multiples of 4096, length ≤ slotBytes) into a
   * free slot, recording `tag` and `key` for it. Returns the slot, or null when every slot is busy.
   * Queued reads reach the kernel in one batch at the next flush/poll/wait (one syscall per batch).
   */
  submit(offset: number, length: number, tag?: number, key?: number): number | null;
  /** True while the slot's read is submitted and not yet returned. */
  isInFlight(slot: number): boolean;
  /** Every read tagged `from` that is not yet returned gets tag `to`; returns how many. */
  retag(from: number, to: number): number;
  /**
   * Hand queued reads to the kernel now (one system call), reaping nothing. Submitting each read as
   * soon as it is chosen keeps the device busy while the caller computes; on devices that complete a
   * submitted batch together it also avoids waiting for the slowest read of a batch.
   */
  flush(): void;
  /** Flush queued reads and copy out whatever has completed, without blocking. Returns out.count. */
  poll(out: ReadCompletions): number;
  /** Copy out whatever has already completed, keeping queued reads queued: no system call. */
  peek(out: ReadCompletions): number;
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
