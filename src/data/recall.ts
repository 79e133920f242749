// Recall of search results against exact ground truth.
//   by id:       |first k results ∩ first k true ids| / k
//   by distance: a result counts when its distance is ≤ the k-th true distance (integer data such as
//                Fashion-MNIST has exact ties, so a different id at the same distance is just as
//                right). A result whose id is among the first k true ids always counts, so
//                recomputed distances that differ in the last bit never cost recall; distances are
//                compared as float32, the precision truth files store. At most k results count.
// Results are rows of `stride` ids (and distances), one row per query; 0xFFFFFFFF marks "no result".
import { FormatError, invariant } from "../errors.ts";
import type { Truth } from "../format/truth.ts";

export interface ResultTable {
  readonly nq: number;
  /** Entries per query row (≥ k); the first k of each row are scored. */
  readonly stride: number;
  readonly ids: Uint32Array;
  /** Distances of `ids`, same layout (needed for recall by distance). */
  readonly dists?: Float32Array | Float64Array | null;
}

export const NO_RESULT = 0xffffffff;

function check(results: ResultTable, truth: Truth, k: number): void {
  invariant(Number.isInteger(k) && k >= 1, `recall: k must be ≥ 1, got ${k}`);
  if (k > truth.k) throw new FormatError("ground truth", "K", `≥ ${k} (recall@${k})`, String(truth.k));
  invariant(results.stride >= k, `recall: result rows hold ${results.stride} entries, need k = ${k}`);
  invariant(results.ids.length >= results.nq * results.stride, "recall: ids shorter than nq × stride");
  if (results.nq > truth.nq)
    throw new FormatError("ground truth", "nq", `≥ ${results.nq} (queries searched)`, String(truth.nq));
}

/** Recall@k by id of query q (0..1). */
export function recallOfQueryById(results: ResultTable, truth: Truth, k: number, q: number): number {
  const r0 = q * results.stride;
  const t0 = q * truth.k;
  let hits = 0;
  for (let t = 0; t < k; t++) {
    const id = truth.ids[t0 + t]!;
    for (let r = 0; r < k; r++) {
      if (results.ids[r0 + r] === id) {
        hits++;
        break;
      }
    }
  }
  return hits / k;
}

/** Recall@k by distance of query q (0..1). */
export function recallOfQueryByDistance(results: ResultTable, truth: Truth, k: number, q: number): number {
  const dists = results.dists;
  if (!truth.dists)
    throw new FormatError("ground truth", "dists", "a distance block (recall by distance)", "an ids-only file");
  invariant(dists != null, "recall by distance: results carry no distances");
  const r0 = q * results.stride;
  const t0 = q * truth.k;
  const kth = truth.dists[t0 + k - 1]!;
  let hits = 0;
  for (let r = 0; r < k; r++) {
    const id = results.ids[r0 + r]!;
    if (id === NO_RESULT) continue;
    let duplicate = false;
    for (let p = 0; p < r; p++) if (results.ids[r0 + p] === id) duplicate = true;
    if (duplicate) continue;
    let counts = Math.fround(dists[r0 + r]!) <= kth;
    for (let t = 0; t < k && !counts; t++) counts = truth.ids[t0 + t] === id;
    if (counts) hits++;
  }
  return Math.min(hits, k) / k;
}

/** Mean recall@k by id over the result rows. */
export function recallAtK(results: ResultTable, truth: Truth, k: number): number {
  check(results, truth, k);
  let sum = 0;
  for (let q = 0; q < results.nq; q++) sum += recallOfQueryById(results, truth, k, q);
  return results.nq === 0 ? 0 : sum / results.nq;
}

/** Mean recall@k by distance over the result rows. */
export function recallAtKByDistance(results: ResultTable, truth: Truth, k: number): number {
  check(results, truth, k);
  let sum = 0;
  for (let q = 0; q < results.nq; q++) sum += recallOfQueryByDistance(results, truth, k, q);
  return results.nq === 0 ? 0 : sum / results.nq;
}
