// Distances between stored rows, in batches: the build only ever compares base vectors with base
// vectors (a point being inserted with its candidates, a chosen neighbour with the rest of the
// pool). The caller writes ids into `ids` and reads results from `out`; both are allocated once.
// The native AVX2 kernel and the TypeScript loop share this shape; the choice is made once.
// Bench: bench/build/distance-batch.bench.ts
import { pinnedFloat32, pinnedUint32 } from "../math/pinned.ts";
import { ptr } from "bun:ffi";
import type { Metric, VectorType, Vectors } from "../format/vector-type.ts";
import { distanceFor, type DistanceFn } from "../math/distance.ts";
import type { NativeKernels } from "../math/native-kernels.ts";

export interface RowDistances {
  /** Scratch the caller fills with row ids before rows(). */
  readonly ids: Uint32Array;
  /** rows() writes out[i] = d(row q, row ids[i]). */
  readonly out: Float32Array;
  rows(q: number, n: number): void;
  pair(a: number, b: number): number;
}

class TsRowDistances implements RowDistances {
  readonly ids: Uint32Array;
  readonly out: Float32Array;
  private readonly vectors: Vectors;
  private readonly dim: number;
  private readonly fn: DistanceFn;

  constructor(vectors: Vectors, dim: number, metric: Metric, capacity: number) {
    this.vectors = vectors;
    this.dim = dim;
    this.fn = distanceFor(metric);
    this.ids = new Uint32Array(capacity);
    this.out = new Float32Array(capacity);
  }

  rows(q: number, n: number): void {
    const { vectors, dim, fn, ids, out } = this;
    const qOff = q * dim;
    for (let i = 0; i < n; i++) out[i] = fn(vectors, qOff, vectors, ids[i]! * dim, dim);
  }

  pair(a: number, b: number): number {
    return this.fn(this.vectors, a * this.dim, this.vectors, b * this.dim, this.dim);
  }
}

type RowsKernel = (base: number, dim: number, q: number, ids: number, n: number, out: number) => void;

class NativeRowDistances implements RowDistances {
  readonly ids: Uint32Array;
  readonly out: Float32Array;
  private readonly kernel: RowsKernel;
  private readonly vectors: Vectors;
  private readonly pairIds = pinnedUint32(1);
  private readonly pairOut = pinnedFloat32(1);
  private readonly dim: number;

  constructor(kernel: RowsKernel, vectors: Vectors, dim: number, capacity: number) {
    this.kernel = kernel;
    this.vectors = vectors;
    this.dim = dim;
    this.ids = pinnedUint32(capacity);
    this.out = pinnedFloat32(capacity);
  }

  // Addresses are taken at each call (ptr() is a few ns), so C never keeps one across calls: a
  // JavaScript array's storage is not guaranteed to stay put between calls (src/io/native-block.ts).
  rows(q: number, n: number): void {
    if (n > 0) this.kernel(ptr(this.vectors), this.dim, q, ptr(this.ids), n, ptr(this.out));
  }

  pair(a: number, b: number): number {
    this.pairIds[0] = b;
    this.kernel(ptr(this.vectors), this.dim, a, ptr(this.pairIds), 1, ptr(this.pairOut));
    return this.pairOut[0]!;
  }
}

function nativeKernelFor(kernels: NativeKernels, metric: Metric, type: VectorType): RowsKernel {
  const k = kernels as unknown as Record<string, RowsKernel>;
  const prefix = metric === "ip" ? "rk_negdot" : "rk_l2";
  const suffix = type === "float32" ? "f32" : type === "uint8" ? "u8" : "i8";
  return k[`${prefix}_${suffix}_rows`]!;
}

/** Native kernels when given (non-null), else the TypeScript loop. `capacity` bounds one batch. */
export function createRowDistances(
  vectors: Vectors,
  dim: number,
  type: VectorType,
  metric: Metric,
  capacity: number,
  kernels: NativeKernels | null,
): RowDistances {
  if (kernels !== null && vectors.length > 0)
    return new NativeRowDistances(nativeKernelFor(kernels, metric, type), vectors, dim, capacity);
  return new TsRowDistances(vectors, dim, metric, capacity);
}
