// Label-aware graph (issue 12): after the Vamana passes, every label whose points are a small share
// of the index gets edges among its own points, so that a search restricted to a label's points (the
// `label` strategy, Filtered-DiskANN's rule) can still navigate among them. For each such label and
// each of its points p, m neighbours carrying the label are chosen by RobustPrune among the label's
// points — all of them when the label is small (≤ exactMaxPoints), else those among the nodes a
// greedy search for p expands — and become candidate edges both ways. Every touched node is then pruned back to R with Filtered-DiskANN's rule: a kept
// neighbour k removes candidate c only if k carries every label that p and c share (so an edge that
// is p's only link to a label survives a geometric neighbour that lacks the label).
// A second-stage variant of Filtered-Vamana (the paper's StitchedVamana adds per-label graphs the same
// way); the per-label start points are written with the label files (attach-labels.ts).
// Bench: bench/filtered.ts (label strategy), build cost printed by `ringann build --labels --label-aware`
import type { PointLabels } from "../format/label-files.ts";
import type { Metric, Vectors, VectorType } from "../format/vector-type.ts";
import type { NativeKernels } from "../math/native-kernels.ts";
import { GreedySearch } from "./greedy-search.ts";
import { FilteredPruner, LabelLists } from "./filtered-prune.ts";
import { type PrunePool, RobustPruner } from "./prune.ts";
import { createRowDistances } from "./row-distances.ts";
import type { SharedGraph } from "./shared-graph.ts";
import { sortByDistance } from "./sort-pairs.ts";

export interface StitchOptions {
  vectors: Vectors;
  dim: number;
  type: VectorType;
  metric: Metric;
  R: number;
  L: number;
  alpha: number;
  kernels: NativeKernels | null;
  /** Labels holding at most this share of the points are stitched (default 0.2). */
  maxSelectivity?: number;
  /** Same-label neighbours sought per point (default 8). */
  perPoint?: number;
  /** Exact same-label neighbours up to this label size (default 4,000). */
  exactMaxPoints?: number;
  /**
   * After pruning, a node keeps at least this many neighbours of each of its stitched labels when its
   * candidates had them (default 3): R bounds the list, and nearer geometric neighbours would
   * otherwise fill it before a label's edges are reached.
   */
  minPerLabel?: number;
}

export interface StitchResult {
  labels: number;
  edgesProposed: number;
  nodesPruned: number;
  seconds: number;
}

export function stitchLabels(graph: SharedGraph, labels: PointLabels, opts: StitchOptions): StitchResult {
  const t0 = performance.now();
  const npts = graph.npts;
  const lists = new LabelLists(labels);
  const m = opts.perPoint ?? 8;
  const maxCount = Math.floor((opts.maxSelectivity ?? 0.2) * npts);
  const exactMax = opts.exactMaxPoints ?? 4000;
  const poolCapacity = Math.max(exactMax, 750) + graph.slots + 2 * m + 1;
  const rd = createRowDistances(opts.vectors, opts.dim, opts.type, opts.metric, poolCapacity, opts.kernels);
  const searcher = new GreedySearch(graph, rd, opts.L, 750, poolCapacity);
  // Proposed edges, per source node (grown lists; the pass runs once per build).
  const proposed: number[][] = Array.from({ length: npts }, () => []);
  const isMember = new Uint8Array(npts);
  const bestIds = new Uint32Array(m);
  const cand: PrunePool = { ids: new Uint32Array(poolCapacity), dists: new Float32Array(poolCapacity), size: 0 };
  const plainPruner = new RobustPruner(rd, poolCapacity, opts.metric === "ip");
  let stitched = 0;
  let edges = 0;
  const stitchedLabel = new Uint8Array(lists.postings.length);
  for (let label = 0; label < lists.postings.length; label++) {
    const members = lists.postings[label]!;
    if (members.length < 2 || members.length > maxCount) continue;
    stitched++;
    stitchedLabel[label] = 1;
    for (const p of members) isMember[p] = 1;
    for (const p of members) {
      // Candidates: every other member (small labels) or the members among the nodes a greedy search
      // for p expands; RobustPrune picks m of them in diverse directions (a plain k-NN among a
      // label's points falls apart into clusters).
      let size = 0;
      if (members.length <= exactMax) {
        for (let s = 0; s < members.length; s += rd.ids.length) {
          const c = Math.min(rd.ids.length, members.length - s);
          rd.ids.set(members.subarray(s, s + c));
          rd.rows(p, c);
          for (let i = 0; i < c; i++) {
            if (members[s + i] === p) continue;
            cand.ids[size] = members[s + i]!;
            cand.dists[size++] = rd.out[i]!;
          }
        }
      } else {
        searcher.search(p, p);
        const pool = searcher.pool;
        for (let i = 0; i < pool.size; i++) {
          if (!isMember[pool.ids[i]!]) continue;
          cand.ids[size] = pool.ids[i]!;
          cand.dists[size++] = pool.dists[i]!;
        }
      }
      cand.size = size;
      sortByDistance(cand.dists, cand.ids, 0, size);
      const n = plainPruner.prune(cand, opts.alpha, m, false, bestIds, 0);
      for (let i = 0; i < n; i++) {
        proposed[p]!.push(bestIds[i]!);
        proposed[bestIds[i]!]!.push(p);
        edges += 2;
      }
    }
    for (const p of members) isMember[p] = 0;
  }
  // Merge the proposals into each touched node's list and prune back to R with the label rule.
  const pruner = new FilteredPruner(rd, poolCapacity, opts.metric === "ip", lists);
  const pool: PrunePool = { ids: new Uint32Array(poolCapacity), dists: new Float32Array(poolCapacity), size: 0 };
  const out = new Uint32Array(opts.R);
  const seen = new Uint32Array(npts);
  const minPerLabel = Math.min(opts.minPerLabel ?? 3, m);
  let pruned = 0;
  for (let p = 0; p < npts; p++) {
    const extra = proposed[p]!;
    if (extra.length === 0) continue;
    const base = p * graph.slots;
    const deg = Math.min(graph.degree[p]!, graph.slots);
    let n = 0;
    const stamp = p + 1;
    seen[p] = stamp;
    for (let e = 0; e < deg; e++) {
      const id = graph.nbrs[base + e]!;
      if (seen[id] !== stamp) {
        seen[id] = stamp;
        rd.ids[n++] = id;
      }
    }
    for (const id of extra) {
      if (seen[id] !== stamp && n < rd.ids.length) {
        seen[id] = stamp;
        rd.ids[n++] = id;
      }
    }
    rd.rows(p, n);
    for (let i = 0; i < n; i++) {
      pool.ids[i] = rd.ids[i]!;
      pool.dists[i] = rd.out[i]!;
    }
    pool.size = n;
    sortByDistance(pool.dists, pool.ids, 0, n);
    let count = pruner.prune(p, pool, opts.alpha, opts.R, out);
    count = keepLabelEdges(p, pool, out, count, opts.R, minPerLabel, lists, stitchedLabel);
    for (let k = 0; k < count; k++) graph.nbrs[base + k] = out[k]!;
    graph.degree[p] = count;
    pruned++;
  }
  return { labels: stitched, edgesProposed: edges, nodesPruned: pruned, seconds: (performance.now() - t0) / 1000 };
}

/**
 * Makes sure p keeps ≥ min neighbours of each stitched label it carries: missing ones come from the
 * pool (nearest first) and replace the farthest kept neighbours that carry none of p's stitched labels.
 */
function keepLabelEdges(
  p: number,
  pool: PrunePool,
  out: Uint32Array,
  count: number,
  R: number,
  min: number,
  lists: LabelLists,
  stitched: Uint8Array,
): number {
  const { offsets, ids } = lists;
  for (let li = offsets[p]!; li < offsets[p + 1]!; li++) {
    const label = ids[li]!;
    if (!stitched[label]) continue;
    let have = 0;
    for (let k = 0; k < count; k++) if (lists.has(out[k]!, label)) have++;
    for (let i = 0; i < pool.size && have < min; i++) {
      const c = pool.ids[i]!;
      if (!lists.has(c, label)) continue;
      let already = false;
      for (let k = 0; k < count && !already; k++) already = out[k] === c;
      if (already) continue;
      if (count < R) {
        out[count++] = c;
        have++;
        continue;
      }
      // Replace the farthest kept neighbour that carries none of p's stitched labels.
      let victim = -1;
      for (let k = count - 1; k >= 0 && victim < 0; k--) {
        let carries = false;
        for (let lj = offsets[p]!; lj < offsets[p + 1]! && !carries; lj++)
          carries = stitched[ids[lj]!] === 1 && lists.has(out[k]!, ids[lj]!);
        if (!carries) victim = k;
      }
      if (victim < 0) break;
      out[victim] = c;
      have++;
    }
  }
  return count;
}
