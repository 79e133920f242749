// Robust pruning (Vamana's RobustPrune, with DiskANN's graded alpha): walk the candidate pool in
// ascending distance to the point p; keep a candidate c unless an already kept neighbour k
// "occludes" it, i.e. alpha * d(k, c) ≤ d(p, c). The occlusion factor max_k d(p,c)/d(k,c) is kept
// per candidate, so the pool is scanned first at alpha = 1 and then again at each larger alpha
// (×1.2 up to the target) without recomputing a distance. d(p, c) comes precomputed with the pool;
// d(k, c) is computed in one batch per kept neighbour, only for candidates not yet occluded at
// the target alpha. Inner product uses DiskANN's rule for negative-dot distances.
// Bench: bench/build/build.bench.ts
import type { RowDistances } from "./row-distances.ts";

export interface PrunePool {
  /** Candidate ids and their distances to p, sorted ascending; p itself is never in the pool. */
  readonly ids: Uint32Array;
  readonly dists: Float32Array;
  size: number;
}

/** Factor of a candidate occluded for good (still eligible for saturation); kept ones are +Inf. */
const OCCLUDED = 3e38;

export class RobustPruner {
  private readonly factor: Float32Array;
  private readonly batchIndex: Uint32Array;
  private readonly rd: RowDistances;
  private readonly innerProduct: boolean;
  /** Distances computed between kept neighbours and candidates (for reports). */
  comparisons = 0;

  constructor(rd: RowDistances, poolCapacity: number, innerProduct: boolean) {
    this.rd = rd;
    this.factor = new Float32Array(poolCapacity);
    this.batchIndex = new Uint32Array(poolCapacity);
    this.innerProduct = innerProduct;
  }

  /**
   * Chooses at most R neighbours from `pool` into out[outOffset ..]; returns how many. With
   * `saturate`, slots left free after pruning are filled with the nearest rejected candidates.
   */
  prune(pool: PrunePool, alpha: number, R: number, saturate: boolean, out: Uint32Array, outOffset: number): number {
    const { factor, batchIndex, rd } = this;
    const size = pool.size;
    const ids = pool.ids;
    const dists = pool.dists;
    factor.fill(0, 0, size);
    let count = 0;
    const TAKEN = Number.POSITIVE_INFINITY;
    for (let curAlpha = 1; curAlpha <= alpha * 1.0001 && count < R; curAlpha *= 1.2) {
      for (let i = 0; i < size && count < R; i++) {
        if (factor[i]! > curAlpha) continue; // occluded at this level (or already taken)
        factor[i] = TAKEN;
        const kept = ids[i]!;
        out[outOffset + count++] = kept;
        // Distances from the kept node to every candidate after it that is still open at alpha.
        let n = 0;
        for (let j = i + 1; j < size; j++) {
          if (factor[j]! > alpha) continue;
          rd.ids[n] = ids[j]!;
          batchIndex[n++] = j;
        }
        if (n === 0) continue;
        rd.rows(kept, n);
        this.comparisons += n;
        const djk = rd.out;
        if (!this.innerProduct) {
          for (let b = 0; b < n; b++) {
            const j = batchIndex[b]!;
            const ratio = dists[j]! / djk[b]!; // d(p,c)/d(k,c); a duplicate (d = 0) is occluded
            if (ratio > factor[j]!) factor[j] = ratio;
          }
        } else {
          // Distances are negative dots: occlude c when k is "more similar" to c than p is, by alpha.
          for (let b = 0; b < n; b++) {
            const j = batchIndex[b]!;
            const x = -dists[j]!;
            const y = -djk[b]!;
            if (y > curAlpha * x) factor[j] = OCCLUDED;
          }
        }
      }
    }
    if (saturate && count < R) {
      for (let i = 0; i < size && count < R; i++) {
        if (factor[i] === TAKEN) continue;
        factor[i] = TAKEN;
        out[outOffset + count++] = ids[i]!;
      }
    }
    return count;
  }
}
