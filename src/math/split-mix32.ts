// The 32-bit seeded generator behind both the build's SeededRandom (build/random.ts) and the
// datasets' DatasetRng (data/rng.ts): a Weyl counter (+0x9e3779b9) through SplitMix32-style
// mixing. Each subclass derives its own starting state from its seed and its own floats, so the
// streams they produced before sharing this class are unchanged. Not cryptographic.

export abstract class SplitMix32 {
  private state: number;

  protected constructor(initialState: number) {
    this.state = initialState >>> 0;
  }

  /** Uniform 32-bit unsigned integer. */
  nextU32(): number {
    this.state = (this.state + 0x9e3779b9) >>> 0;
    let z = this.state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  }
}
