// Typed arrays over an explicit ArrayBuffer (out-of-line storage) for arrays handed to C with a fresh
// ptr() at each call. In Bun 1.4.5 a small `new Uint32Array(n)` lives in the GC heap and can move
// (bench/search-ffi-jit-repro.ts). Memory whose address C keeps across calls belongs in a NativeBlock
// (src/io/native-block.ts) instead: even these arrays gave stale long-lived pointers under some conditions.

export function pinnedUint32(n: number): Uint32Array {
  return new Uint32Array(new ArrayBuffer(Math.max(1, n) * 4));
}

export function pinnedFloat32(n: number): Float32Array {
  return new Float32Array(new ArrayBuffer(Math.max(1, n) * 4));
}
