// Pre-filtering scores every match's PQ code. At 1M points the codes span 32 MB, so a frequent filter's
// matches (100,000 at 10%) each miss the cache: ~3 ms a scan, twice an unfiltered query. Filters repeat
// (labels are categorical), so the first pre-filtered query of a filter copies its matches' code rows
// into one block, in match order, and later queries stream it (rk_pq_scan_rows: several times faster).
// Blocks are kept per filter (its Match object) under a byte budget, least recently used out first.
// Bench: bench/filtered.ts (10% at 1M).
import type { PqTable } from "../math/pq-table.ts";

export interface GatheredCodesOptions {
  /** Bytes of gathered rows kept (default: the size of the codes themselves). 0 turns gathering off. */
  budgetBytes?: number;
  /** Gather only filters with at least this many matches; fewer are cheap to scan in place (default 4,096). */
  minMatches?: number;
}

const MIN_MATCHES = 4096;

export class GatheredCodes {
  /** Settings, read at each gathering (a lowered budget evicts at the next one). */
  budgetBytes: number;
  minMatches: number;
  private readonly blocks = new Map<object, Uint8Array>();
  private bytes = 0;

  constructor(
    private readonly pq: PqTable,
    private readonly codes: Uint8Array,
    opts: GatheredCodesOptions = {},
  ) {
    this.budgetBytes = opts.budgetBytes ?? codes.byteLength;
    this.minMatches = opts.minMatches ?? MIN_MATCHES;
  }

  /** Bytes held now. */
  get heldBytes(): number {
    return this.bytes;
  }

  /**
   * The code rows of `ids` (the matches of `key`, increasing) in that order, gathered on first use;
   * null when not worth it (few matches), over the budget, or without the native kernels.
   */
  rowsFor(key: object, ids: Uint32Array): Uint8Array | null {
    const hit = this.blocks.get(key);
    if (hit !== undefined) {
      this.blocks.delete(key); // most recently used last
      this.blocks.set(key, hit);
      return hit;
    }
    const gather = this.pq.gather;
    const size = ids.length * this.pq.M;
    if (gather === null || this.pq.scanRows === null || ids.length < this.minMatches || size > this.budgetBytes)
      return null;
    for (const [k, block] of this.blocks) {
      if (this.bytes + size <= this.budgetBytes) break;
      this.blocks.delete(k);
      this.bytes -= block.byteLength;
    }
    const rows = new Uint8Array(size);
    gather(this.codes, ids, ids.length, rows);
    this.blocks.set(key, rows);
    this.bytes += size;
    return rows;
  }
}
