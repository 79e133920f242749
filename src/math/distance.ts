// Exact distances between stored vectors. Offsets are element indices, so callers never allocate
// subarrays in hot loops. Smaller is closer for every metric:
//   l2 → squared Euclidean; ip → negative dot product; cosine → vectors are unit-normalised at
//   build/query time and compared with l2 (DiskANN's convention).
// Bench: bench/distance.bench.ts
import type { Metric, Vectors } from "../format/vector-type.ts";

export function l2sq(a: Vectors, aOffset: number, b: Vectors, bOffset: number, dim: number): number {
  let s0 = 0,
    s1 = 0,
    s2 = 0,
    s3 = 0;
  let i = 0;
  const end4 = dim & ~3;
  for (; i < end4; i += 4) {
    const d0 = a[aOffset + i]! - b[bOffset + i]!;
    const d1 = a[aOffset + i + 1]! - b[bOffset + i + 1]!;
    const d2 = a[aOffset + i + 2]! - b[bOffset + i + 2]!;
    const d3 = a[aOffset + i + 3]! - b[bOffset + i + 3]!;
    s0 += d0 * d0;
    s1 += d1 * d1;
    s2 += d2 * d2;
    s3 += d3 * d3;
  }
  for (; i < dim; i++) {
    const d = a[aOffset + i]! - b[bOffset + i]!;
    s0 += d * d;
  }
  return s0 + s1 + s2 + s3;
}

export function dot(a: Vectors, aOffset: number, b: Vectors, bOffset: number, dim: number): number {
  let s0 = 0,
    s1 = 0,
    s2 = 0,
    s3 = 0;
  let i = 0;
  const end4 = dim & ~3;
  for (; i < end4; i += 4) {
    s0 += a[aOffset + i]! * b[bOffset + i]!;
    s1 += a[aOffset + i + 1]! * b[bOffset + i + 1]!;
    s2 += a[aOffset + i + 2]! * b[bOffset + i + 2]!;
    s3 += a[aOffset + i + 3]! * b[bOffset + i + 3]!;
  }
  for (; i < dim; i++) s0 += a[aOffset + i]! * b[bOffset + i]!;
  return s0 + s1 + s2 + s3;
}

export function negDot(a: Vectors, aOffset: number, b: Vectors, bOffset: number, dim: number): number {
  return -dot(a, aOffset, b, bOffset, dim);
}

export type DistanceFn = (a: Vectors, aOffset: number, b: Vectors, bOffset: number, dim: number) => number;

/** Chosen once when an index opens or a build starts; never branch on the metric in a loop. */
export function distanceFor(metric: Metric): DistanceFn {
  return metric === "ip" ? negDot : l2sq;
}

/** Scales each row of a float32 matrix to unit length in place (zero rows stay zero). */
export function normalizeRows(data: Float32Array, dim: number): void {
  const n = data.length / dim;
  for (let r = 0; r < n; r++) {
    const off = r * dim;
    let s = 0;
    for (let j = 0; j < dim; j++) s += data[off + j]! * data[off + j]!;
    if (s === 0) continue;
    const inv = 1 / Math.sqrt(s);
    for (let j = 0; j < dim; j++) data[off + j]! *= inv;
  }
}
