// The reverse of a slot graph: every edge y → v as (source y, rank of v in y's list), grouped by v
// (CSR). Memory: 4 bytes per edge for the sources, 1 (2 when R > 256) for the ranks, 4 per node.
import { invariant } from "../errors.ts";
import type { SlotGraph } from "./page-order.ts";

export interface InEdges {
  /** Edges into v are src/rank[start[v] .. start[v + 1]). */
  readonly start: Uint32Array;
  readonly src: Uint32Array;
  readonly rank: Uint8Array | Uint16Array;
  /** The largest in-degree. */
  readonly maxIn: number;
}

export function inEdges(g: SlotGraph): InEdges {
  const { npts, slots, nbrs, degree } = g;
  invariant(npts * slots < 2 ** 32, "graph too large for 32-bit edge offsets");
  const start = new Uint32Array(npts + 1);
  for (let u = 0; u < npts; u++) {
    const base = u * slots;
    for (let k = 0; k < degree[u]!; k++) start[nbrs[base + k]! + 1]!++;
  }
  let maxIn = 0;
  for (let v = 0; v < npts; v++) {
    if (start[v + 1]! > maxIn) maxIn = start[v + 1]!;
    start[v + 1]! += start[v]!;
  }
  const edges = start[npts]!;
  const src = new Uint32Array(edges);
  const rank = slots <= 256 ? new Uint8Array(edges) : new Uint16Array(edges);
  const fill = start.slice(0, npts);
  for (let u = 0; u < npts; u++) {
    const base = u * slots;
    for (let k = 0; k < degree[u]!; k++) {
      const at = fill[nbrs[base + k]!]!++;
      src[at] = u;
      rank[at] = k;
    }
  }
  return { start, src, rank, maxIn };
}
