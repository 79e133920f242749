// The medoid DiskANN starts every search from: the stored point nearest the mean of all points.
import type { Vectors } from "../format/vector-type.ts";

export function centroidOf(vectors: Vectors, npts: number, dim: number): Float32Array {
  const sum = new Float64Array(dim);
  for (let i = 0; i < npts; i++) {
    const off = i * dim;
    for (let j = 0; j < dim; j++) sum[j]! += vectors[off + j]!;
  }
  const mean = new Float32Array(dim);
  for (let j = 0; j < dim; j++) mean[j] = sum[j]! / Math.max(1, npts);
  return mean;
}

/** Index of the point closest (squared L2) to the mean; ties go to the lowest id. */
export function findMedoid(vectors: Vectors, npts: number, dim: number): number {
  const mean = centroidOf(vectors, npts, dim);
  let best = 0;
  let bestD = Number.POSITIVE_INFINITY;
  for (let i = 0; i < npts; i++) {
    const off = i * dim;
    let d = 0;
    for (let j = 0; j < dim; j++) {
      const t = vectors[off + j]! - mean[j]!;
      d += t * t;
    }
    if (d < bestD) {
      bestD = d;
      best = i;
    }
  }
  return best;
}
