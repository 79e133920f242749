// Repro: in Bun 1.4.5 the storage of a small typed array created with `new Uint32Array(n)` can
// move while a hot loop runs, so a pointer taken once with ptr() goes stale: C then writes into
// memory the array no longer uses and JS reads old values. ringann's search saw this as
// "completion for slot N which is not in flight" (stale reap arrays in the io_uring reader) when
// spinning on poll(). A typed array over an explicit ArrayBuffer kept its address in every run.
// Run: bun bench/search-ffi-jit-repro.ts      (a few seconds; results vary run to run)
import { dlopen, FFIType, ptr } from "bun:ffi";

const libc = dlopen("libc.so.6", {
  memset: { args: [FFIType.ptr, FFIType.i32, FFIType.u64], returns: FFIType.ptr },
}).symbols;

function probeOf(explicitBuffer: boolean) {
  return new (class {
    readonly a = explicitBuffer ? new Uint32Array(new ArrayBuffer(256)) : new Uint32Array(64);
    readonly p = ptr(this.a);
    roundTrip(v: number): number {
      this.a[0] = 0xeeee;
      libc.memset(this.p, v, 4);
      return this.a[0]!;
    }
  })();
}

for (const explicitBuffer of [false, true]) {
  for (let rep = 0; rep < 3; rep++) {
    const probe = probeOf(explicitBuffer);
    let stale = 0;
    let first = -1;
    for (let i = 0; i < 3_000_000; i++) {
      const v = (i & 0x7f) + 1;
      if (probe.roundTrip(v) !== (v | (v << 8) | (v << 16) | (v << 24)) >>> 0) {
        stale++;
        if (first < 0) first = i;
      }
    }
    const name = explicitBuffer ? "new Uint32Array(new ArrayBuffer(256))" : "new Uint32Array(64)";
    console.log(
      `${name} #${rep}: ${stale} stale of 3,000,000 (first at ${first}); ptr still valid: ${ptr(probe.a) === probe.p}`,
    );
  }
}
