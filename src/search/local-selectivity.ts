// How many of a query's near neighbours match its filter (issue 12). The global selectivity of a
// filter says little about a query's neighbourhood when labels follow the geometry (a query for
// "sneaker" that looks like a sneaker: most of its neighbours are sneakers). In-filter traversal keeps
// about L matches in its list with L / (local selectivity) entries, so the estimate sets its L.
// Estimate: PQ distances from the query to a fixed sample of points (every npts/S-th), the `top`
// nearest of them, the share that match — smoothed towards the global selectivity (a prior worth
// `prior` sample points). Costs one PQ table and S PQ distances (~1,024 × M lookups).
import type { Vectors } from "../format/vector-type.ts";
import type { Bitset } from "../filter/bitset.ts";
import { pqDistances } from "../math/pq-table.ts";
import type { SearchContext } from "./machine.ts";

export class LocalSelectivity {
  private readonly ctx: SearchContext;
  private readonly sample: Uint32Array;
  private readonly dists: Float32Array;
  private readonly order: Uint32Array;
  private readonly query: Float32Array;
  private readonly table: Float32Array;
  readonly top: number;
  readonly prior: number;

  constructor(ctx: SearchContext, sampleSize = 1024, top = 32, prior = 4) {
    this.ctx = ctx;
    const npts = ctx.meta.npts;
    const S = Math.min(sampleSize, npts);
    this.sample = new Uint32Array(S);
    for (let i = 0; i < S; i++) this.sample[i] = Math.floor((i * npts) / S);
    this.dists = new Float32Array(S);
    this.order = new Uint32Array(S);
    this.query = new Float32Array(ctx.meta.dim);
    this.table = new Float32Array(ctx.pq.tableSize);
    this.top = Math.min(top, S);
    this.prior = prior;
  }

  /** The estimated share of the query's neighbourhood in `bits` (≥ a small floor). */
  estimate(query: Vectors, offset: number, bits: Bitset, global: number): number {
    const dim = this.query.length;
    const q = this.query;
    for (let j = 0; j < dim; j++) q[j] = query[offset + j]!;
    if (this.ctx.metric === "cosine") {
      let s = 0;
      for (let j = 0; j < dim; j++) s += q[j]! * q[j]!;
      if (s > 0) for (let j = 0; j < dim; j++) q[j]! /= Math.sqrt(s);
    }
    this.ctx.pq.populate(q, 0, this.table);
    const S = this.sample.length;
    pqDistances(this.table, this.ctx.codes, this.ctx.pq.M, this.sample, S, this.dists);
    // Partial selection of the `top` smallest (insertion into a short sorted prefix).
    const order = this.order;
    const d = this.dists;
    let n = 0;
    for (let i = 0; i < S; i++) {
      if (n === this.top && d[i]! >= d[order[n - 1]!]!) continue;
      let j = n < this.top ? n++ : n - 1;
      while (j > 0 && d[order[j - 1]!]! > d[i]!) {
        order[j] = order[j - 1]!;
        j--;
      }
      order[j] = i;
    }
    let hits = 0;
    for (let i = 0; i < n; i++) if (bits.has(this.sample[order[i]!]!)) hits++;
    return Math.max(1e-3, (hits + this.prior * global) / (n + this.prior));
  }
}
