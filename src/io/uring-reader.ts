// The io_uring SectorReader: O_DIRECT file, registered file and buffer arena, one
// io_uring_submit(_and_wait) per batch, completions copied out in one FFI call.
// Bench: bench/io.bench.ts
import { ptr, type Pointer } from "bun:ffi";
import { IoError } from "../errors.ts";
import { EINVAL, describeErrno } from "./errno.ts";
import { cString, native } from "./native.ts";
import { NativeBlock } from "./native-block.ts";
import { SlotArena } from "./slots.ts";
import { StagedReader } from "./staged-reader.ts";

export interface UringReaderOptions {
  slotBytes: number;
  slotCount: number;
  /** O_DIRECT (default true). Falls back to buffered reads when the filesystem refuses it. */
  direct?: boolean;
  /** Kernel-side submission polling; off by default (it starves busy threads on small machines). */
  sqpoll?: boolean;
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
  private readonly fd: number;
  private readonly ring: Pointer;
  // Batch arguments for rn_queue_reads and the completion arrays, reused for every batch. They live
  // in C-owned memory (NativeBlock), so the addresses taken once stay valid until close.
  private readonly scratch: NativeBlock;
  private readonly qFile: Int32Array;
  private readonly qOffset: Float64Array;
  private readonly qLength: Uint32Array;
  private readonly qBufOffset: Float64Array;
  private readonly qUserData: Uint32Array;
  private readonly qPtrs: [Pointer, Pointer, Pointer, Pointer, Pointer];
  private readonly reapPtrs: [Pointer, Pointer];
  private readonly arenaPtr: Pointer;

  constructor(file: string, opts: UringReaderOptions) {
    const lib = native();
    const { fd, direct } = openForReading(file, opts.direct ?? true);
    let arena: SlotArena | null = null;
    let ring: Pointer | null = null;
    const n = opts.slotCount;
    let scratch: NativeBlock | null = null;
    try {
      scratch = new NativeBlock(n * (4 + 8 + 4 + 8 + 4 + 4 + 4) + 7 * 8);
      const fileBytes = fileSizeOf(fd, file);
      arena = new SlotArena(opts.slotBytes, opts.slotCount);
      const err = new Int32Array(1);
      ring = lib.rn_ring_create(opts.slotCount, opts.sqpoll ? 1 : 0, ptr(err)) as Pointer | null;
      if (ring === null || err[0] !== 0) {
        throw new IoError("set up io_uring for", -err[0]!, file, 0, describeErrno(-err[0]!), "E_URING");
      }
      const fileIndex = lib.rn_add_file(ring, fd);
      if (fileIndex !== 0) throw new IoError("register", -fileIndex, file, 0, describeErrno(-fileIndex), "E_URING");
      super(file, fileBytes, arena, { slot: scratch.uint32(n), result: scratch.int32(n) });
      this.filesRegistered = lib.rn_files_registered(ring) === 1;
      // Registration is an optimisation: without it (e.g. RLIMIT_MEMLOCK), plain READ still works.
      this.buffersRegistered = lib.rn_register_arena(ring, arena.memory.address as unknown as Pointer, arena.memory.bytes.byteLength) === 0;
    } catch (e) {
      if (ring !== null) lib.rn_ring_destroy(ring);
      arena?.dispose();
      scratch?.free();
      lib.rn_close(fd);
      throw e;
    }
    this.fd = fd;
    this.direct = direct;
    this.ring = ring;
    this.scratch = scratch;
    this.qFile = scratch.int32(n); // every read goes to file index 0 (the block starts zeroed)
    this.qOffset = scratch.float64(n);
    this.qLength = scratch.uint32(n);
    this.qBufOffset = scratch.float64(n);
    this.qUserData = scratch.uint32(n);
    const at = (v: ArrayBufferView): Pointer => scratch.pointerTo(v);
    this.qPtrs = [at(this.qFile), at(this.qOffset), at(this.qLength), at(this.qBufOffset), at(this.qUserData)];
    this.reapPtrs = [at(this.reapSlot), at(this.reapResult)];
    this.arenaPtr = arena.memory.address as unknown as Pointer;
  }

  protected exchange(minWait: number, max: number): number {
    const lib = native();
    const n = this.stagedCount;
    if (n > 0) {
      for (let i = 0; i < n; i++) {
        const slot = this.staged[i]!;
        this.qOffset[i] = this.slotOffset[slot]!;
        this.qLength[i] = this.slotLength[slot]!;
        this.qBufOffset[i] = this.arena.byteOffset(slot);
        this.qUserData[i] = slot;
      }
      const p = this.qPtrs;
      const queued = lib.rn_queue_reads(this.ring, n, p[0], p[1], p[2], p[3], p[4], this.arenaPtr);
      // The ring has one SQ entry per slot, so every staged read always fits.
      if (queued !== n) throw new IoError("queue reads on", queued < 0 ? -queued : 0, this.file, 0, `queued ${queued} of ${n}`, "E_URING");
      this.stagedCount = 0;
    }
    const got = lib.rn_submit_and_reap(this.ring, max, minWait, this.reapPtrs[0], this.reapPtrs[1]);
    if (got < 0) throw new IoError("submit reads on", -got, this.file, 0, describeErrno(-got), "E_URING");
    return got;
  }

  protected closeBackend(): void {
    const lib = native();
    lib.rn_ring_destroy(this.ring);
    lib.rn_close(this.fd);
    this.scratch.free();
  }
}
