// Exact ground truth under filters, and exact range truth.
// Filtered: for query q, the k nearest among the points matching its filter (brute force over the
// match set, one native query-vs-rows call per block); a query with fewer than k matches is padded
// with id 0xFFFFFFFF and distance +Infinity (search results pad the same way, so recall counts them
// right). Distances follow src/math/distance.ts (squared L2, −dot; cosine as squared L2 of unit vectors).
// Range: every point within `radius` (distance ≤ radius, same units), nearest first, from a top-K
// truth — exact as long as no query has K points inside (checked: such a query is reported).
import { UsageError } from "../errors.ts";
import type { RangeTruth } from "../format/range-truth.ts";
import type { Truth } from "../format/truth.ts";
import type { Metric, Vectors } from "../format/vector-type.ts";
import { nativeLibraryPath } from "../io/native.ts";
import { distanceFor, normalizeRows } from "../math/distance.ts";
import { loadNativeKernelsSync } from "../math/native-kernels.ts";
import { nativeQueryRows } from "../math/query-distance.ts";
import type { InMemoryVectors } from "./ground-truth.ts";

export const NO_TRUTH_ID = 0xffffffff;
const BLOCK = 4096;

export interface FilteredTruthOptions {
  readonly k: number;
  readonly metric: Metric;
  readonly onProgress?: (queriesDone: number) => void;
}

/** matchIds(q): the ids matching query q's filter, increasing. */
export function computeFilteredTruth(
  base: InMemoryVectors,
  queries: InMemoryVectors,
  matchIds: (q: number) => Uint32Array,
  opts: FilteredTruthOptions,
): Truth {
  const { k, metric } = opts;
  const dim = base.dim;
  if (queries.dim !== dim) throw new UsageError(`queries have ${queries.dim} dimensions, the base ${dim}`);
  let rows: Vectors = base.data;
  let rowType = base.type;
  if (metric === "cosine") {
    const f = Float32Array.from(base.data);
    normalizeRows(f, dim);
    rows = f;
    rowType = "float32";
  }
  const native = nativeQueryRows(loadNativeKernelsSync(nativeLibraryPath), metric, rowType);
  const fallback = distanceFor(metric === "cosine" ? "l2" : metric);
  const nq = queries.npts;
  const ids = new Uint32Array(nq * k).fill(NO_TRUTH_ID);
  const dists = new Float32Array(nq * k).fill(Infinity);
  const q32 = new Float32Array(dim);
  const blockIds = new Uint32Array(BLOCK);
  const blockDists = new Float32Array(BLOCK);
  for (let q = 0; q < nq; q++) {
    for (let j = 0; j < dim; j++) q32[j] = queries.data[q * dim + j]!;
    if (metric === "cosine") normalizeRows(q32, dim);
    const all = matchIds(q);
    const outIds = ids.subarray(q * k, (q + 1) * k);
    const outDists = dists.subarray(q * k, (q + 1) * k);
    let n = 0;
    for (let s = 0; s < all.length; s += BLOCK) {
      const m = Math.min(BLOCK, all.length - s);
      blockIds.set(all.subarray(s, s + m));
      if (native) native(q32, rows, dim, blockIds, m, blockDists);
      else for (let i = 0; i < m; i++) blockDists[i] = fallback(q32, 0, rows, blockIds[i]! * dim, dim);
      for (let i = 0; i < m; i++) n = insertTop(outIds, outDists, n, k, blockIds[i]!, Math.fround(blockDists[i]!));
    }
    opts.onProgress?.(q + 1);
  }
  return { nq, k, ids, dists };
}

/** Inserts (id, d) into the sorted top-k rows (ties: smaller id first); returns the new fill. */
function insertTop(ids: Uint32Array, dists: Float32Array, n: number, k: number, id: number, d: number): number {
  if (n === k && !(d < dists[k - 1]! || (d === dists[k - 1] && id < ids[k - 1]!))) return n;
  let j = n === k ? k - 1 : n;
  while (j > 0 && (dists[j - 1]! > d || (dists[j - 1] === d && ids[j - 1]! > id))) {
    ids[j] = ids[j - 1]!;
    dists[j] = dists[j - 1]!;
    j--;
  }
  ids[j] = id;
  dists[j] = d;
  return n === k ? k : n + 1;
}

/** Range truth from a top-K truth: the queries whose K-th neighbour is still inside are `saturated`. */
export function rangeFromTopK(truth: Truth, radius: number): { range: RangeTruth; saturated: number } {
  const { nq, k } = truth;
  if (truth.dists === null) throw new UsageError("range truth needs a truth file with distances");
  const offsets = new Uint32Array(nq + 1);
  let saturated = 0;
  for (let q = 0; q < nq; q++) {
    let c = 0;
    while (c < k && truth.dists[q * k + c]! <= radius) c++;
    if (c === k) saturated++;
    offsets[q + 1] = offsets[q]! + c;
  }
  const ids = new Uint32Array(offsets[nq]!);
  const dists = new Float32Array(offsets[nq]!);
  for (let q = 0; q < nq; q++) {
    const c = offsets[q + 1]! - offsets[q]!;
    ids.set(truth.ids.subarray(q * k, q * k + c), offsets[q]!);
    dists.set(truth.dists.subarray(q * k, q * k + c), offsets[q]!);
  }
  return { range: { nq, offsets, ids, dists }, saturated };
}

/** The radius at which queries hold `target` points on average (from a top-K truth, K ≥ target). */
export function radiusForMeanCount(truth: Truth, target: number): number {
  if (truth.dists === null) throw new UsageError("choosing a radius needs a truth file with distances");
  const all = Float32Array.from(truth.dists.filter((d) => Number.isFinite(d))).sort();
  // Mean count at radius r = (number of (q, j) pairs with dist ≤ r) / nq.
  const idx = Math.min(all.length - 1, Math.max(0, Math.round(target * truth.nq) - 1));
  return all[idx]!;
}

/**
 * Recall of range results against range truth: per query |found ∩ truth| / |truth|, averaged over
 * the queries whose truth is not empty (a query with nothing inside its radius cannot be missed).
 */
export function rangeRecall(found: readonly Uint32Array[], truth: RangeTruth): number {
  let sum = 0;
  let counted = 0;
  for (let q = 0; q < found.length; q++) {
    const t = truth.ids.subarray(truth.offsets[q]!, truth.offsets[q + 1]!);
    if (t.length === 0) continue;
    const set = new Set(t);
    let hits = 0;
    for (const id of found[q]!) if (set.has(id)) hits++;
    sum += hits / t.length;
    counted++;
  }
  return counted === 0 ? 1 : sum / counted;
}
