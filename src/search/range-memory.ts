// What a range search keeps between its rounds so that a round continues the previous one instead of
// starting over (range-search.ts): every neighbour id the query's expansions met (once each), so that
// when L grows, the candidates a full list of L had pushed out come back — ranked by PQ distance, the
// best (new L − kept) of them join the list — while the list, the visited set and the results (every
// expanded node with its exact distance) stay. A round then reads only nodes it has not read before.
// Grows by doubling when a query meets more neighbours than any before it (then never again).
import { pqDistances } from "../math/pq-table.ts";
import type { CandidateQueue } from "./queue.ts";
import type { ResultSet } from "./results.ts";
import { type VisitedSet, createVisitedSet } from "./visited.ts";

export class RangeMemory {
  /** Neighbour ids met so far in this query, each once. */
  private pool: Uint32Array;
  private count = 0;
  /** Ids already in the pool. */
  private readonly seen: VisitedSet;
  /** Refill scratch: ids in the list or expanded. */
  private readonly taken: VisitedSet;
  private candIds: Uint32Array;
  private candDists: Float32Array;
  private order: Uint32Array;
  private sortedIds: Uint32Array;
  private sortedDists: Float32Array;

  constructor(npts: number, expected: number) {
    this.pool = new Uint32Array(Math.max(1024, expected));
    this.seen = createVisitedSet(npts, expected);
    this.taken = createVisitedSet(npts, expected);
    this.candIds = new Uint32Array(this.pool.length);
    this.candDists = new Float32Array(this.pool.length);
    this.order = new Uint32Array(this.pool.length);
    this.sortedIds = new Uint32Array(this.pool.length);
    this.sortedDists = new Float32Array(this.pool.length);
  }

  /** A new query. */
  reset(): void {
    this.count = 0;
    this.seen.clear();
  }

  /** Notes the neighbours nbrs[off .. off + degree) of an expanded node. */
  note(nbrs: Uint32Array, off: number, degree: number): void {
    for (let k = 0; k < degree; k++) {
      const nb = nbrs[off + k]!;
      if (!this.seen.add(nb)) continue;
      if (this.count === this.pool.length) this.grow();
      this.pool[this.count++] = nb;
    }
  }

  /**
   * Grows `queue` to list size L and fills the new room with the best (by PQ distance, `table`) pool
   * ids that are neither in the list nor expanded. Returns how many joined.
   */
  refill(
    queue: CandidateQueue,
    results: ResultSet,
    table: Float32Array,
    codes: Uint8Array,
    M: number,
    L: number,
  ): number {
    const taken = this.taken;
    taken.clear();
    for (let i = 0; i < results.count; i++) taken.add(results.ids[i]!);
    for (let i = 0; i < queue.size; i++) taken.add(queue.ids[i]!);
    const ids = this.candIds;
    let n = 0;
    for (let i = 0; i < this.count; i++) {
      const id = this.pool[i]!;
      if (!taken.has(id)) ids[n++] = id;
    }
    queue.limit = L;
    const room = L - queue.size;
    if (n === 0 || room <= 0) return 0;
    const dists = this.candDists;
    pqDistances(table, codes, M, ids, n, dists);
    // The best `room` candidates in ascending order (insertBatch then merges them in one pass).
    const order = this.order;
    for (let i = 0; i < n; i++) order[i] = i;
    const pick = order.subarray(0, n).sort((a, b) => dists[a]! - dists[b]! || ids[a]! - ids[b]!);
    const m = Math.min(room, n);
    for (let i = 0; i < m; i++) {
      this.sortedIds[i] = ids[pick[i]!]!;
      this.sortedDists[i] = dists[pick[i]!]!;
    }
    queue.insertBatch(this.sortedIds, this.sortedDists, m);
    return m;
  }

  private grow(): void {
    const size = this.pool.length * 2;
    const pool = new Uint32Array(size);
    pool.set(this.pool);
    this.pool = pool;
    this.candIds = new Uint32Array(size);
    this.candDists = new Float32Array(size);
    this.order = new Uint32Array(size);
    this.sortedIds = new Uint32Array(size);
    this.sortedDists = new Float32Array(size);
  }
}
