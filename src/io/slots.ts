// SlotArena: one 4096-aligned allocation cut into fixed-size slots the kernel reads into.
// Each slot is Free → InFlight → Completed → Free. Bytes are visible only while Completed, so a
// buffer is never read while the kernel may still be writing it. Free slots are handed out FIFO.
// Bench: bench/io.bench.ts
import { toArrayBuffer } from "bun:ffi";
import { RingannError, invariant } from "../errors.ts";
import { native } from "./native.ts";

export const SlotState = { Free: 0, InFlight: 1, Completed: 2 } as const;
export type SlotState = (typeof SlotState)[keyof typeof SlotState];
const STATE_NAMES = ["Free", "InFlight", "Completed"];

export const SLOT_ALIGN = 4096;

/** Memory a SlotArena cuts up: native (aligned, for O_DIRECT and the kernel) or heap (tests). */
export interface ArenaMemory {
  readonly bytes: Uint8Array;
  /** Native address of bytes[0], or 0 for heap memory. */
  readonly address: number;
  free(): void;
}

export function nativeArenaMemory(byteLength: number): ArenaMemory {
  const lib = native();
  const address = lib.rn_alloc_aligned(byteLength, SLOT_ALIGN);
  if (address === null || address === 0)
    throw new RingannError("E_NOMEM", `Cannot allocate a ${byteLength}-byte aligned I/O arena: out of memory`);
  const bytes = new Uint8Array(toArrayBuffer(address, 0, byteLength));
  let freed = false;
  return {
    bytes,
    address: Number(address),
    free() {
      if (freed) return;
      freed = true;
      lib.rn_free(address);
    },
  };
}

export function heapArenaMemory(byteLength: number): ArenaMemory {
  return { bytes: new Uint8Array(byteLength), address: 0, free() {} };
}

export class SlotArena {
  readonly slotBytes: number;
  readonly slotCount: number;
  readonly memory: ArenaMemory;
  private readonly states: Uint8Array;
  private readonly views: Uint8Array[];
  private readonly freeRing: Int32Array; // FIFO of free slots
  private freeHead = 0;
  private freeSize: number;
  private inFlightCount = 0;
  private disposed = false;

  constructor(slotBytes: number, slotCount: number, memory?: ArenaMemory) {
    invariant(
      slotBytes > 0 && slotBytes % SLOT_ALIGN === 0,
      `slotBytes ${slotBytes} must be a positive multiple of ${SLOT_ALIGN}`,
    );
    invariant(Number.isInteger(slotCount) && slotCount > 0, `slotCount ${slotCount} must be a positive integer`);
    this.slotBytes = slotBytes;
    this.slotCount = slotCount;
    this.memory = memory ?? nativeArenaMemory(slotBytes * slotCount);
    invariant(this.memory.bytes.byteLength >= slotBytes * slotCount, "arena memory too small");
    this.states = new Uint8Array(slotCount);
    this.views = [];
    this.freeRing = new Int32Array(slotCount);
    for (let s = 0; s < slotCount; s++) {
      this.views.push(this.memory.bytes.subarray(s * slotBytes, (s + 1) * slotBytes));
      this.freeRing[s] = s;
    }
    this.freeSize = slotCount;
  }

  get inFlight(): number {
    return this.inFlightCount;
  }

  get free(): number {
    return this.freeSize;
  }

  state(slot: number): SlotState {
    return this.states[slot] as SlotState;
  }

  /** Free → InFlight; -1 when every slot is taken. */
  acquire(): number {
    if (this.disposed) throw new RingannError("E_CLOSED", "Cannot acquire a slot: the arena is disposed");
    if (this.freeSize === 0) return -1;
    const slot = this.freeRing[this.freeHead]!;
    this.freeHead = (this.freeHead + 1) % this.slotCount;
    this.freeSize--;
    this.states[slot] = SlotState.InFlight;
    this.inFlightCount++;
    return slot;
  }

  /** InFlight → Completed: the kernel is done with the slot. */
  complete(slot: number): void {
    this.expect(slot, SlotState.InFlight, "complete");
    this.states[slot] = SlotState.Completed;
    this.inFlightCount--;
  }

  /** InFlight → Free: the read failed; nobody will view the slot. */
  fail(slot: number): void {
    this.expect(slot, SlotState.InFlight, "fail");
    this.inFlightCount--;
    this.pushFree(slot);
  }

  /** Completed → Free. */
  release(slot: number): void {
    this.expect(slot, SlotState.Completed, "release");
    this.pushFree(slot);
  }

  /** The slot's bytes; only while Completed. Do not keep the view past release(). */
  view(slot: number): Uint8Array {
    this.expect(slot, SlotState.Completed, "view");
    return this.views[slot]!;
  }

  /** Byte offset of the slot inside the arena memory. */
  byteOffset(slot: number): number {
    return slot * this.slotBytes;
  }

  /** Frees the memory. The caller must have drained every in-flight read first. */
  dispose(): void {
    if (this.disposed) return;
    invariant(this.inFlightCount === 0, `arena disposed with ${this.inFlightCount} reads in flight`);
    this.disposed = true;
    this.memory.free();
  }

  private pushFree(slot: number): void {
    this.states[slot] = SlotState.Free;
    this.freeRing[(this.freeHead + this.freeSize) % this.slotCount] = slot;
    this.freeSize++;
  }

  private expect(slot: number, state: SlotState, op: string): void {
    if (!(slot >= 0 && slot < this.slotCount)) {
      throw new RingannError("E_SLOT", `Cannot ${op} slot ${slot}: out of range 0..${this.slotCount - 1}`);
    }
    const actual = this.states[slot]!;
    if (actual !== state) {
      throw new RingannError(
        "E_SLOT_STATE",
        `Cannot ${op} slot ${slot}: it is ${STATE_NAMES[actual]}, expected ${STATE_NAMES[state]}`,
      );
    }
    if (this.disposed) throw new RingannError("E_CLOSED", `Cannot ${op} slot ${slot}: the arena is disposed`);
  }
}
