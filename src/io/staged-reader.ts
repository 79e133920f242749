// What the io_uring and pread readers share: argument checks (read-request.ts), the slot arena, the
// read records (one per slot: file offset, length, the caller's tag and key), staging reads until the
// next poll/wait (one kernel call per batch), and settling raw results into ReadCompletions:
// EINTR/EAGAIN are re-queued, errors and short reads fail their read and free its slot, and a
// "misconfigured" errno (EINVAL, EFAULT, EBADF, ...: every read would fail the same way) fails the
// reader: that poll/wait throws an E_MISCONFIGURED IoError, and so does every later call.
// A read is named by its slot from submit() to release(): the slot travels through the kernel as the
// SQE's user_data, so nothing else has to remember which read is which.
import { IoError, RingannError } from "../errors.ts";
import { describeErrno, errnoAction } from "./errno.ts";
import { checkReadRequest } from "./read-request.ts";
import { IO_COUNTERS, IoCounter, type ReadCompletions, type ReaderBackend, type SectorReader } from "./reader.ts";
import { SlotArena, SlotState } from "./slots.ts";

/**
 * The arrays a backend reads and writes on every batch. The io_uring reader puts them in C-owned
 * memory (C keeps their addresses); the pread reader uses plain arrays.
 */
export interface ReadRecordArrays {
  /** Per slot: file offset and length of its read. */
  readonly offset: Float64Array;
  readonly length: Uint32Array;
  /** Slots queued by submit() and not yet handed to the kernel. */
  readonly staged: Int32Array;
  /** Raw completions written by exchange(): slot and result (bytes, or -errno). */
  readonly reapSlot: Uint32Array;
  readonly reapResult: Int32Array;
  /** IO_COUNTERS counters (see IoCounter). */
  readonly counters: Float64Array;
}

/** Plain-array records for backends that do their own I/O in TypeScript. */
export function heapReadRecords(slotCount: number): ReadRecordArrays {
  return {
    offset: new Float64Array(slotCount),
    length: new Uint32Array(slotCount),
    staged: new Int32Array(slotCount),
    reapSlot: new Uint32Array(slotCount),
    reapResult: new Int32Array(slotCount),
    counters: new Float64Array(IO_COUNTERS),
  };
}

export abstract class StagedReader implements SectorReader {
  abstract readonly backend: ReaderBackend;
  readonly file: string;
  readonly fileBytes: number;
  readonly slotBytes: number;
  readonly slotCount: number;
  readonly tags: Int32Array;
  readonly keys: Uint32Array;
  readonly counters: Float64Array;
  protected readonly arena: SlotArena;
  protected readonly slotOffset: Float64Array;
  protected readonly slotLength: Uint32Array;
  protected readonly staged: Int32Array;
  protected stagedCount = 0;
  /** Staged reads a peek sets aside while it collects (see collect). */
  private readonly held: Int32Array;
  protected readonly reapSlot: Uint32Array;
  protected readonly reapResult: Int32Array;
  protected closed = false;
  /** Set when the kernel refused a read as misconfigured: the reader is unusable from then on. */
  protected failure: IoError | null = null;

  protected constructor(file: string, fileBytes: number, arena: SlotArena, records: ReadRecordArrays) {
    this.file = file;
    this.fileBytes = fileBytes;
    this.arena = arena;
    this.slotBytes = arena.slotBytes;
    this.slotCount = arena.slotCount;
    this.slotOffset = records.offset;
    this.slotLength = records.length;
    this.staged = records.staged;
    this.reapSlot = records.reapSlot;
    this.reapResult = records.reapResult;
    this.counters = records.counters;
    this.held = new Int32Array(arena.slotCount);
    this.tags = new Int32Array(arena.slotCount);
    this.keys = new Uint32Array(arena.slotCount);
  }

  get inFlight(): number {
    return this.arena.inFlight;
  }

  get unsent(): number {
    return this.stagedCount;
  }

  submit(offset: number, length: number, tag = -1, key = 0): number | null {
    if (this.closed) throw new RingannError("E_CLOSED", `Cannot read ${this.file}: the reader is closed`);
    if (this.failure !== null) throw this.failure;
    checkReadRequest(this.file, this.fileBytes, this.slotBytes, offset, length);
    const slot = this.arena.acquire();
    if (slot < 0) return null;
    this.slotOffset[slot] = offset;
    this.slotLength[slot] = length;
    this.tags[slot] = tag;
    this.keys[slot] = key;
    this.staged[this.stagedCount++] = slot;
    return slot;
  }

  isInFlight(slot: number): boolean {
    return this.arena.state(slot) === SlotState.InFlight;
  }

  retag(from: number, to: number): number {
    let n = 0;
    const tags = this.tags;
    for (let s = 0; s < tags.length; s++) {
      if (tags[s] === from && this.arena.state(s) === SlotState.InFlight) {
        tags[s] = to;
        n++;
      }
    }
    return n;
  }

  flush(): void {
    if (this.closed) throw new RingannError("E_CLOSED", `Cannot read ${this.file}: the reader is closed`);
    if (this.failure !== null) throw this.failure;
    if (this.stagedCount > 0) this.exchange(0, 0);
  }

  poll(out: ReadCompletions): number {
    return this.collect(0, out, true);
  }

  peek(out: ReadCompletions): number {
    return this.collect(0, out, false);
  }

  wait(min: number, out: ReadCompletions): number {
    return this.collect(Math.min(min, this.arena.inFlight, out.capacity), out, true);
  }

  view(slot: number): Uint8Array {
    return this.arena.view(slot);
  }

  release(slot: number): void {
    this.arena.release(slot);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    // Staged reads never reached the kernel: just free them.
    for (let i = 0; i < this.stagedCount; i++) this.arena.fail(this.staged[i]!);
    this.stagedCount = 0;
    // Drain what the kernel still owns before its memory goes away.
    while (this.arena.inFlight > 0) {
      const n = this.exchange(1, this.slotCount);
      for (let i = 0; i < n; i++) this.arena.fail(this.reapSlot[i]!);
    }
    this.closeBackend();
    this.arena.dispose();
  }

  /**
   * Hand staged reads to the kernel, wait until at least minWait completions are ready, copy up to
   * max into reapSlot/reapResult and return how many — in one call, with at most one system call.
   * Clears the staging list. `poll` false (a peek): never a system call just to look for completions.
   */
  protected abstract exchange(minWait: number, max: number, poll?: boolean): number;
  protected abstract closeBackend(): void;

  /**
   * `send`: hand staged reads over (poll/wait); without it (peek) they are set aside in `held` and put
   * back after, so only completions already there are collected — and re-queued reads, which go back
   * to the kernel at once either way (a retry should not cost the query a round).
   */
  private collect(min: number, out: ReadCompletions, send: boolean): number {
    if (this.closed) throw new RingannError("E_CLOSED", `Cannot read ${this.file}: the reader is closed`);
    if (this.failure !== null) throw this.failure;
    const held = send ? 0 : this.stagedCount;
    if (held > 0) {
      for (let i = 0; i < held; i++) this.held[i] = this.staged[i]!; // no subarray: no object per peek
      this.stagedCount = 0;
    }
    let count = 0;
    let requeued = false;
    try {
      do {
        const room = out.capacity - count;
        if (room === 0) break;
        const n = this.exchange(min > count ? min - count : 0, room, send);
        requeued = false;
        for (let i = 0; i < n; i++) {
          const slot = this.reapSlot[i]!;
          const error = this.settle(slot, this.reapResult[i]!);
          if (error === undefined) {
            requeued = true;
            continue;
          }
          out.slot[count] = slot;
          out.error[count] = error;
          count++;
        }
        if (this.failure !== null) {
          // Completed reads already copied into `out` are never handed over; the reader is dead, so
          // their slots simply stay Completed until close() frees the arena.
          out.count = 0;
          throw this.failure;
        }
      } while (count < min || requeued);
    } finally {
      for (let i = 0; i < held; i++) this.staged[this.stagedCount++] = this.held[i]!;
    }
    out.count = count;
    return count;
  }

  /** null: good read (slot Completed); IoError: failed (slot Free); undefined: re-queued. */
  private settle(slot: number, result: number): IoError | null | undefined {
    if (this.arena.state(slot) !== SlotState.InFlight) {
      throw new RingannError("E_INVARIANT", `completion for slot ${slot} which is not in flight`);
    }
    const offset = this.slotOffset[slot]!;
    const length = this.slotLength[slot]!;
    if (result < 0) {
      const errno = -result;
      const action = errnoAction(errno);
      if (action === "retry") {
        this.staged[this.stagedCount++] = slot;
        this.counters[IoCounter.Retried]!++;
        return undefined;
      }
      this.arena.fail(slot);
      if (action === "misconfigured") {
        const why =
          `${describeErrno(errno)}: the kernel refuses this reader's reads, so every read would fail — ` +
          "the reader is closed to further reads (check O_DIRECT support and alignment on this filesystem, " +
          "or RINGANN_IO=pread)";
        this.failure ??= new IoError("read", errno, this.file, offset, why, "E_MISCONFIGURED");
        return this.failure;
      }
      return new IoError("read", errno, this.file, offset, describeErrno(errno));
    }
    if (result < length) {
      this.arena.fail(slot);
      return new IoError(
        "read",
        0,
        this.file,
        offset,
        `short read: ${result} of ${length} bytes (file shorter than expected?)`,
        "E_SHORT_READ",
      );
    }
    this.arena.complete(slot);
    return null;
  }
}
