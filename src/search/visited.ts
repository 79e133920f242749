// The set of node ids a query has already seen (so none is inserted into its queue twice).
// Two variants behind one interface, chosen once per set by createVisitedSet (never in the loop):
//  - StampedVisitedSet: one 16-bit generation stamp per node (hnswlib's trick): an id is "in" when
//    its stamp equals the current generation, so clearing is one increment. Fastest, but npts × 2 B
//    per query machine — 2 GB at a billion points.
//  - HashedVisitedSet: an open-addressing hash set (keys + stamps, power-of-two capacity,
//    multiplicative hash, linear probing) sized by what one query can touch, with the same O(1)
//    generation clear. Grows (allocating, rarely) if a query ever passes load 0.5.
// Both zero their stamps only when the 16-bit generation wraps, once every 65,535 clears.
// Bench: bench/search-hop.bench.ts

const MAX_GENERATION = 0xffff;

/** The generation after `g`; when the 16-bit stamp would wrap, `stamps` is zeroed and counting restarts at 1. */
function nextGeneration(stamps: Uint16Array, g: number): number {
  if (g < MAX_GENERATION) return g + 1;
  stamps.fill(0);
  return 1;
}

/** Above this many points, a VisitedSet is a hash set sized by the query, not an npts array. */
export const VISITED_ARRAY_MAX_NPTS = 1 << 24;

export interface VisitedSet {
  /** Ids the set holds without growing (npts for the array variant). */
  readonly capacity: number;
  /** Forgets every id (O(1) except once per 65,535 calls). */
  clear(): void;
  /** Adds `id`; true when it was not there before. */
  add(id: number): boolean;
  has(id: number): boolean;
}

/**
 * The visited set for ids < `npts` when a query adds about `expected` ids: the stamped array when
 * npts ≤ `arrayMaxNpts`, otherwise a hash set with room for `expected` ids at load ≤ 0.5.
 */
export function createVisitedSet(npts: number, expected: number, arrayMaxNpts = VISITED_ARRAY_MAX_NPTS): VisitedSet {
  return npts <= arrayMaxNpts ? new StampedVisitedSet(npts) : new HashedVisitedSet(expected);
}

/**
 * Ids one graph search typically adds: every expansion adds at most `degree` neighbours plus
 * itself, and a search of list size L expands about L nodes (beam rounds and pipelined reads in
 * flight add up to `width` more); 2L covers the usual overshoot, growth covers the rest.
 */
export function visitedEstimate(maxL: number, maxWidth: number, degree: number, seeds: number): number {
  return (2 * maxL + maxWidth) * (degree + 1) + seeds + 1;
}

export class StampedVisitedSet implements VisitedSet {
  private readonly stamps: Uint16Array;
  private generation = 1;

  constructor(npts: number) {
    this.stamps = new Uint16Array(npts);
  }

  get capacity(): number {
    return this.stamps.length;
  }

  clear(): void {
    this.generation = nextGeneration(this.stamps, this.generation);
  }

  add(id: number): boolean {
    const stamps = this.stamps;
    const g = this.generation;
    if (stamps[id] === g) return false;
    stamps[id] = g;
    return true;
  }

  has(id: number): boolean {
    return this.stamps[id] === this.generation;
  }
}

/** Knuth's multiplicative constant (2^32 / φ): its top bits spread consecutive ids evenly. */
const HASH_MULTIPLIER = 0x9e3779b1;
const MIN_SLOTS = 16;

export class HashedVisitedSet implements VisitedSet {
  /** A slot is occupied when its stamp equals the generation; stale slots count as empty. */
  private keys: Uint32Array;
  private stamps: Uint16Array;
  private mask: number;
  /** 32 − log2(slots): the hash is the top log2(slots) bits of id × HASH_MULTIPLIER. */
  private shift: number;
  private generation = 1;
  /** Ids added since the last clear. */
  private count = 0;
  /** Most ids before growing (half the slots). */
  private maxCount: number;
  /** How many times the table grew (tests, diagnostics). */
  growths = 0;

  /** Room for `expected` ids at load ≤ 0.5. */
  constructor(expected: number) {
    let slots = MIN_SLOTS;
    while (slots < 2 * expected) slots *= 2;
    this.keys = new Uint32Array(slots);
    this.stamps = new Uint16Array(slots);
    this.mask = slots - 1;
    this.shift = 32 - Math.log2(slots);
    this.maxCount = slots >>> 1;
  }

  get capacity(): number {
    return this.maxCount;
  }

  /** Slots in the table (twice the capacity). */
  get slots(): number {
    return this.keys.length;
  }

  clear(): void {
    this.count = 0;
    this.generation = nextGeneration(this.stamps, this.generation);
  }

  add(id: number): boolean {
    const keys = this.keys;
    const stamps = this.stamps;
    const g = this.generation;
    const mask = this.mask;
    let i = Math.imul(id, HASH_MULTIPLIER) >>> this.shift;
    for (;;) {
      if (stamps[i] !== g) {
        stamps[i] = g;
        keys[i] = id;
        if (++this.count > this.maxCount) this.grow();
        return true;
      }
      if (keys[i] === id) return false;
      i = (i + 1) & mask;
    }
  }

  has(id: number): boolean {
    const keys = this.keys;
    const stamps = this.stamps;
    const g = this.generation;
    const mask = this.mask;
    let i = Math.imul(id, HASH_MULTIPLIER) >>> this.shift;
    for (;;) {
      if (stamps[i] !== g) return false;
      if (keys[i] === id) return true;
      i = (i + 1) & mask;
    }
  }

  /** Doubles the table and re-inserts this generation's ids (stale slots are dropped). */
  private grow(): void {
    const oldKeys = this.keys;
    const oldStamps = this.stamps;
    const g = this.generation;
    const slots = oldKeys.length * 2;
    const keys = new Uint32Array(slots);
    const stamps = new Uint16Array(slots);
    const mask = slots - 1;
    const shift = 32 - Math.log2(slots);
    for (let j = 0; j < oldKeys.length; j++) {
      if (oldStamps[j] !== g) continue;
      const id = oldKeys[j]!;
      let i = Math.imul(id, HASH_MULTIPLIER) >>> shift;
      while (stamps[i] === g) i = (i + 1) & mask;
      stamps[i] = g;
      keys[i] = id;
    }
    this.keys = keys;
    this.stamps = stamps;
    this.mask = mask;
    this.shift = shift;
    this.maxCount = slots >>> 1;
    this.growths++;
  }
}
