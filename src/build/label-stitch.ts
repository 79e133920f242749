// Label-aware graph (issue 12): after the Vamana passes, the points of every label that is a small
// share of the index get edges among themselves, so that a search restricted to a label's points
// (the `label` strategy, Filtered-DiskANN's rule) can navigate among them, and every label's points
// are reachable from the label's start point through its own points.
//   1. Proposals (label-proposals.ts): m same-label neighbours per point of each stitched label,
//      by RobustPrune among the label's points; an edge is proposed both ways. Labels are split
//      over the build's threads (label-proposal-jobs.ts).
//   2. Placement (label-edges.ts): each node keeps its plain RobustPruned list as it is and takes
//      proposals only in its free slots, after a marker (its own id) that unfiltered search stops
//      at — so unfiltered queries walk exactly the plain graph. The nearest proposals of each of
//      its stitched labels come first (up to minPerLabel, counting plain neighbours with the label),
//      then the nearest of the rest.
//   3. Repair (label-repair.ts): for every label, the points a walk from its start point over the
//      label's own points does not reach get an edge from the nearest reached point.
// Re-pruning the plain lists with Filtered-DiskANN's rule instead (the first version) cost 0.003–0.010
// unfiltered recall at L ≤ 20 (docs/benchmarks.md, issue 12).
// Bench: bench/label-aware.ts (unfiltered, plain vs aware), bench/filtered.ts (label strategy)
import type { PointLabels } from "../format/label-files.ts";
import type { Metric, Vectors, VectorType } from "../format/vector-type.ts";
import type { NativeKernels } from "../math/native-kernels.ts";
import { LabelLists } from "./filtered-prune.ts";
import { LabelEdgeLists } from "./label-edges.ts";
import { makeProposalJobs, proposeAll } from "./label-proposal-jobs.ts";
import { NO_PROPOSAL } from "./label-proposals.ts";
import { repairLabelConnectivity } from "./label-repair.ts";
import { createRowDistances, type RowDistances } from "./row-distances.ts";
import type { SharedGraph } from "./shared-graph.ts";
import { sortByDistance } from "./sort-pairs.ts";

export interface StitchOptions {
  vectors: Vectors;
  dim: number;
  type: VectorType;
  metric: Metric;
  R: number;
  alpha: number;
  kernels: NativeKernels | null;
  /** Start point of every label (NO_START for none): the repair walks from it. */
  starts: Uint32Array;
  /** Threads for the proposals (Workers when > 1). */
  threads: number;
  signal?: AbortSignal;
  /** Labels holding at most this share of the points get proposals (default 0.2). */
  maxSelectivity?: number;
  /** Same-label neighbours proposed per point (default 8). */
  perPoint?: number;
  /** Exact same-label candidates up to this label size, a sample of this many above (default 1,000). */
  exactMaxPoints?: number;
  /** Proposals are pruned from at most this many nearest candidates (default 200). */
  maxCandidates?: number;
  /** Placement serves each stitched label of a node up to this many neighbours first (default 3). */
  minPerLabel?: number;
}

export interface StitchResult {
  /** Labels that got proposals. */
  labels: number;
  edgesProposed: number;
  /** Label edges placed in free slots. */
  edgesPlaced: number;
  /** Labels the repair had to connect, and the edges it added. */
  labelsRepaired: number;
  repairEdges: number;
  /** Plain edges given up to repair edges (nodes without a free slot). */
  plainDisplaced: number;
  /** Seconds of the proposals, and of the whole stitching. */
  proposeSeconds: number;
  seconds: number;
}

/** Most labels a node carries that placement tracks per node. */
const MAX_TRACKED = 64;

export async function stitchLabels(
  graph: SharedGraph,
  labels: PointLabels,
  opts: StitchOptions,
): Promise<StitchResult> {
  const t0 = performance.now();
  const npts = graph.npts;
  const lists = new LabelLists(labels);
  const m = opts.perPoint ?? 8;
  const maxCount = Math.floor((opts.maxSelectivity ?? 0.2) * npts);
  const exactMax = opts.exactMaxPoints ?? 1000;

  // 1. Proposals, m slots per (stitched label, point), split over the threads by label.
  const stitched: number[] = [];
  for (let label = 0; label < lists.postings.length; label++) {
    const n = lists.postings[label]!.length;
    if (n >= 2 && n <= maxCount) stitched.push(label);
  }
  const jobs = makeProposalJobs(
    stitched.map((l) => lists.postings[l]!),
    m,
  );
  await proposeAll(jobs, {
    graph,
    vectors: opts.vectors,
    dim: opts.dim,
    type: opts.type,
    metric: opts.metric,
    kernels: opts.kernels,
    settings: {
      alpha: opts.alpha,
      perPoint: m,
      exactMaxPoints: exactMax,
      maxCandidates: opts.maxCandidates ?? 200,
    },
    threads: opts.threads,
    signal: opts.signal,
  });
  const proposeSeconds = (performance.now() - t0) / 1000;

  // Candidates per node (both directions of every proposal), as CSR.
  const start = new Uint32Array(npts + 1);
  let proposed = 0;
  const { members, out: flat } = jobs;
  const eachProposal = (visit: (p: number, c: number) => void): void => {
    for (let j = 0; j < members.length; j++)
      for (let s = 0; s < m; s++) {
        const c = flat[j * m + s]!;
        if (c === NO_PROPOSAL) break;
        visit(members[j]!, c);
      }
  };
  eachProposal((p, c) => {
    start[p + 1]!++;
    start[c + 1]!++;
    proposed += 2;
  });
  for (let p = 0; p < npts; p++) start[p + 1]! += start[p]!;
  const cand = new Uint32Array(proposed);
  const fill = start.slice(0, npts);
  eachProposal((p, c) => {
    cand[fill[p]!++] = c;
    cand[fill[c]!++] = p;
  });

  // 2. Placement in free slots.
  const edges = new LabelEdgeLists(graph, opts.R, lists);
  const isStitched = new Uint8Array(lists.postings.length);
  for (const l of stitched) isStitched[l] = 1;
  const capacity = Math.max(4096, graph.slots);
  const rd = createRowDistances(opts.vectors, opts.dim, opts.type, opts.metric, capacity, opts.kernels);
  const placer = new Placer(edges, lists, isStitched, rd, capacity, Math.min(opts.minPerLabel ?? 3, m));
  let placed = 0;
  for (let p = 0; p < npts; p++)
    if (start[p + 1]! > start[p]!) placed += placer.place(p, cand, start[p]!, start[p + 1]!);

  // 3. Every label connected from its start point.
  const repair = repairLabelConnectivity(edges, lists, opts.starts, rd);
  return {
    labels: stitched.length,
    edgesProposed: proposed,
    edgesPlaced: placed,
    labelsRepaired: repair.labelsRepaired,
    repairEdges: repair.edgesAdded,
    plainDisplaced: edges.displaced,
    proposeSeconds,
    seconds: (performance.now() - t0) / 1000,
  };
}

/** Puts a node's proposals into its free slots (scratch reused across nodes). */
class Placer {
  private readonly ids: Uint32Array;
  private readonly dists: Float32Array;
  private readonly taken: Uint8Array;
  private readonly seen: Uint32Array;
  private readonly have = new Uint32Array(MAX_TRACKED);

  constructor(
    private readonly edges: LabelEdgeLists,
    private readonly lists: LabelLists,
    private readonly isStitched: Uint8Array,
    private readonly rd: RowDistances,
    capacity: number,
    private readonly minPerLabel: number,
  ) {
    this.ids = new Uint32Array(capacity);
    this.dists = new Float32Array(capacity);
    this.taken = new Uint8Array(capacity);
    this.seen = new Uint32Array(edges.graph.npts);
  }

  /** Places proposals cand[from..to) of node p; returns how many edges it added. */
  place(p: number, cand: Uint32Array, from: number, to: number): number {
    const { edges, lists, rd, ids, dists, taken, seen, have } = this;
    let room = edges.room(p);
    if (room <= 0) return 0;
    const { nbrs, slots, degree } = edges.graph;
    const stamp = p + 1;
    seen[p] = stamp;
    const base = p * slots;
    for (let k = 0; k < degree[p]!; k++) seen[nbrs[base + k]!] = stamp;
    let n = 0;
    for (let i = from; i < to && n < ids.length; i++) {
      const c = cand[i]!;
      if (seen[c] === stamp) continue;
      seen[c] = stamp;
      rd.ids[n++] = c;
    }
    if (n === 0) return 0;
    rd.rows(p, n);
    ids.set(rd.ids.subarray(0, n));
    dists.set(rd.out.subarray(0, n));
    sortByDistance(dists, ids, 0, n);
    taken.fill(0, 0, n);
    let added = 0;
    // Each stitched label of p first: up to minPerLabel neighbours carrying it (plain ones count).
    const lo = lists.offsets[p]!;
    const hi = Math.min(lists.offsets[p + 1]!, lo + MAX_TRACKED);
    for (let li = lo; li < hi; li++) {
      const label = lists.ids[li]!;
      have[li - lo] = 0;
      if (!this.isStitched[label]) continue;
      for (let k = 0; k < edges.plain[p]!; k++) if (lists.has(nbrs[base + k]!, label)) have[li - lo]!++;
    }
    for (let li = lo; li < hi && room > 0; li++) {
      if (!this.isStitched[lists.ids[li]!]) continue;
      for (let i = 0; i < n && room > 0 && have[li - lo]! < this.minPerLabel; i++) {
        if (taken[i] || !lists.has(ids[i]!, lists.ids[li]!)) continue;
        taken[i] = 1;
        edges.add(p, ids[i]!);
        room--;
        added++;
        have[li - lo]!++;
      }
    }
    for (let i = 0; i < n && room > 0; i++) {
      if (taken[i]) continue;
      edges.add(p, ids[i]!);
      room--;
      added++;
    }
    return added;
  }
}
