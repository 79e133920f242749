// Neighbour lists of a label-aware graph (issue 12): [plain edges | the node's own id | label edges].
// The plain edges are the Vamana graph's RobustPruned list, untouched; the node's own id marks where
// they end (a self-loop, which DiskANN-format readers skip as already visited); the label edges after
// it link points that share a label and are followed only by label-restricted search. Unfiltered
// search stops at the marker (the index sidecar's `labelEdges`), so it walks the plain graph.
// A node without label edges has no marker. A label edge that finds no free slot displaces the
// plain list's last edge whose target shares no label with the node (or its last edge).
import { RingannError } from "../errors.ts";
import type { LabelLists } from "./filtered-prune.ts";
import type { SharedGraph } from "./shared-graph.ts";

export class LabelEdgeLists {
  readonly graph: SharedGraph;
  readonly R: number;
  /** Plain edges per node: nbrs[p*slots .. + plain[p]). */
  readonly plain: Uint32Array;
  /** Plain edges given up for label edges (over the whole build). */
  displaced = 0;
  private readonly lists: LabelLists;

  constructor(graph: SharedGraph, R: number, lists: LabelLists) {
    this.graph = graph;
    this.R = R;
    this.lists = lists;
    this.plain = new Uint32Array(graph.npts);
    for (let p = 0; p < graph.npts; p++) {
      const d = Math.min(graph.degree[p]!, R);
      graph.degree[p] = d;
      this.plain[p] = d;
    }
  }

  /** Label edges p can still take without giving up a plain edge. */
  room(p: number): number {
    const d = this.graph.degree[p]!;
    return this.R - d - (d > this.plain[p]! ? 0 : 1);
  }

  /** True when c is already one of p's neighbours (plain or label). */
  has(p: number, c: number): boolean {
    const { nbrs, slots, degree } = this.graph;
    const base = p * slots;
    for (let k = 0; k < degree[p]!; k++) if (nbrs[base + k] === c) return true;
    return false;
  }

  /** Appends the label edge p → c (c ≠ p, not yet a neighbour), displacing plain edges when full. */
  add(p: number, c: number): void {
    const { nbrs, slots, degree } = this.graph;
    const base = p * slots;
    if (degree[p] === this.plain[p]) {
      while (degree[p]! + 2 > this.R) this.dropPlain(p);
      nbrs[base + degree[p]!] = p; // the marker
      degree[p]!++;
    } else if (degree[p]! >= this.R) {
      this.dropPlain(p);
    }
    nbrs[base + degree[p]!] = c;
    degree[p]!++;
  }

  /** Removes one plain edge of p, shifting the marker and label edges left by one. */
  private dropPlain(p: number): void {
    const { nbrs, slots, degree } = this.graph;
    const base = p * slots;
    const n = this.plain[p]!;
    if (n === 0)
      throw new RingannError("E_INVARIANT", `label edges: node ${p} has no plain edge left to give up (R ${this.R})`);
    let victim = n - 1;
    for (let k = n - 1; k >= 0; k--) {
      if (!this.lists.sharesLabel(p, nbrs[base + k]!)) {
        victim = k;
        break;
      }
    }
    // Keep the plain list's order: shift everything after the victim left by one.
    for (let k = victim; k < degree[p]! - 1; k++) nbrs[base + k] = nbrs[base + k + 1]!;
    degree[p]!--;
    this.plain[p]!--;
    this.displaced++;
  }
}
