// Pre-filtering (issue 12): for a filter matching few points, skip the graph. Score every matching
// point by its PQ code (in memory), keep the best L, read those L records and rank them by exact
// distance. Reads = L, whatever the selectivity; CPU grows with the match count (one PQ distance each),
// which is why it is chosen only below a match count (FilteredIndex: preMaxPoints).
// A beam machine whose queue is seeded with the candidates and whose expansion only ranks: the reads
// go out `width` at a time, cached records need none.
// Bench: bench/filtered.ts
import { pqDistances } from "../math/pq-table.ts";
import { BeamSearch } from "./beam.ts";
import type { SearchContext } from "./machine.ts";

const BLOCK = 1024;

export class PrefilterSearch extends BeamSearch {
  /** The matching ids of the current query (set before begin()). */
  candidates: Uint32Array = new Uint32Array(0);
  /** Their PQ code rows gathered in that order (gathered-codes.ts), or null: score them in place. */
  candidateRows: Uint8Array | null = null;
  private readonly blockIds = new Uint32Array(BLOCK);
  private readonly blockDists = new Float32Array(BLOCK);
  private readonly bestIds: Uint32Array;
  private readonly bestDists: Float32Array;

  constructor(ctx: SearchContext, owner: number) {
    super(ctx, owner);
    this.bestIds = new Uint32Array(ctx.maxL);
    this.bestDists = new Float32Array(ctx.maxL);
  }

  protected override seed(now: number): void {
    super.seed(now); // builds the PQ table (and seeds the medoid, replaced below)
    const queue = this.queue;
    queue.reset(this.params.L);
    this.visited.clear();
    const all = this.candidates;
    const { table, M } = this;
    const codes = this.ctx.codes;
    // In C: one call scores every match and keeps the best L (~10× the TypeScript loop on scattered ids),
    // over the matches' gathered rows when there are some (gathered-codes.ts), else in place.
    const rows = this.candidateRows;
    const gathered = rows !== null && this.ctx.pq.scanRows !== null;
    const scan = gathered ? this.ctx.pq.scanRows : this.ctx.pq.scanBest;
    if (scan !== null) {
      const n = scan(table, gathered ? rows : codes, all, all.length, queue.limit, this.bestIds, this.bestDists);
      for (let i = 0; i < n; i++) queue.insert(this.bestIds[i]!, this.bestDists[i]!);
    } else {
      for (let start = 0; start < all.length; start += BLOCK) {
        const n = Math.min(BLOCK, all.length - start);
        const ids = this.blockIds;
        ids.set(all.subarray(start, start + n));
        pqDistances(table, codes, M, ids, n, this.blockDists);
        for (let i = 0; i < n; i++) {
          const d = this.blockDists[i]!;
          if (queue.size === queue.limit && d >= queue.dists[queue.size - 1]!) continue;
          queue.insert(ids[i]!, d);
        }
      }
    }
    this.stats.pqDistances += all.length;
  }

  /** A candidate's record arrived: its exact distance joins the results; its neighbours do not matter. */
  protected override expand(handle: number, id: number): void {
    this.rankOnly(handle, id);
    this.stats.hops++;
  }
}
