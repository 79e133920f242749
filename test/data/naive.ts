// The reference every ground-truth test compares with: all distances, sorted by (distance, id).
import type { Metric, Vectors } from "../../src/format/vector-type.ts";

export function naiveTruth(
  base: Vectors,
  queries: Vectors,
  dim: number,
  k: number,
  metric: Metric,
): { ids: number[][]; dists: number[][] } {
  const n = base.length / dim;
  const nq = queries.length / dim;
  // Same rounding as normalizeRows: multiply by the float64 inverse norm, store as float32.
  const invNorm = (v: Vectors, off: number): number => {
    let s = 0;
    for (let j = 0; j < dim; j++) s += v[off + j]! * v[off + j]!;
    return s === 0 ? 1 : 1 / Math.sqrt(s);
  };
  const ids: number[][] = [];
  const dists: number[][] = [];
  for (let q = 0; q < nq; q++) {
    const all: Array<[number, number]> = [];
    for (let i = 0; i < n; i++) {
      let d = 0;
      if (metric === "ip") {
        for (let j = 0; j < dim; j++) d -= queries[q * dim + j]! * base[i * dim + j]!;
      } else if (metric === "l2") {
        for (let j = 0; j < dim; j++) d += (queries[q * dim + j]! - base[i * dim + j]!) ** 2;
      } else {
        // float32 unit vectors, as the gt stores them
        const iq = invNorm(queries, q * dim),
          ib = invNorm(base, i * dim);
        for (let j = 0; j < dim; j++)
          d += (Math.fround(queries[q * dim + j]! * iq) - Math.fround(base[i * dim + j]! * ib)) ** 2;
      }
      all.push([d, i]);
    }
    all.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    ids.push(all.slice(0, k).map((e) => e[1]));
    dists.push(all.slice(0, k).map((e) => e[0]));
  }
  return { ids, dists };
}
