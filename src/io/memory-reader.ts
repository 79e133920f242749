// An in-memory SectorReader over a byte array, for deterministic tests of the search state
// machines (style.md §13) — in addition to, never instead of, tests on real io_uring.
// Time is virtual: every poll()/wait() round is one tick. A read handed over at tick t completes
// at t + delay, delay drawn from a seeded generator in [minDelayTicks, maxDelayTicks]; reads that
// become ready together are returned in a seeded shuffled order. Same seed, same calls → same
// completions, so an out-of-order interleaving that breaks the search can be replayed exactly.
// Slots follow the same Free → InFlight → Completed → Free rules as the kernel readers (SlotArena).
import { IoError, RingannError } from "../errors.ts";
import { EIO, describeErrno } from "./errno.ts";
import { checkReadRequest } from "./read-request.ts";
import { IO_COUNTERS, IoCounter, type ReadCompletions, type SectorReader } from "./reader.ts";
import { SlotArena, SlotState, heapArenaMemory } from "./slots.ts";

export interface MemoryReaderOptions {
  slotBytes: number;
  slotCount: number;
  /** Name used in messages (default "memory"). */
  file?: string;
  /** Seed of the delay/shuffle generator (default 1). */
  seed?: number;
  /** Each read completes this many ticks after it is handed over (uniform; default 1..1). */
  minDelayTicks?: number;
  maxDelayTicks?: number;
  /** Shuffle reads that complete in the same tick (default true). */
  shuffle?: boolean;
  /** Reads starting at these byte offsets fail with EIO (error injection). */
  failOffsets?: readonly number[];
}

/** mulberry32: small, fast, good enough for test schedules. */
function nextRandom(state: Uint32Array): number {
  let t = (state[0] = (state[0]! + 0x6d2b79f5) >>> 0);
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

export class MemoryReader implements SectorReader {
  readonly backend = "memory" as const;
  readonly file: string;
  readonly fileBytes: number;
  readonly slotBytes: number;
  readonly slotCount: number;
  /** Reads handed over so far (a test can check how many reads a search made). */
  readsSubmitted = 0;
  readonly tags: Int32Array;
  readonly keys: Uint32Array;
  /** Calls = ticks that handed reads over or waited. */
  readonly counters = new Float64Array(IO_COUNTERS);
  private readonly data: Uint8Array;
  /** 32-bit views of the file and the arena, so completing a read copies without allocating. */
  private readonly data32: Int32Array | null;
  private readonly arena32: Int32Array;
  private readonly arena: SlotArena;
  private readonly rng = new Uint32Array(1);
  private readonly minDelay: number;
  private readonly maxDelay: number;
  private readonly shuffle: boolean;
  private readonly failOffsets: Set<number>;
  private readonly slotOffset: Float64Array;
  private readonly slotLength: Uint32Array;
  private readonly staged: Int32Array;
  private stagedCount = 0;
  /** Handed-over reads and the tick at which each completes. */
  private readonly pendingSlot: Int32Array;
  private readonly pendingDue: Float64Array;
  private pendingCount = 0;
  private readonly ready: Int32Array;
  private tick = 0;
  private closed = false;

  constructor(data: Uint8Array, opts: MemoryReaderOptions) {
    this.data = data;
    this.file = opts.file ?? "memory";
    this.fileBytes = data.length;
    this.arena = new SlotArena(opts.slotBytes, opts.slotCount, heapArenaMemory(opts.slotBytes * opts.slotCount));
    const arenaBytes = this.arena.memory.bytes;
    this.arena32 = new Int32Array(arenaBytes.buffer, arenaBytes.byteOffset, arenaBytes.byteLength >> 2);
    this.data32 = data.byteOffset % 4 === 0 ? new Int32Array(data.buffer, data.byteOffset, data.byteLength >> 2) : null;
    this.slotBytes = opts.slotBytes;
    this.slotCount = opts.slotCount;
    this.rng[0] = opts.seed ?? 1;
    this.minDelay = opts.minDelayTicks ?? 1;
    this.maxDelay = Math.max(this.minDelay, opts.maxDelayTicks ?? this.minDelay);
    this.shuffle = opts.shuffle ?? true;
    this.failOffsets = new Set(opts.failOffsets ?? []);
    const n = opts.slotCount;
    this.tags = new Int32Array(n);
    this.keys = new Uint32Array(n);
    this.slotOffset = new Float64Array(n);
    this.slotLength = new Uint32Array(n);
    this.staged = new Int32Array(n);
    this.pendingSlot = new Int32Array(n);
    this.pendingDue = new Float64Array(n);
    this.ready = new Int32Array(n);
  }

  get inFlight(): number {
    return this.arena.inFlight;
  }

  get unsent(): number {
    return this.stagedCount;
  }

  submit(offset: number, length: number, tag = -1, key = 0): number | null {
    this.checkOpen();
    checkReadRequest(this.file, this.fileBytes, this.slotBytes, offset, length);
    const slot = this.arena.acquire();
    if (slot < 0) return null;
    this.tags[slot] = tag;
    this.keys[slot] = key;
    this.slotOffset[slot] = offset;
    this.slotLength[slot] = length;
    this.staged[this.stagedCount++] = slot;
    return slot;
  }

  retag(from: number, to: number): number {
    let n = 0;
    for (let s = 0; s < this.slotCount; s++) {
      if (this.tags[s] === from && this.arena.state(s) === SlotState.InFlight) {
        this.tags[s] = to;
        n++;
      }
    }
    return n;
  }

  flush(): void {
    this.checkOpen();
    this.advance();
  }

  /** Completions due by the current tick; staged reads stay staged and no tick passes. */
  peek(out: ReadCompletions): number {
    this.checkOpen();
    return this.collect(out, 0);
  }

  poll(out: ReadCompletions): number {
    this.checkOpen();
    this.advance();
    return this.collect(out, 0);
  }

  wait(min: number, out: ReadCompletions): number {
    this.checkOpen();
    const want = Math.min(min, this.arena.inFlight, out.capacity);
    let count = 0;
    do {
      this.advance();
      if (want > 0) this.counters[IoCounter.Waits]!++;
      count = this.collect(out, count);
    } while (count < want);
    out.count = count;
    return count;
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
    for (let i = 0; i < this.stagedCount; i++) this.arena.fail(this.staged[i]!);
    for (let i = 0; i < this.pendingCount; i++) this.arena.fail(this.pendingSlot[i]!);
    this.stagedCount = 0;
    this.pendingCount = 0;
    this.arena.dispose();
  }

  /** One tick: staged reads are handed over and get their completion tick. */
  private advance(): void {
    this.tick++;
    if (this.stagedCount > 0) {
      this.counters[IoCounter.Calls]!++;
      this.counters[IoCounter.Submitted]! += this.stagedCount;
    }
    const span = this.maxDelay - this.minDelay + 1;
    for (let i = 0; i < this.stagedCount; i++) {
      const delay = this.minDelay + Math.floor(nextRandom(this.rng) * span);
      this.pendingSlot[this.pendingCount] = this.staged[i]!;
      this.pendingDue[this.pendingCount] = this.tick + delay - 1;
      this.pendingCount++;
      this.readsSubmitted++;
    }
    this.stagedCount = 0;
  }

  /** Moves due reads (shuffled) into out starting at `start`; returns the new count. */
  private collect(out: ReadCompletions, start: number): number {
    let nReady = 0;
    let keep = 0;
    for (let i = 0; i < this.pendingCount; i++) {
      const slot = this.pendingSlot[i]!;
      if (this.pendingDue[i]! <= this.tick) {
        this.ready[nReady++] = slot;
      } else {
        this.pendingSlot[keep] = slot;
        this.pendingDue[keep] = this.pendingDue[i]!;
        keep++;
      }
    }
    this.pendingCount = keep;
    if (this.shuffle) {
      for (let i = nReady - 1; i > 0; i--) {
        const j = Math.floor(nextRandom(this.rng) * (i + 1));
        const t = this.ready[i]!;
        this.ready[i] = this.ready[j]!;
        this.ready[j] = t;
      }
    }
    let count = start;
    for (let i = 0; i < nReady; i++) {
      const slot = this.ready[i]!;
      if (count === out.capacity) {
        // No room: stays due and is returned by the next call.
        this.pendingSlot[this.pendingCount] = slot;
        this.pendingDue[this.pendingCount] = this.tick;
        this.pendingCount++;
        continue;
      }
      const offset = this.slotOffset[slot]!;
      if (this.failOffsets.has(offset)) {
        this.arena.fail(slot);
        out.slot[count] = slot;
        out.error[count] = new IoError("read", EIO, this.file, offset, describeErrno(EIO));
      } else {
        this.copyIn(offset, this.slotLength[slot]!, this.arena.byteOffset(slot));
        this.arena.complete(slot);
        out.slot[count] = slot;
        out.error[count] = null;
      }
      count++;
    }
    out.count = count;
    return count;
  }

  /** The "DMA": file bytes [offset, offset+length) into the arena at `at` (all multiples of 4096). */
  private copyIn(offset: number, length: number, at: number): void {
    const src = this.data32;
    if (src !== null) {
      const dst = this.arena32;
      const s0 = offset >> 2;
      const d0 = at >> 2;
      for (let i = 0, n = length >> 2; i < n; i++) dst[d0 + i] = src[s0 + i]!;
    } else {
      const bytes = this.arena.memory.bytes;
      for (let i = 0; i < length; i++) bytes[at + i] = this.data[offset + i]!;
    }
  }

  private checkOpen(): void {
    if (this.closed) throw new RingannError("E_CLOSED", `Cannot read ${this.file}: the reader is closed`);
  }
}
