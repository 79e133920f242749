// A small seeded PRNG (SplitMix32-style mixing over a 32-bit counter) so that one thread and one
// seed give byte-identical index files. Not cryptographic; good enough for sampling and shuffles.

export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    this.state = (seed ^ 0x9e3779b9) >>> 0;
  }

  /** Uniform 32-bit unsigned integer. */
  nextU32(): number {
    this.state = (this.state + 0x9e3779b9) >>> 0;
    let z = this.state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
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
