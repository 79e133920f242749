// Typed arrays whose storage never moves, for memory whose address C keeps (ptr() taken once).
// In Bun 1.4.5 a small `new Uint32Array(n)` lives in the GC heap and may be moved while a hot loop
// runs, leaving a pointer taken earlier stale (bench/search-ffi-jit-repro.ts shows it). An array over
// an explicit ArrayBuffer has out-of-line storage that stays put.

export function pinnedInt32(n: number): Int32Array {
  return new Int32Array(new ArrayBuffer(Math.max(1, n) * 4));
}

export function pinnedUint32(n: number): Uint32Array {
  return new Uint32Array(new ArrayBuffer(Math.max(1, n) * 4));
}

export function pinnedFloat32(n: number): Float32Array {
  return new Float32Array(new ArrayBuffer(Math.max(1, n) * 4));
}

export function pinnedFloat64(n: number): Float64Array {
  return new Float64Array(new ArrayBuffer(Math.max(1, n) * 8));
}
