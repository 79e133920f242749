// Memory that C allocates and owns, seen from TypeScript as typed-array views. Use it for every
// array whose address C keeps across calls (the reader's batch and completion arrays): the GC
// neither moves nor frees it, so a pointer taken once stays valid until free(). (Arrays created in
// JavaScript, even over an explicit ArrayBuffer, gave stale ptr() addresses in Bun 1.4.5 under some
// JIT/GC conditions: bench/search-ffi-jit-repro.ts.)
import { toArrayBuffer, type Pointer } from "bun:ffi";
import { RingannError } from "../errors.ts";
import { native } from "./native.ts";

const ALIGN = 64;

export class NativeBlock {
  readonly address: number;
  readonly byteLength: number;
  private readonly buffer: ArrayBuffer;
  private used = 0;
  private freed = false;

  constructor(byteLength: number) {
    this.byteLength = Math.max(ALIGN, Math.ceil(byteLength / ALIGN) * ALIGN);
    const address = native().rn_alloc_aligned(this.byteLength, ALIGN);
    if (address === null || address === 0)
      throw new RingannError("E_NOMEM", `Cannot allocate ${this.byteLength} bytes of native memory`);
    this.address = Number(address);
    this.buffer = toArrayBuffer(address, 0, this.byteLength);
  }

  int32(n: number): Int32Array {
    return new Int32Array(this.buffer, this.carve(n * 4), n);
  }

  uint32(n: number): Uint32Array {
    return new Uint32Array(this.buffer, this.carve(n * 4), n);
  }

  float64(n: number): Float64Array {
    return new Float64Array(this.buffer, this.carve(n * 8), n);
  }

  /** The native address of a view carved from this block. */
  pointerTo(view: ArrayBufferView): Pointer {
    if (view.buffer !== this.buffer) throw new RingannError("E_INVARIANT", "pointerTo: view is not from this block");
    return (this.address + view.byteOffset) as unknown as Pointer;
  }

  /** Returns the memory to C. Views carved from the block must not be used afterwards. */
  free(): void {
    if (this.freed) return;
    this.freed = true;
    native().rn_free(this.address as unknown as Pointer);
  }

  private carve(bytes: number): number {
    const at = this.used;
    const end = at + Math.ceil(bytes / 8) * 8;
    if (end > this.byteLength)
      throw new RingannError("E_INVARIANT", `NativeBlock: ${end} bytes carved from a ${this.byteLength}-byte block`);
    this.used = end;
    return at;
  }
}
