// What the io_uring and pread readers share: argument checks (read-request.ts), the slot arena,
// staging reads until the next poll/wait (one kernel call per batch), and settling raw results into
// ReadCompletions: EINTR/EAGAIN are re-queued, errors and short reads fail their read and free its slot,
// and a "misconfigured" errno (EINVAL, EFAULT, EBADF, ...: every read would fail the same way) fails
// the reader: that poll/wait throws an E_MISCONFIGURED IoError, and so does every later call.
import { IoError, RingannError } from "../errors.ts";
import { describeErrno, errnoAction } from "./errno.ts";
import { checkReadRequest } from "./read-request.ts";
import type { ReadCompletions, ReaderBackend, SectorReader } from "./reader.ts";
import { SlotArena, SlotState } from "./slots.ts";

export abstract class StagedReader implements SectorReader {
  abstract readonly backend: ReaderBackend;
  readonly file: string;
  readonly fileBytes: number;
  readonly slotBytes: number;
  readonly slotCount: number;
  protected readonly arena: SlotArena;
  protected readonly slotOffset: Float64Array;
  protected readonly slotLength: Uint32Array;
  /** Slots queued by submit() and not yet handed to the kernel. */
  protected readonly staged: Int32Array;
  protected stagedCount = 0;
  /** Raw completions written by exchange(): slot and result (bytes, or -errno). */
  protected readonly reapSlot: Uint32Array;
  protected readonly reapResult: Int32Array;
  protected closed = false;
  /** Set when the kernel refused a read as misconfigured: the reader is unusable from then on. */
  protected failure: IoError | null = null;

  /**
   * `reap` lets a subclass give arrays that C writes into (native memory); otherwise they are plain
   * JavaScript arrays (the pread reader fills them itself).
   */
  protected constructor(file: string, fileBytes: number, arena: SlotArena, reap?: { slot: Uint32Array; result: Int32Array }) {
    this.file = file;
    this.fileBytes = fileBytes;
    this.arena = arena;
    this.slotBytes = arena.slotBytes;
    this.slotCount = arena.slotCount;
    this.slotOffset = new Float64Array(arena.slotCount);
    this.slotLength = new Uint32Array(arena.slotCount);
    this.staged = new Int32Array(arena.slotCount);
    this.reapSlot = reap?.slot ?? new Uint32Array(arena.slotCount);
    this.reapResult = reap?.result ?? new Int32Array(arena.slotCount);
  }

  get inFlight(): number {
    return this.arena.inFlight;
  }

  submit(offset: number, length: number): number | null {
    if (this.closed) throw new RingannError("E_CLOSED", `Cannot read ${this.file}: the reader is closed`);
    if (this.failure !== null) throw this.failure;
    checkReadRequest(this.file, this.fileBytes, this.slotBytes, offset, length);
    const slot = this.arena.acquire();
    if (slot < 0) return null;
    this.slotOffset[slot] = offset;
    this.slotLength[slot] = length;
    this.staged[this.stagedCount++] = slot;
    return slot;
  }

  flush(): void {
    if (this.closed) throw new RingannError("E_CLOSED", `Cannot read ${this.file}: the reader is closed`);
    if (this.failure !== null) throw this.failure;
    if (this.stagedCount > 0) this.exchange(0, 0);
  }

  poll(out: ReadCompletions): number {
    return this.collect(0, out);
  }

  wait(min: number, out: ReadCompletions): number {
    return this.collect(Math.min(min, this.arena.inFlight, out.capacity), out);
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
   * Hand staged reads to the kernel (one call), wait until at least minWait completions are ready,
   * copy up to max into reapSlot/reapResult and return how many. Clears the staging list.
   */
  protected abstract exchange(minWait: number, max: number): number;
  protected abstract closeBackend(): void;

  private collect(min: number, out: ReadCompletions): number {
    if (this.closed) throw new RingannError("E_CLOSED", `Cannot read ${this.file}: the reader is closed`);
    if (this.failure !== null) throw this.failure;
    let count = 0;
    let requeued = false;
    do {
      const room = out.capacity - count;
      if (room === 0) break;
      const n = this.exchange(min > count ? min - count : 0, room);
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
      // Re-queued reads (EINTR/EAGAIN) go back to the kernel before returning, not at the caller's
      // next poll: a retry should not cost the query a round.
    } while (count < min || requeued);
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
        return undefined;
      }
      this.arena.fail(slot);
      if (action === "misconfigured") {
        this.failure ??= new IoError("read", errno, this.file, offset,
          `${describeErrno(errno)}: the kernel refuses this reader's reads, so every read would fail — the reader is ` +
          "closed to further reads (check O_DIRECT support and alignment on this filesystem, or RINGANN_IO=pread)", "E_MISCONFIGURED");
        return this.failure;
      }
      return new IoError("read", errno, this.file, offset, describeErrno(errno));
    }
    if (result < length) {
      this.arena.fail(slot);
      return new IoError("read", 0, this.file, offset, `short read: ${result} of ${length} bytes (file shorter than expected?)`, "E_SHORT_READ");
    }
    this.arena.complete(slot);
    return null;
  }
}
