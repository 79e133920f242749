// Vamana insertion on the shared graph (one instance per thread, all scratch allocated here):
//   insert(p): greedy search for p from the medoid → pool of expanded nodes (+ p's current
//   neighbours) → RobustPrune to R → write p's list → add p to each new neighbour's list, pruning
//   that neighbour back to R when its slack slots are full.
//   cleanup(p): prune a node left above R by reverse edges.
// DiskANN runs this over every point twice (alpha = 1, then the target alpha).
// Bench: bench/build/build.bench.ts
import type { Metric, Vectors, VectorType } from "../format/vector-type.ts";
import type { NativeKernels } from "../math/native-kernels.ts";
import { GreedySearch } from "./greedy-search.ts";
import { RobustPruner, type PrunePool } from "./prune.ts";
import { createRowDistances, type RowDistances } from "./row-distances.ts";
import type { SharedGraph } from "./shared-graph.ts";
import { sortByDistance } from "./sort-pairs.ts";

export interface VamanaParams {
  readonly R: number;
  readonly L: number;
  /** Largest pool handed to RobustPrune (DiskANN's maxc). */
  readonly maxPool: number;
  readonly saturate: boolean;
}

export const DEFAULT_MAX_POOL = 750;

export class VamanaInserter {
  private readonly graph: SharedGraph;
  private readonly params: VamanaParams;
  private readonly rd: RowDistances;
  private readonly searcher: GreedySearch;
  private readonly pruner: RobustPruner;
  /** Pool for pruning a neighbour whose list overflowed (its own ids + the new node). */
  private readonly linkPool: PrunePool;
  private readonly newList: Uint32Array;
  private readonly linkList: Uint32Array;
  /** Generation stamps marking pool members while p's old neighbours are merged in. */
  private readonly pooled: Uint32Array;
  private poolStamp = 0;
  /** Distance computations outside pruning (search, merges, links). */
  private otherComparisons = 0;

  constructor(
    graph: SharedGraph,
    vectors: Vectors,
    dim: number,
    type: VectorType,
    metric: Metric,
    params: VamanaParams,
    kernels: NativeKernels | null,
  ) {
    this.graph = graph;
    this.params = params;
    const poolCapacity = params.maxPool + graph.slots + 1;
    this.rd = createRowDistances(vectors, dim, type, metric, poolCapacity, kernels);
    this.searcher = new GreedySearch(graph, this.rd, params.L, params.maxPool, poolCapacity);
    this.pruner = new RobustPruner(this.rd, poolCapacity, metric === "ip");
    this.linkPool = { ids: new Uint32Array(graph.slots + 1), dists: new Float32Array(graph.slots + 1), size: 0 };
    this.newList = new Uint32Array(params.R);
    this.linkList = new Uint32Array(params.R);
    this.pooled = new Uint32Array(graph.npts);
  }

  /** All distance computations so far: search, merges and links, plus pruning. */
  get comparisons(): number {
    return this.otherComparisons + this.pruner.comparisons;
  }

  get pruneComparisons(): number {
    return this.pruner.comparisons;
  }

  private nextPoolStamp(): number {
    if (++this.poolStamp === 0xffffffff) {
      this.pooled.fill(0);
      this.poolStamp = 1;
    }
    return this.poolStamp;
  }

  insert(p: number, start: number, alpha: number): void {
    const { graph, params, rd, searcher, pruner, newList } = this;
    this.otherComparisons += searcher.search(p, start);
    const pool = searcher.pool;
    // p's current neighbours (second pass) join the pool unless the search already expanded them.
    const slots = graph.slots;
    const nbrs = graph.nbrs;
    let deg = graph.degree[p]!;
    if (deg > slots) deg = slots;
    if (deg > 0) {
      const stamp = this.nextPoolStamp();
      const pooled = this.pooled;
      for (let i = 0; i < pool.size; i++) pooled[pool.ids[i]!] = stamp;
      let n = 0;
      for (let e = 0; e < deg; e++) {
        const nb = nbrs[p * slots + e]!;
        if (nb === p || pooled[nb] === stamp) continue;
        pooled[nb] = stamp;
        rd.ids[n++] = nb;
      }
      if (n > 0) {
        rd.rows(p, n);
        this.otherComparisons += n;
        for (let b = 0; b < n && pool.size < pool.ids.length; b++) {
          pool.ids[pool.size] = rd.ids[b]!;
          pool.dists[pool.size++] = rd.out[b]!;
        }
      }
    }
    sortByDistance(pool.dists, pool.ids, 0, pool.size);
    const count = pruner.prune(pool, alpha, params.R, params.saturate, newList, 0);

    graph.lock(p);
    for (let k = 0; k < count; k++) nbrs[p * slots + k] = newList[k]!;
    graph.degree[p] = count;
    graph.unlock(p);

    for (let k = 0; k < count; k++) this.link(newList[k]!, p, alpha);
  }

  /** Adds edge q → p; when q's slots are full, prunes q's list plus p back to R. */
  private link(q: number, p: number, alpha: number): void {
    const { graph, rd, linkList } = this;
    const slots = graph.slots;
    const nbrs = graph.nbrs;
    const base = q * slots;
    graph.lock(q);
    const deg = graph.degree[q]!;
    for (let e = 0; e < deg; e++) {
      if (nbrs[base + e] === p) {
        graph.unlock(q);
        return;
      }
    }
    if (deg < slots) {
      nbrs[base + deg] = p;
      graph.degree[q] = deg + 1;
      graph.unlock(q);
      return;
    }
    for (let e = 0; e < deg; e++) rd.ids[e] = nbrs[base + e]!;
    graph.unlock(q);
    rd.ids[deg] = p;
    const n = this.pruneRowsInto(q, deg + 1, alpha, linkList);
    graph.lock(q);
    for (let k = 0; k < n; k++) nbrs[base + k] = linkList[k]!;
    graph.degree[q] = n;
    graph.unlock(q);
  }

  /** Prunes node q's list back to R if reverse edges pushed it above R. */
  cleanup(q: number, alpha: number): void {
    const { graph, rd, linkList, params } = this;
    const slots = graph.slots;
    const base = q * slots;
    graph.lock(q);
    const deg = graph.degree[q]!;
    if (deg <= params.R) {
      graph.unlock(q);
      return;
    }
    for (let e = 0; e < deg; e++) rd.ids[e] = graph.nbrs[base + e]!;
    graph.unlock(q);
    const n = this.pruneRowsInto(q, deg, alpha, linkList);
    graph.lock(q);
    for (let k = 0; k < n; k++) graph.nbrs[base + k] = linkList[k]!;
    graph.degree[q] = n;
    graph.unlock(q);
  }

  /** Distances q → rd.ids[0..n), sort, prune to R into `out`. */
  private pruneRowsInto(q: number, n: number, alpha: number, out: Uint32Array): number {
    const { rd, linkPool, pruner, params } = this;
    rd.rows(q, n);
    this.otherComparisons += n;
    let size = 0;
    for (let i = 0; i < n; i++) {
      const id = rd.ids[i]!;
      if (id === q) continue;
      linkPool.ids[size] = id;
      linkPool.dists[size++] = rd.out[i]!;
    }
    linkPool.size = size;
    sortByDistance(linkPool.dists, linkPool.ids, 0, size);
    return pruner.prune(linkPool, alpha, params.R, params.saturate, out, 0);
  }
}
