// Nearest of k centres for a block of rows over one column range (a PQ chunk): the inner step of
// k-means and of PQ encoding. Native AVX2 kernel when loaded, else the TypeScript loop below.
// Centres come transposed (w × k) so the kernel can compare 8 centres per instruction.
// Bench: bench/build/pq.bench.ts
import { ptr } from "bun:ffi";
import type { NativeKernels } from "../math/native-kernels.ts";

export type NearestCentreFn = (
  rows: Float32Array,
  n: number,
  stride: number,
  lo: number,
  w: number,
  centresT: Float32Array,
  k: number,
  codes: Uint8Array,
  codeStride: number,
  dists: Float32Array | null,
) => void;

function nearestTs(
  rows: Float32Array,
  n: number,
  stride: number,
  lo: number,
  w: number,
  centresT: Float32Array,
  k: number,
  codes: Uint8Array,
  codeStride: number,
  dists: Float32Array | null,
): void {
  for (let i = 0; i < n; i++) {
    const x = i * stride + lo;
    let best = Number.POSITIVE_INFINITY;
    let arg = 0;
    for (let c = 0; c < k; c++) {
      let s = 0;
      for (let j = 0; j < w; j++) {
        const d = rows[x + j]! - centresT[j * k + c]!;
        s += d * d;
      }
      if (s < best) {
        best = s;
        arg = c;
      }
    }
    codes[i * codeStride] = arg;
    if (dists) dists[i] = best;
  }
}

export function nearestCentreFn(kernels: NativeKernels | null): NearestCentreFn {
  if (kernels === null) return nearestTs;
  const kernel = kernels.rk_pq_nearest;
  return (rows, n, stride, lo, w, centresT, k, codes, codeStride, dists) => {
    if (n === 0) return;
    kernel(ptr(rows), n, stride, lo, w, ptr(centresT), k, ptr(codes), codeStride, dists ? ptr(dists) : null);
  };
}

/** out[i] = squared L2 between row q and row ids[i] of a row-major float32 matrix with `dim` columns. */
export type RowsL2Fn = (
  rows: Float32Array,
  dim: number,
  q: number,
  ids: Uint32Array,
  n: number,
  out: Float32Array,
) => void;

function rowsL2Ts(rows: Float32Array, dim: number, q: number, ids: Uint32Array, n: number, out: Float32Array): void {
  const qo = q * dim;
  for (let i = 0; i < n; i++) {
    const ro = ids[i]! * dim;
    let s = 0;
    for (let j = 0; j < dim; j++) {
      const d = rows[qo + j]! - rows[ro + j]!;
      s += d * d;
    }
    out[i] = s;
  }
}

export function rowsL2Fn(kernels: NativeKernels | null): RowsL2Fn {
  if (kernels === null) return rowsL2Ts;
  const kernel = kernels.rk_l2_f32_rows;
  return (rows, dim, q, ids, n, out) => {
    if (n > 0) kernel(ptr(rows), dim, q, ptr(ids), n, ptr(out));
  };
}
