// A start point per label (Filtered-DiskANN searches a label from its own entry point): the point of
// the label nearest (squared L2) to the mean of the label's points. Two passes over each label's
// points; rows are read from the in-memory base.
import type { PointLabels } from "../format/label-files.ts";
import { NO_START } from "../format/label-files.ts";
import type { Vectors } from "../format/vector-type.ts";

export function labelStartPoints(labels: PointLabels, base: Vectors, dim: number): Uint32Array {
  const L = labels.names.length;
  const sums = new Float64Array(L * dim);
  const counts = new Uint32Array(L);
  for (let p = 0; p < labels.npts; p++) {
    for (let i = labels.offsets[p]!; i < labels.offsets[p + 1]!; i++) {
      const n = labels.ids[i]!;
      counts[n]!++;
      const s = n * dim;
      const r = p * dim;
      for (let j = 0; j < dim; j++) sums[s + j]! += base[r + j]!;
    }
  }
  for (let n = 0; n < L; n++) if (counts[n]! > 0) for (let j = 0; j < dim; j++) sums[n * dim + j]! /= counts[n]!;
  const best = new Float64Array(L).fill(Infinity);
  const start = new Uint32Array(L).fill(NO_START);
  for (let p = 0; p < labels.npts; p++) {
    for (let i = labels.offsets[p]!; i < labels.offsets[p + 1]!; i++) {
      const n = labels.ids[i]!;
      const s = n * dim;
      const r = p * dim;
      let d = 0;
      for (let j = 0; j < dim; j++) {
        const t = base[r + j]! - sums[s + j]!;
        d += t * t;
      }
      if (d < best[n]!) {
        best[n] = d;
        start[n] = p;
      }
    }
  }
  return start;
}
