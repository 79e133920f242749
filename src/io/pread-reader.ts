// The synchronous fallback SectorReader: same slots and semantics as the io_uring reader, but each
// staged read is a pread(2) performed at the next poll/wait. Used when io_uring is unavailable
// (seccomp, sysctl, old kernel) or forced with RINGANN_IO=pread.
import type { Pointer } from "bun:ffi";
import { native } from "./native.ts";
import { SlotArena } from "./slots.ts";
import { IoCounter } from "./reader.ts";
import { StagedReader, heapReadRecords } from "./staged-reader.ts";
import { fileSizeOf, openForReading } from "./uring-reader.ts";

export interface PreadReaderOptions {
  slotBytes: number;
  slotCount: number;
  direct?: boolean;
}

export class PreadReader extends StagedReader {
  readonly backend = "pread" as const;
  readonly direct: boolean;
  private readonly fd: number;
  // Results done but not yet handed out (when out had less room than the batch).
  private readonly doneSlot: Uint32Array;
  private readonly doneResult: Int32Array;
  private doneHead = 0;
  private doneCount = 0;

  constructor(file: string, opts: PreadReaderOptions) {
    const lib = native();
    const { fd, direct } = openForReading(file, opts.direct ?? true);
    let arena: SlotArena;
    try {
      const fileBytes = fileSizeOf(fd, file);
      arena = new SlotArena(opts.slotBytes, opts.slotCount);
      super(file, fileBytes, arena, heapReadRecords(opts.slotCount));
    } catch (e) {
      lib.rn_close(fd);
      throw e;
    }
    this.fd = fd;
    this.direct = direct;
    this.doneSlot = new Uint32Array(opts.slotCount);
    this.doneResult = new Int32Array(opts.slotCount);
  }

  protected exchange(_minWait: number, max: number): number {
    const lib = native();
    const base = this.arena.memory.address;
    const cap = this.slotCount;
    for (let i = 0; i < this.stagedCount; i++) {
      const slot = this.staged[i]!;
      this.counters[IoCounter.Calls]!++;
      this.counters[IoCounter.Submitted]!++;
      const result = lib.rn_pread(
        this.fd,
        (base + this.arena.byteOffset(slot)) as unknown as Pointer,
        this.slotLength[slot]!,
        this.slotOffset[slot]!,
      );
      const at = (this.doneHead + this.doneCount) % cap;
      this.doneSlot[at] = slot;
      this.doneResult[at] = result;
      this.doneCount++;
    }
    this.stagedCount = 0;
    const n = Math.min(max, this.doneCount);
    for (let i = 0; i < n; i++) {
      this.reapSlot[i] = this.doneSlot[this.doneHead]!;
      this.reapResult[i] = this.doneResult[this.doneHead]!;
      this.doneHead = (this.doneHead + 1) % cap;
    }
    this.doneCount -= n;
    this.counters[IoCounter.Reaped]! += n;
    return n;
  }

  protected closeBackend(): void {
    native().rn_close(this.fd);
  }
}
