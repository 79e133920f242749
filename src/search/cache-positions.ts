// Where each cached node sits in the node cache: an open-addressing hash table from node id to
// cache position, sized by the cache (not by npts, which would be 4 GB at a billion points), in one
// flat Uint32Array of [id, position] pairs so it can live in a SharedArrayBuffer and every search
// Worker reads the same copy. Power-of-two slot count, load ≤ 0.5, multiplicative hash, linear
// probing; empty slots hold id 0xffffffff (never a node id: ids are < npts ≤ 2^32 − 1).
import { invariant } from "../errors.ts";

const EMPTY = 0xffffffff;
const HASH_MULTIPLIER = 0x9e3779b1;

export class CachePositions {
  /** 2 × slots words: table[2i] = id (or EMPTY), table[2i + 1] = its cache position. */
  readonly table: Uint32Array;
  private readonly mask: number;
  private readonly shift: number;

  /** Wraps a table made by build() (possibly a view of shared memory from another thread). */
  constructor(table: Uint32Array) {
    const slots = table.length >>> 1;
    invariant(
      slots >= 2 && (slots & (slots - 1)) === 0 && table.length === 2 * slots,
      `cache positions: ${table.length} words is not 2 × a power of two`,
    );
    this.table = table;
    this.mask = slots - 1;
    this.shift = 32 - Math.log2(slots);
  }

  /** The table for `ids` (position i holds ids[i]); in a SharedArrayBuffer when `shared`. */
  static build(ids: Uint32Array, shared = false): CachePositions {
    let slots = 2;
    while (slots < 2 * ids.length) slots *= 2;
    const bytes = 2 * slots * 4;
    const table = new Uint32Array(shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes)).fill(EMPTY);
    const mask = slots - 1;
    const shift = 32 - Math.log2(slots);
    for (let pos = 0; pos < ids.length; pos++) {
      const id = ids[pos]!;
      invariant(id !== EMPTY, "cache positions: id 0xffffffff");
      let i = Math.imul(id, HASH_MULTIPLIER) >>> shift;
      while (table[2 * i] !== EMPTY) {
        invariant(table[2 * i] !== id, `cache positions: node ${id} cached twice`);
        i = (i + 1) & mask;
      }
      table[2 * i] = id;
      table[2 * i + 1] = pos;
    }
    return new CachePositions(table);
  }

  /** Cache position of node `id`, or -1 when it is not cached. */
  positionOf(id: number): number {
    const table = this.table;
    const mask = this.mask;
    let i = Math.imul(id, HASH_MULTIPLIER) >>> this.shift;
    for (;;) {
      const key = table[2 * i]!;
      if (key === EMPTY) return -1;
      if (key === id) return table[2 * i + 1]!;
      i = (i + 1) & mask;
    }
  }
}
