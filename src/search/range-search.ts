// Range search (issue 12): every point within `radius` of the query (distance ≤ radius, in the units
// results are reported in: squared L2 for l2). DiskANN's rule: search with list size L and take the
// top L by exact distance; if at least half of them are inside the radius the list was too short, so
// double L (up to maxL) and search again; stop when fewer than half are inside or L is at the cap.
// Every round is a fresh search (as DiskANN does); reads and latency add up over the rounds.
import type { Vectors } from "../format/vector-type.ts";
import type { DiskIndex, SearchMode } from "./disk-index.ts";

export interface RangeSearchOptions {
  radius: number;
  /** First list size (default 10). */
  L?: number;
  /** Cap on the list size (default: the index's maxL). */
  maxL?: number;
  mode?: SearchMode;
  width?: number;
}

export interface RangeResult {
  ids: Uint32Array;
  distances: Float32Array;
  /** Searches run (1 + doublings). */
  rounds: number;
  /** The last L searched with. */
  finalL: number;
  reads: number;
  latencyUs: number;
}

export function rangeSearch(index: DiskIndex, query: Vectors, opts: RangeSearchOptions, offset = 0): RangeResult {
  const maxL = Math.min(opts.maxL ?? index.context.maxL, index.context.maxL);
  let L = Math.min(opts.L ?? 10, maxL);
  const ids = new Uint32Array(maxL);
  const dists = new Float32Array(maxL);
  let rounds = 0;
  let reads = 0;
  let latencyUs = 0;
  let inside = 0;
  for (;;) {
    const params = index.resolve({ k: L, L, mode: opts.mode ?? "pipe", width: opts.width ?? 4 });
    const n = index.searchInto(query, offset, params, ids, dists, 0);
    const s = index.machineFor(params.mode).stats;
    rounds++;
    reads += s.reads;
    latencyUs += s.latencyUs;
    inside = 0;
    while (inside < n && dists[inside]! <= opts.radius) inside++;
    if (inside < L / 2 || L >= maxL) break;
    L = Math.min(maxL, L * 2);
  }
  return { ids: ids.slice(0, inside), distances: dists.slice(0, inside), rounds, finalL: L, reads, latencyUs };
}
