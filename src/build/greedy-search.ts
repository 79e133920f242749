// Build-time greedy search over the shared graph with exact distances: a sorted candidate list of
// size L (parallel typed arrays), visited marks as generation stamps, and the pool of expanded
// nodes with their distances — the candidate set RobustPrune starts from. Allocates nothing per
// query; one instance per thread.
// Bench: bench/build/build.bench.ts
import type { PrunePool } from "./prune.ts";
import type { RowDistances } from "./row-distances.ts";
import type { SharedGraph } from "./shared-graph.ts";

export class GreedySearch {
  readonly L: number;
  /** Expanded nodes (not sorted); capped at maxPool. */
  readonly pool: PrunePool;
  private readonly maxPool: number;
  private readonly listIds: Uint32Array;
  private readonly listDists: Float32Array;
  private readonly listExpanded: Uint8Array;
  private listSize = 0;
  private readonly visited: Uint32Array;
  private stamp = 0;
  private readonly graph: SharedGraph;
  private readonly rd: RowDistances;

  /** `rowCount`: rows the searched-for ids may come from (≥ graph.npts; queries may follow the base). */
  constructor(
    graph: SharedGraph,
    rd: RowDistances,
    L: number,
    maxPool: number,
    poolCapacity: number,
    rowCount = graph.npts,
  ) {
    this.graph = graph;
    this.rd = rd;
    this.L = L;
    this.maxPool = maxPool;
    this.listIds = new Uint32Array(L + 1);
    this.listDists = new Float32Array(L + 1);
    this.listExpanded = new Uint8Array(L + 1);
    this.visited = new Uint32Array(Math.max(rowCount, graph.npts));
    this.pool = { ids: new Uint32Array(poolCapacity), dists: new Float32Array(poolCapacity), size: 0 };
  }

  /** A fresh visited generation; the array is cleared only when the stamp wraps. */
  private nextStamp(): number {
    this.stamp++;
    if (this.stamp === 0xffffffff) {
      this.visited.fill(0);
      this.stamp = 1;
    }
    return this.stamp;
  }

  /**
   * Searches for stored row `q` from `start`; leaves the expanded nodes (excluding q) in `pool`.
   * Returns the number of distance computations.
   */
  search(q: number, start: number): number {
    const { listIds, listDists, listExpanded, visited, graph, rd, L, pool, maxPool } = this;
    const stamp = this.nextStamp();
    const nbrs = graph.nbrs;
    const degree = graph.degree;
    const slots = graph.slots;
    const batchIds = rd.ids;
    const batchOut = rd.out;

    visited[start] = stamp;
    rd.ids[0] = start;
    rd.rows(q, 1);
    listIds[0] = start;
    listDists[0] = batchOut[0]!;
    listExpanded[0] = 0;
    this.listSize = 1;
    pool.size = 0;
    let comparisons = 1;
    let cursor = 0;

    while (cursor < this.listSize) {
      const node = listIds[cursor]!;
      listExpanded[cursor] = 1;
      if (node !== q && pool.size < maxPool) {
        pool.ids[pool.size] = node;
        pool.dists[pool.size++] = listDists[cursor]!;
      }
      let deg = degree[node]!;
      if (deg > slots) deg = slots;
      const base = node * slots;
      let n = 0;
      for (let e = 0; e < deg; e++) {
        const nb = nbrs[base + e]!;
        if (visited[nb] === stamp) continue;
        visited[nb] = stamp;
        batchIds[n++] = nb;
      }
      let nextCursor = cursor + 1;
      if (n > 0) {
        rd.rows(q, n);
        comparisons += n;
        for (let b = 0; b < n; b++) {
          const d = batchOut[b]!;
          let size = this.listSize;
          if (size === L && d >= listDists[L - 1]!) continue;
          // Insert keeping ascending order; the tail element drops off when full.
          let pos = size < L ? size : L - 1;
          while (pos > 0 && listDists[pos - 1]! > d) {
            listIds[pos] = listIds[pos - 1]!;
            listDists[pos] = listDists[pos - 1]!;
            listExpanded[pos] = listExpanded[pos - 1]!;
            pos--;
          }
          listIds[pos] = batchIds[b]!;
          listDists[pos] = d;
          listExpanded[pos] = 0;
          if (size < L) this.listSize = ++size;
          if (pos < nextCursor) nextCursor = pos;
        }
      }
      cursor = nextCursor;
      while (cursor < this.listSize && listExpanded[cursor] === 1) cursor++;
    }
    return comparisons;
  }

  /** The current best list (valid after search): ids and distances, ascending. */
  results(): { ids: Uint32Array; dists: Float32Array; size: number } {
    return { ids: this.listIds, dists: this.listDists, size: this.listSize };
  }
}
