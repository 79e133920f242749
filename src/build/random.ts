// The build's seeded PRNG, so that one thread and one seed give byte-identical index files. The
// generator is SplitMix32 (math/split-mix32.ts); floats take one 32-bit draw. Not cryptographic;
// good enough for sampling and shuffles.
import { SplitMix32 } from "../math/split-mix32.ts";

export class SeededRandom extends SplitMix32 {
  constructor(seed: number) {
    super(seed ^ 0x9e3779b9);
  }

  /** Uniform in [0, 1). */
  nextFloat(): number {
    return this.nextU32() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  nextInt(n: number): number {
    return Math.floor(this.nextFloat() * n);
  }

  /** A random permutation of 0..n-1 (Fisher–Yates). */
  permutation(n: number): Uint32Array {
    const out = new Uint32Array(n);
    for (let i = 0; i < n; i++) out[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.nextInt(i + 1);
      const t = out[i]!;
      out[i] = out[j]!;
      out[j] = t;
    }
    return out;
  }

  /** `k` distinct values from 0..n-1, ascending (selection sampling: one pass, no extra memory). */
  sampleSorted(n: number, k: number): Uint32Array {
    const out = new Uint32Array(Math.min(k, n));
    let need = out.length;
    let filled = 0;
    for (let i = 0; i < n && need > 0; i++) {
      if (this.nextFloat() * (n - i) < need) {
        out[filled++] = i;
        need--;
      }
    }
    return out;
  }
}
