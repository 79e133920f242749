// A simulated SectorReader over a byte array, for deterministic tests of everything above the kernel
// (CONTRIBUTING.md, "Test") — in addition to, never instead of, tests on real io_uring. It is a backend of
// StagedReader, so submit(), staging, the EINTR/EAGAIN retry loop, short-read and errno handling
// are the very code the io_uring and pread readers run; only exchange() (the "kernel") is simulated.
//
// Time is virtual. Every exchange() is one tick; a read handed over at tick t is due at
// t + delay - 1, delay drawn in [minDelayTicks, maxDelayTicks]; a blocking exchange (minWait > 0)
// lets ticks pass until enough reads are due; reads due together come back in a seeded shuffled
// order. Faults are drawn per delivered read from a second seeded stream, so the schedule (delays,
// order) of a run with faults is the schedule of the same seed without them:
//   eio        -EIO: the read fails (fatal, IoError naming file and offset)
//   shortRead  fewer bytes than asked: the read fails (fatal, E_SHORT_READ)
//   retry      -EAGAIN or -EINTR: StagedReader re-queues the read; at most maxRetries in a row per read
//   corrupt    the bytes arrive with 1–4 bits flipped, result = length (silent, as on a real disk)
//   misconfig  -EINVAL / -EFAULT / -EBADF: the reader is misconfigured (StagedReader fails the reader)
// A re-queued read handed over again costs no virtual time and is due at once, so it arrives within
// the same poll()/wait() it would have arrived in without the fault: with only retryable faults a
// search must give exactly the fault-free answers. Same seed, same calls → same completions and
// faults, so a failing interleaving can be replayed exactly (the swarm test prints the seed).
//
// Backend-specific part: exchange()/closeBackend() below and the per-slot arrays they keep; the read
// records (offset, length, tag, key per slot) and the staging/completion lists are StagedReader's, in
// plain arrays (heapReadRecords). Every exchange that hands reads over or waits counts as one system
// call in `counters`, as one io_uring_enter would.
import { EAGAIN, EBADF, EFAULT, EINTR, EINVAL, EIO } from "./errno.ts";
import { SlotArena, heapArenaMemory } from "./slots.ts";
import { IoCounter } from "./reader.ts";
import { StagedReader, heapReadRecords } from "./staged-reader.ts";
import { RingannError } from "../errors.ts";

export type SimFaultKind = "eio" | "short" | "retry" | "corrupt" | "misconfig";

/** Probability per delivered read of each fault (each in [0, 1]; their sum ≤ 1). */
export interface SimFaultRates {
  eio?: number;
  shortRead?: number;
  retry?: number;
  corrupt?: number;
  misconfig?: number;
}

/** One injected fault, as reported to onFault (before StagedReader settles the read). */
export interface SimFault {
  kind: SimFaultKind;
  slot: number;
  offset: number;
  /** errno for eio/retry/misconfig, bytes delivered for short, 0 for corrupt. */
  detail: number;
  tick: number;
}

export interface SimReaderOptions {
  slotBytes: number;
  slotCount: number;
  /** Name used in messages (default "sim"); DiskIndex passes the disk file's path. */
  file?: string;
  /** Seed of the schedule (delays, order) and, mixed, of the faults (default 1). */
  seed?: number;
  /** Each read is due this many ticks after it is handed over (uniform; default 1..1). */
  minDelayTicks?: number;
  maxDelayTicks?: number;
  /** Shuffle reads that are due together (default true). */
  shuffle?: boolean;
  faults?: SimFaultRates;
  /** Retryable faults in a row on one read before it is let through (default 3). */
  maxRetries?: number;
  /** Reads starting at these byte offsets always fail with EIO. */
  failOffsets?: readonly number[];
  /** Called for every injected fault, as it is delivered. */
  onFault?: (fault: SimFault) => void;
}

/** A seeded generator in [0, 1) (mulberry32: small and good enough for test schedules). */
function stream(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class SimReader extends StagedReader {
  readonly backend = "sim" as const;
  /** Reads handed over so far, retries included (a test can check how many reads a search made). */
  readsSubmitted = 0;
  /** Faults injected so far, by kind. */
  readonly faultCounts: Record<SimFaultKind, number> = { eio: 0, short: 0, retry: 0, corrupt: 0, misconfig: 0 };
  private readonly data: Uint8Array;
  private readonly schedule: () => number;
  private readonly faultRandom: () => number;
  private readonly minDelay: number;
  private readonly maxDelay: number;
  private readonly shuffle: boolean;
  private rates: Required<SimFaultRates>;
  private readonly maxRetries: number;
  private readonly failOffsets: ReadonlySet<number>;
  private readonly onFault: ((fault: SimFault) => void) | null;
  /** Per slot: the tick its read is due (-1: not handed over), and retryable faults in a row. */
  private readonly due: Float64Array;
  private readonly retries: Uint8Array;
  /** Handed-over reads in hand-over order (what an unshuffled run returns them in). */
  private readonly pending: Int32Array;
  private pendingCount = 0;
  private readonly ready: Int32Array;
  private tick = 0;

  constructor(data: Uint8Array, opts: SimReaderOptions) {
    const arena = new SlotArena(opts.slotBytes, opts.slotCount, heapArenaMemory(opts.slotBytes * opts.slotCount));
    super(opts.file ?? "sim", data.length, arena, heapReadRecords(opts.slotCount));
    this.data = data;
    const seed = opts.seed ?? 1;
    this.schedule = stream(seed);
    this.faultRandom = stream(Math.imul(seed ^ 0x5bd1e995, 0x9e3779b1) ^ 0x7f4a7c15);
    this.minDelay = Math.max(1, opts.minDelayTicks ?? 1);
    this.maxDelay = Math.max(this.minDelay, opts.maxDelayTicks ?? this.minDelay);
    this.shuffle = opts.shuffle ?? true;
    this.rates = SimReader.fullRates(opts.faults ?? {});
    this.maxRetries = opts.maxRetries ?? 3;
    this.failOffsets = new Set(opts.failOffsets ?? []);
    this.onFault = opts.onFault ?? null;
    this.due = new Float64Array(opts.slotCount).fill(-1);
    this.retries = new Uint8Array(opts.slotCount);
    this.pending = new Int32Array(opts.slotCount);
    this.ready = new Int32Array(opts.slotCount);
  }

  /** Changes the fault rates from the next delivered read on (e.g. none, to check recovery). */
  setFaultRates(faults: SimFaultRates): void {
    this.rates = SimReader.fullRates(faults);
  }

  private static fullRates(f: SimFaultRates): Required<SimFaultRates> {
    return { eio: f.eio ?? 0, shortRead: f.shortRead ?? 0, retry: f.retry ?? 0, corrupt: f.corrupt ?? 0, misconfig: f.misconfig ?? 0 };
  }

  /** Slots not Free (in flight or completed and not yet released): 0 once everything is given back. */
  get slotsHeld(): number {
    return this.slotCount - this.arena.free;
  }

  /** Reads handed to the simulated kernel and not yet delivered. */
  get pendingInKernel(): number {
    return this.pendingCount;
  }

  protected exchange(minWait: number, max: number): number {
    const n = this.stagedCount;
    let onlyRetries = n > 0;
    for (let i = 0; i < n && onlyRetries; i++) if (this.retries[this.staged[i]!] === 0) onlyRetries = false;
    if (!onlyRetries) this.tick++;
    if (n > 0 || minWait > 0) {
      this.counters[IoCounter.Calls]!++;
      this.counters[IoCounter.Submitted]! += n;
      if (minWait > 0) this.counters[IoCounter.Waits]!++;
    }
    this.handOver();
    if (minWait > this.pendingInKernel) {
      throw new RingannError("E_INVARIANT", `ringann invariant violated: waiting for ${minWait} reads, ${this.pendingInKernel} in flight`);
    }
    while (this.countDue() < minWait) this.tick++;
    // Collect due reads; a plain round shuffles them, a retries-only round keeps hand-over order
    // (so it draws nothing from the schedule stream that the fault-free run would not draw).
    let nReady = 0;
    let keep = 0;
    for (let i = 0; i < this.pendingCount; i++) {
      const slot = this.pending[i]!;
      if (this.due[slot]! <= this.tick) this.ready[nReady++] = slot;
      else this.pending[keep++] = slot;
    }
    this.pendingCount = keep;
    if (this.shuffle && !onlyRetries) {
      for (let i = nReady - 1; i > 0; i--) {
        const j = Math.floor(this.schedule() * (i + 1));
        const t = this.ready[i]!;
        this.ready[i] = this.ready[j]!;
        this.ready[j] = t;
      }
    }
    const count = Math.min(nReady, max);
    for (let i = 0; i < count; i++) {
      const slot = this.ready[i]!;
      this.due[slot] = -1;
      this.reapSlot[i] = slot;
      this.reapResult[i] = this.deliver(slot);
    }
    for (let i = count; i < nReady; i++) this.pending[this.pendingCount++] = this.ready[i]!; // due; next time
    this.counters[IoCounter.Reaped]! += count;
    return count;
  }

  protected closeBackend(): void {
    this.due.fill(-1);
    this.pendingCount = 0;
  }

  /** Staged reads go to the "kernel": new ones get a delay, re-queued ones are due at once. */
  private handOver(): void {
    const span = this.maxDelay - this.minDelay + 1;
    for (let i = 0; i < this.stagedCount; i++) {
      const slot = this.staged[i]!;
      const retried = this.retries[slot]! > 0;
      // A retried read handed over with new reads still costs no delay: it is due this tick.
      const delay = retried ? 1 : this.minDelay + Math.floor(this.schedule() * span);
      this.due[slot] = this.tick + delay - 1;
      this.pending[this.pendingCount++] = slot;
      this.readsSubmitted++;
    }
    this.stagedCount = 0;
  }

  private countDue(): number {
    let n = 0;
    for (let i = 0; i < this.pendingCount; i++) if (this.due[this.pending[i]!]! <= this.tick) n++;
    return n;
  }

  /** The simulated DMA and result of one read: bytes copied, or -errno, or a short count. */
  private deliver(slot: number): number {
    const offset = this.slotOffset[slot]!;
    const length = this.slotLength[slot]!;
    const at = this.arena.byteOffset(slot);
    const retriesSoFar = this.retries[slot]!;
    this.retries[slot] = 0;
    if (this.failOffsets.has(offset)) return this.fault("eio", slot, offset, EIO, -EIO);
    const r = this.faultRandom();
    const { eio, shortRead, retry, corrupt, misconfig } = this.rates;
    let edge = eio;
    if (r < edge) return this.fault("eio", slot, offset, EIO, -EIO);
    if (r < (edge += shortRead)) {
      const got = Math.floor(this.faultRandom() * length);
      this.copyIn(offset, got, at);
      return this.fault("short", slot, offset, got, got);
    }
    if (r < (edge += retry) && retriesSoFar < this.maxRetries) {
      this.retries[slot] = retriesSoFar + 1;
      const errno = this.faultRandom() < 0.5 ? EAGAIN : EINTR;
      return this.fault("retry", slot, offset, errno, -errno);
    }
    if (r >= edge && r < (edge += corrupt)) {
      this.copyIn(offset, length, at);
      const bytes = this.arena.memory.bytes;
      const flips = 1 + Math.floor(this.faultRandom() * 4);
      for (let k = 0; k < flips; k++) bytes[at + Math.floor(this.faultRandom() * length)]! ^= 1 << Math.floor(this.faultRandom() * 8);
      return this.fault("corrupt", slot, offset, 0, length);
    }
    if (r >= edge && r < edge + misconfig) {
      const errno = [EINVAL, EFAULT, EBADF][Math.floor(this.faultRandom() * 3)]!;
      return this.fault("misconfig", slot, offset, errno, -errno);
    }
    this.copyIn(offset, length, at);
    return length;
  }

  private fault(kind: SimFaultKind, slot: number, offset: number, detail: number, result: number): number {
    this.faultCounts[kind]++;
    this.onFault?.({ kind, slot, offset, detail, tick: this.tick });
    return result;
  }

  private copyIn(offset: number, length: number, at: number): void {
    this.arena.memory.bytes.set(this.data.subarray(offset, offset + length), at);
  }
}
