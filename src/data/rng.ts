// A seeded PRNG for datasets (the SplitMix32 generator of math/split-mix32.ts, one stream per
// (seed, stream), plus Box–Muller normals), so one seed always gives byte-identical files on every
// machine. Not cryptographic.
import { SplitMix32 } from "../math/split-mix32.ts";

export class DatasetRng extends SplitMix32 {
  private spareNormal = Number.NaN;

  constructor(seed: number, stream = 0) {
    super(Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(stream + 1, 0x85ebca77));
  }

  /** Uniform in [0, 1) with 53 random bits. */
  nextFloat(): number {
    return (this.nextU32() * 2 ** 21 + (this.nextU32() >>> 11)) / 2 ** 53;
  }

  /** Uniform integer in [0, n), n ≤ 2^32. */
  nextInt(n: number): number {
    return Math.floor(this.nextFloat() * n);
  }

  /** Standard normal (Box–Muller, the second value kept for the next call). */
  nextNormal(): number {
    if (!Number.isNaN(this.spareNormal)) {
      const v = this.spareNormal;
      this.spareNormal = Number.NaN;
      return v;
    }
    let u = 0;
    while (u === 0) u = this.nextFloat();
    const v = this.nextFloat();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** `count` distinct indices from [0, n), in increasing order (partial Fisher–Yates). */
  sampleIndices(n: number, count: number): Uint32Array {
    if (count > n) throw new RangeError(`cannot sample ${count} of ${n}`);
    const pool = new Uint32Array(n);
    for (let i = 0; i < n; i++) pool[i] = i;
    for (let i = 0; i < count; i++) {
      const j = i + this.nextInt(n - i);
      const t = pool[i]!;
      pool[i] = pool[j]!;
      pool[j] = t;
    }
    return pool.slice(0, count).sort();
  }
}
