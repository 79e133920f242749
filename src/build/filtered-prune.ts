// Filtered-DiskANN's robust prune: RobustPrune (prune.ts) where a kept neighbour k occludes a
// candidate c of point p only if k carries every label p and c share — labels(p) ∩ labels(c) ⊆
// labels(k). Points without shared labels prune exactly as in RobustPrune. Labels per point are
// sorted lists (CSR), so the test is a merge of a few short lists.
// Bench: bench/filtered.ts
import type { PointLabels } from "../format/label-files.ts";
import type { PrunePool } from "./prune.ts";
import type { RowDistances } from "./row-distances.ts";

/** Per-point sorted label lists and per-label posting lists. */
export class LabelLists {
  readonly offsets: Uint32Array;
  readonly ids: Uint32Array;
  readonly postings: Uint32Array[];

  constructor(labels: PointLabels) {
    this.offsets = labels.offsets;
    this.ids = labels.ids.slice();
    const buckets: number[][] = Array.from({ length: labels.names.length }, () => []);
    for (let p = 0; p < labels.npts; p++) {
      const row = this.ids.subarray(labels.offsets[p]!, labels.offsets[p + 1]!);
      row.sort();
      for (const l of row) buckets[l]!.push(p);
    }
    this.postings = buckets.map((b) => Uint32Array.from(b));
  }

  /** True when point p carries label l. */
  has(p: number, l: number): boolean {
    for (let i = this.offsets[p]!; i < this.offsets[p + 1]!; i++) if (this.ids[i] === l) return true;
    return false;
  }

  /** True when p and c have a label in common. */
  sharesLabel(p: number, c: number): boolean {
    const { offsets, ids } = this;
    let i = offsets[p]!;
    const iEnd = offsets[p + 1]!;
    let j = offsets[c]!;
    const jEnd = offsets[c + 1]!;
    while (i < iEnd && j < jEnd) {
      const a = ids[i]!;
      const b = ids[j]!;
      if (a === b) return true;
      if (a < b) i++;
      else j++;
    }
    return false;
  }

  /** True when every label shared by p and c is also a label of k. */
  covers(k: number, p: number, c: number): boolean {
    const { offsets, ids } = this;
    let i = offsets[p]!;
    const iEnd = offsets[p + 1]!;
    let j = offsets[c]!;
    const jEnd = offsets[c + 1]!;
    let h = offsets[k]!;
    const hEnd = offsets[k + 1]!;
    while (i < iEnd && j < jEnd) {
      const a = ids[i]!;
      const b = ids[j]!;
      if (a < b) i++;
      else if (b < a) j++;
      else {
        while (h < hEnd && ids[h]! < a) h++;
        if (h === hEnd || ids[h] !== a) return false;
        i++;
        j++;
      }
    }
    return true;
  }
}

export class FilteredPruner {
  private readonly factor: Float32Array;
  private readonly batchIndex: Uint32Array;
  private readonly rd: RowDistances;
  private readonly innerProduct: boolean;
  private readonly lists: LabelLists;

  constructor(rd: RowDistances, poolCapacity: number, innerProduct: boolean, lists: LabelLists) {
    this.rd = rd;
    this.factor = new Float32Array(poolCapacity);
    this.batchIndex = new Uint32Array(poolCapacity);
    this.innerProduct = innerProduct;
    this.lists = lists;
  }

  /** At most R neighbours of p from `pool` (ascending by distance to p) into out; returns how many. */
  prune(p: number, pool: PrunePool, alpha: number, R: number, out: Uint32Array): number {
    const { factor, batchIndex, rd, lists } = this;
    const size = pool.size;
    const ids = pool.ids;
    const dists = pool.dists;
    factor.fill(0, 0, size);
    const TAKEN = Number.POSITIVE_INFINITY;
    let count = 0;
    for (let curAlpha = 1; curAlpha <= alpha * 1.0001 && count < R; curAlpha *= 1.2) {
      for (let i = 0; i < size && count < R; i++) {
        if (factor[i]! > curAlpha) continue;
        factor[i] = TAKEN;
        const kept = ids[i]!;
        out[count++] = kept;
        let n = 0;
        for (let j = i + 1; j < size; j++) {
          if (factor[j]! > alpha) continue;
          if (!lists.covers(kept, p, ids[j]!)) continue; // kept lacks a label p and j share
          rd.ids[n] = ids[j]!;
          batchIndex[n++] = j;
        }
        if (n === 0) continue;
        rd.rows(kept, n);
        const djk = rd.out;
        for (let b = 0; b < n; b++) {
          const j = batchIndex[b]!;
          if (!this.innerProduct) {
            const ratio = dists[j]! / djk[b]!;
            if (ratio > factor[j]!) factor[j] = ratio;
          } else if (-djk[b]! > curAlpha * -dists[j]!) {
            factor[j] = 3e38;
          }
        }
      }
    }
    return count;
  }
}
