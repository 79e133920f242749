// The io_uring SectorReader: O_DIRECT file, registered file and buffer arena, one FFI call per batch
// (c/uring.c rn_exchange: queue the staged reads, at most one io_uring_enter that submits and waits,
// copy completions out; none when the completions asked for are already in the ring).
// Bench: bench/io.bench.ts
import { ptr, type Pointer } from "bun:ffi";
import { IoError } from "../errors.ts";
import { EINVAL, describeErrno } from "./errno.ts";
import { cString, native } from "./native.ts";
import { NativeBlock } from "./native-block.ts";
import { SlotArena } from "./slots.ts";
import { IO_COUNTERS } from "./reader.ts";
import { StagedReader } from "./staged-reader.ts";

export interface UringReaderOptions {
  slotBytes: number;
  slotCount: number;
  /** O_DIRECT (default true). Falls back to buffered reads when the filesystem refuses it. */
  direct?: boolean;
  /** Kernel-side submission polling; off by default (it starves busy threads on small machines). */
  sqpoll?: boolean;
  /**
   * Deferred task work (IORING_SETUP_DEFER_TASKRUN + SINGLE_ISSUER, Linux ≥ 6.1; default true
   * without SQPOLL): completions are posted only when this thread waits, so they never interrupt its
   * computing, and a wait for n completions wakes it once instead of n times. Without kernel support
   * the ring is set up without it. The ring must then be used only by the thread that made it.
   */
  deferTaskrun?: boolean;
}

/** Opens `file` read-only, O_DIRECT when asked and possible. Returns fd and whether O_DIRECT held. */
export function openForReading(file: string, wantDirect: boolean): { fd: number; direct: boolean } {
  const lib = native();
  const path = cString(file);
  let fd = lib.rn_open(ptr(path), wantDirect ? 1 : 0);
  let direct = wantDirect;
  if (fd === -EINVAL && wantDirect) {
    fd = lib.rn_open(ptr(path), 0); // e.g. tmpfs has no O_DIRECT
    direct = false;
  }
  if (fd < 0) throw new IoError("open", -fd, file, 0, describeErrno(-fd));
  return { fd, direct };
}

export function fileSizeOf(fd: number, file: string): number {
  const size = native().rn_file_size(fd);
  if (size < 0) throw new IoError("stat", -size, file, 0, describeErrno(-size));
  return size;
}

export class UringReader extends StagedReader {
  readonly backend = "uring" as const;
  readonly direct: boolean;
  readonly buffersRegistered: boolean;
  readonly filesRegistered: boolean;
  /** True when the ring defers task work to this thread's waits (see UringReaderOptions). */
  readonly deferTaskrun: boolean;
  private readonly fd: number;
  private readonly ring: Pointer;
  /** The read records, staging and completion lists and counters: C-owned, bound to the ring once. */
  private readonly block: NativeBlock;
  private readonly exchangeFn: (ring: Pointer, n: number, minWait: number, max: number, poll: number) => number;

  constructor(file: string, opts: UringReaderOptions) {
    const lib = native();
    const { fd, direct } = openForReading(file, opts.direct ?? true);
    let arena: SlotArena | null = null;
    let ring: Pointer | null = null;
    const n = opts.slotCount;
    let block: NativeBlock | null = null;
    let deferred = false;
    try {
      block = new NativeBlock(n * (8 + 4 + 4 + 4 + 4) + IO_COUNTERS * 8 + 6 * 8);
      const records = {
        offset: block.float64(n),
        length: block.uint32(n),
        staged: block.int32(n),
        reapSlot: block.uint32(n),
        reapResult: block.int32(n),
        counters: block.float64(IO_COUNTERS),
      };
      const fileBytes = fileSizeOf(fd, file);
      arena = new SlotArena(opts.slotBytes, opts.slotCount);
      const err = new Int32Array(1);
      const sqpoll = opts.sqpoll ?? false;
      const defer = (opts.deferTaskrun ?? !sqpoll) && process.env.RINGANN_DEFER_TASKRUN !== "0";
      ring = defer ? (lib.rn_ring_create(opts.slotCount, (sqpoll ? 1 : 0) | 2, ptr(err)) as Pointer | null) : null;
      deferred = ring !== null && err[0] === 0;
      if (!deferred) ring = lib.rn_ring_create(opts.slotCount, sqpoll ? 1 : 0, ptr(err)) as Pointer | null;
      if (ring === null || err[0] !== 0) {
        throw new IoError("set up io_uring for", -err[0]!, file, 0, describeErrno(-err[0]!), "E_URING");
      }
      const fileIndex = lib.rn_add_file(ring, fd);
      if (fileIndex !== 0) throw new IoError("register", -fileIndex, file, 0, describeErrno(-fileIndex), "E_URING");
      super(file, fileBytes, arena, records);
      this.filesRegistered = lib.rn_files_registered(ring) === 1;
      const arenaPtr = arena.memory.address as unknown as Pointer;
      // Registration is an optimisation: without it (e.g. RLIMIT_MEMLOCK), plain READ still works.
      this.buffersRegistered = lib.rn_register_arena(ring, arenaPtr, arena.memory.bytes.byteLength) === 0;
      const at = (v: ArrayBufferView): Pointer => block!.pointerTo(v);
      const bound = lib.rn_ring_bind(
        ring,
        at(records.offset),
        at(records.length),
        at(records.staged),
        at(records.reapSlot),
        at(records.reapResult),
        at(records.counters),
        arenaPtr,
        opts.slotBytes,
        opts.slotCount,
      );
      if (bound !== 0) throw new IoError("bind read records for", -bound, file, 0, describeErrno(-bound), "E_URING");
    } catch (e) {
      if (ring !== null) lib.rn_ring_destroy(ring);
      arena?.dispose();
      block?.free();
      lib.rn_close(fd);
      throw e;
    }
    this.fd = fd;
    this.direct = direct;
    this.deferTaskrun = deferred;
    this.ring = ring;
    this.block = block;
    this.exchangeFn = lib.rn_exchange as unknown as (
      ring: Pointer,
      n: number,
      minWait: number,
      max: number,
      poll: number,
    ) => number;
  }

  protected exchange(minWait: number, max: number, poll = true): number {
    const n = this.stagedCount;
    this.stagedCount = 0;
    const got = this.exchangeFn(this.ring, n, minWait, max, poll ? 1 : 0);
    if (got < 0) throw new IoError("submit reads on", -got, this.file, 0, describeErrno(-got), "E_URING");
    return got;
  }

  protected closeBackend(): void {
    const lib = native();
    lib.rn_ring_destroy(this.ring);
    lib.rn_close(this.fd);
    this.block.free();
  }
}
