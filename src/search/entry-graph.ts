// PipeANN's entry points: a small in-memory Vamana graph over a ~1% sample of the base vectors
// (`<prefix>_mem.index` + `.data` + `.tags`). A greedy search on it with exact distances gives a
// query memL starting candidates close to it, instead of the medoid alone, which saves the first
// hops of every disk search. Files are parsed by format/mem-index.ts and format/bin.ts.
// Distances: with a native query-vs-rows kernel (math/query-distance.ts, chosen once by the caller)
// one FFI call per expanded node computes all its unvisited neighbours' distances; otherwise the
// TypeScript DistanceFn, one call per neighbour (~0.4 µs each at 784-d).
import { existsSync, readFileSync } from "node:fs";
import { FormatError } from "../errors.ts";
import { readBin } from "../format/bin.ts";
import { parseMemIndexGraph, parseMemIndexTags } from "../format/mem-index.ts";
import type { VectorType, Vectors } from "../format/vector-type.ts";
import type { DistanceFn } from "../math/distance.ts";
import type { QueryRowsFn } from "../math/query-distance.ts";
import { pinnedFloat32, pinnedUint32 } from "../math/pinned.ts";
import { CandidateQueue } from "./queue.ts";
import { type VisitedSet, createVisitedSet, visitedEstimate } from "./visited.ts";

export class EntryGraph {
  readonly npts: number;
  readonly dim: number;
  readonly entryPoint: number;
  /** Disk-index node id of each sample point. */
  readonly tags: Uint32Array;
  private readonly vectors: Vectors;
  private readonly offsets: Uint32Array;
  private readonly neighbors: Uint32Array;
  private readonly distance: DistanceFn;
  private readonly queryRows: QueryRowsFn | null;
  private maxDegreeMemo = -1;

  constructor(parts: {
    vectors: Vectors;
    dim: number;
    tags: Uint32Array;
    offsets: Uint32Array;
    neighbors: Uint32Array;
    entryPoint: number;
    distance: DistanceFn;
    queryRows?: QueryRowsFn | null;
  }) {
    this.vectors = parts.vectors;
    this.dim = parts.dim;
    this.tags = parts.tags;
    this.offsets = parts.offsets;
    this.neighbors = parts.neighbors;
    this.entryPoint = parts.entryPoint;
    this.npts = parts.tags.length;
    this.distance = parts.distance;
    this.queryRows = parts.queryRows ?? null;
  }

  /** "native" when distances come from a native query-vs-rows kernel, else "ts". */
  get kernel(): "native" | "ts" {
    return this.queryRows ? "native" : "ts";
  }

  /**
   * Loads `<prefix>_mem.index{,.data,.tags}`; null when the graph file is absent. Every part is
   * validated against the others and against the disk index (dim, npts).
   */
  static load(
    prefix: string,
    opts: { type: VectorType; dim: number; diskNpts: number; distance: DistanceFn; queryRows?: QueryRowsFn | null },
  ): EntryGraph | null {
    const graphFile = `${prefix}_mem.index`;
    if (!existsSync(graphFile)) return null;
    const data = readBin(`${graphFile}.data`, opts.type);
    if (data.dim !== opts.dim)
      throw new FormatError(`${graphFile}.data`, "dim", `${opts.dim} (the disk index's ndims)`, String(data.dim));
    const graph = parseMemIndexGraph(new Uint8Array(readFileSync(graphFile)), graphFile, data.npts);
    const tags = parseMemIndexTags(new Uint8Array(readFileSync(`${graphFile}.tags`)), `${graphFile}.tags`, {
      npts: data.npts,
      diskNpts: opts.diskNpts,
    });
    return new EntryGraph({
      vectors: data.data,
      dim: data.dim,
      tags,
      offsets: graph.offsets,
      neighbors: graph.neighbors,
      entryPoint: graph.entryPoint,
      distance: opts.distance,
      queryRows: opts.queryRows ?? null,
    });
  }

  /** Scratch for one query's entry search (reused across queries); see createVisitedSet. */
  newScratch(maxL: number, visitedArrayMaxNpts?: number): EntryScratch {
    const visited = createVisitedSet(this.npts, visitedEstimate(maxL, 1, this.maxDegree(), 1), visitedArrayMaxNpts);
    return new EntryScratch(maxL, visited, this.maxDegree());
  }

  /** The largest out-degree (sizes a query's hashed visited set). */
  private maxDegree(): number {
    if (this.maxDegreeMemo < 0) {
      let max = 0;
      for (let i = 0; i < this.npts; i++) max = Math.max(max, this.offsets[i + 1]! - this.offsets[i]!);
      this.maxDegreeMemo = max;
    }
    return this.maxDegreeMemo;
  }

  /**
   * Greedy search with list size L from the graph's entry point. Writes the disk ids and exact
   * distances of the best min(L, found) sample points, nearest first; returns how many.
   */
  search(query: Float32Array, L: number, scratch: EntryScratch, outIds: Uint32Array, outDists: Float32Array): number {
    const { queue, visited } = scratch;
    const L2 = Math.min(L, queue.capacity);
    queue.reset(L2);
    visited.clear();
    const dim = this.dim;
    const vectors = this.vectors;
    const dist = this.distance;
    visited.add(this.entryPoint);
    queue.insert(this.entryPoint, dist(query, 0, vectors, this.entryPoint * dim, dim));
    if (this.queryRows !== null) this.expandNative(query, scratch, this.queryRows);
    else
      for (;;) {
        const pos = queue.popBestUnvisited();
        if (pos < 0) break;
        const node = queue.ids[pos]!;
        const lo = this.offsets[node]!;
        const hi = this.offsets[node + 1]!;
        for (let e = lo; e < hi; e++) {
          const nb = this.neighbors[e]!;
          if (!visited.add(nb)) continue;
          queue.insert(nb, dist(query, 0, vectors, nb * dim, dim));
        }
      }
    const n = queue.size;
    for (let i = 0; i < n; i++) {
      outIds[i] = this.tags[queue.ids[i]!]!;
      outDists[i] = queue.dists[i]!;
    }
    return n;
  }

  /** The search loop with one native call per expanded node (same visiting and insert order). */
  private expandNative(query: Float32Array, scratch: EntryScratch, rows: QueryRowsFn): void {
    const { queue, visited, ids, dists } = scratch;
    const { dim, vectors, offsets, neighbors } = this;
    for (;;) {
      const pos = queue.popBestUnvisited();
      if (pos < 0) break;
      const node = queue.ids[pos]!;
      const hi = offsets[node + 1]!;
      let n = 0;
      for (let e = offsets[node]!; e < hi; e++) {
        const nb = neighbors[e]!;
        if (visited.add(nb)) ids[n++] = nb;
      }
      if (n === 0) continue;
      rows(query, vectors, dim, ids, n, dists);
      for (let i = 0; i < n; i++) queue.insert(ids[i]!, dists[i]!);
    }
  }
}

export class EntryScratch {
  readonly queue: CandidateQueue;
  readonly visited: VisitedSet;
  /** One expanded node's unvisited neighbours and their distances (native path; pinned for FFI). */
  readonly ids: Uint32Array;
  readonly dists: Float32Array;
  constructor(maxL: number, visited: VisitedSet, maxDegree = 0) {
    this.queue = new CandidateQueue(Math.max(1, maxL));
    this.visited = visited;
    this.ids = pinnedUint32(maxDegree);
    this.dists = pinnedFloat32(maxDegree);
  }
}
