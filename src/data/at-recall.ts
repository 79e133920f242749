// A search's cost read at a target recall: along a curve of runs ordered by L, the metric where recall
// first reaches the target, linearly interpolated between the two runs that bracket it. Comparing two
// searches (page vs id, filtered vs unfiltered, pipe vs beam) at equal recall, not at equal L.

/** `metric` at recall `at` on `curve` (runs by increasing L); null when the curve never reaches it. */
export function metricAtRecall<R extends { readonly recall: number }>(
  curve: readonly R[],
  at: number,
  metric: (r: R) => number,
): number | null {
  for (let i = 0; i < curve.length; i++) {
    const r = curve[i]!;
    if (r.recall < at) continue;
    if (i === 0) return metric(r);
    const p = curve[i - 1]!;
    const t = (at - p.recall) / Math.max(1e-9, r.recall - p.recall);
    return metric(p) + t * (metric(r) - metric(p));
  }
  return null;
}
