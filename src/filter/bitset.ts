// A fixed-size set of point ids as bits (32 per word). The form every match set takes at search
// time: membership is one load and a mask, whatever the set's density.

export class Bitset {
  readonly size: number;
  readonly words: Uint32Array;

  constructor(size: number, words?: Uint32Array) {
    this.size = size;
    this.words = words ?? new Uint32Array((size + 31) >>> 5);
  }

  static fromIds(size: number, ids: Uint32Array, n = ids.length): Bitset {
    const b = new Bitset(size);
    const w = b.words;
    for (let i = 0; i < n; i++) {
      const id = ids[i]!;
      w[id >>> 5]! |= 1 << (id & 31);
    }
    return b;
  }

  has(id: number): boolean {
    return (this.words[id >>> 5]! & (1 << (id & 31))) !== 0;
  }

  add(id: number): void {
    this.words[id >>> 5]! |= 1 << (id & 31);
  }

  count(): number {
    let n = 0;
    const w = this.words;
    for (let i = 0; i < w.length; i++) {
      let x = w[i]!;
      x -= (x >>> 1) & 0x55555555;
      x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
      n += (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
    }
    return n;
  }

  /** The member ids in increasing order. */
  toIds(): Uint32Array {
    const out = new Uint32Array(this.count());
    let n = 0;
    const w = this.words;
    for (let i = 0; i < w.length; i++) {
      let x = w[i]!;
      while (x !== 0) {
        const bit = 31 - Math.clz32(x & -x);
        out[n++] = (i << 5) | bit;
        x &= x - 1;
      }
    }
    return out;
  }

  and(o: Bitset): Bitset {
    const out = new Bitset(this.size);
    for (let i = 0; i < out.words.length; i++) out.words[i] = this.words[i]! & o.words[i]!;
    return out;
  }

  or(o: Bitset): Bitset {
    const out = new Bitset(this.size);
    for (let i = 0; i < out.words.length; i++) out.words[i] = this.words[i]! | o.words[i]!;
    return out;
  }

  not(): Bitset {
    const out = new Bitset(this.size);
    for (let i = 0; i < out.words.length; i++) out.words[i] = ~this.words[i]! >>> 0;
    const tail = this.size & 31;
    if (tail !== 0 && out.words.length > 0) out.words[out.words.length - 1]! &= (1 << tail) - 1;
    return out;
  }
}
