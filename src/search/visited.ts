// The set of node ids a query has already seen (so none is inserted into its queue twice).
// A generation-stamped array (hnswlib's trick): an id is "in" when its stamp equals the current
// generation, so clearing for the next query is one increment; the array is zeroed only when the
// 16-bit stamp wraps, once every 65,535 queries.
// Bench: bench/search-hop.bench.ts

const MAX_GENERATION = 0xffff;

export class VisitedSet {
  private readonly stamps: Uint16Array;
  private generation = 1;

  constructor(npts: number) {
    this.stamps = new Uint16Array(npts);
  }

  get capacity(): number {
    return this.stamps.length;
  }

  /** Forgets every id (O(1) except once per 65,535 calls). */
  clear(): void {
    if (this.generation === MAX_GENERATION) {
      this.stamps.fill(0);
      this.generation = 1;
    } else {
      this.generation++;
    }
  }

  /** Adds `id`; true when it was not there before. */
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
