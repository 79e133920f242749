// Exact distances from a float32 query to stored rows, natively (c/kernels.c rk_*_query): one FFI
// call for a whole list of rows, so the ~10–20 ns call cost is paid once per expanded node, not
// once per neighbour; and rk_*_query1 for one row (the expanded node's distance: ~50 ns at 784-d
// uint8 including the call, vs ~380 ns for the TypeScript loop). Same values as distance.ts up to
// float rounding (identical for integer-valued queries on uint8/int8 rows). Chosen once, when an
// index opens; null → the TypeScript loops. rk_*_strided: the records of one sector in one call
// (page search, src/search/page-machine.ts).
// Bench: bench/search-hop.bench.ts ("exact distance of the expanded node", "entry graph")
import { ptr } from "bun:ffi";
import type { Metric, VectorType, Vectors } from "../format/vector-type.ts";
import type { DistanceFn } from "./distance.ts";
import type { NativeKernels } from "./native-kernels.ts";

/**
 * out[i] = d(query[0..dim), base row ids[i]) for i < n. Every array is passed as a typed array,
 * so the FFI takes a fresh pointer at each call; ids and out should be pinned (src/math/pinned.ts).
 */
export type QueryRowsFn = (
  query: Float32Array,
  base: Vectors,
  dim: number,
  ids: Uint32Array,
  n: number,
  out: Float32Array,
) => void;

/** The native query-vs-rows kernel for (metric, type), or null without native kernels. */
export function nativeQueryRows(kernels: NativeKernels | null, metric: Metric, type: VectorType): QueryRowsFn | null {
  if (kernels === null) return null;
  const ip = metric === "ip";
  switch (type) {
    case "float32":
      return (ip ? kernels.rk_negdot_f32_query : kernels.rk_l2_f32_query) as unknown as QueryRowsFn;
    case "uint8":
      return (ip ? kernels.rk_negdot_u8_query : kernels.rk_l2_u8_query) as unknown as QueryRowsFn;
    case "int8":
      return (ip ? kernels.rk_negdot_i8_query : kernels.rk_l2_i8_query) as unknown as QueryRowsFn;
  }
}

/**
 * A DistanceFn over the native one-row kernel for (metric, type), or null without native kernels.
 * Its first argument must be the float32 query; the second, rows of `type`. Fresh pointers at each
 * call (ptr() with the element offsets in bytes), nothing allocated.
 */
export function nativeQueryDistance(
  kernels: NativeKernels | null,
  metric: Metric,
  type: VectorType,
): DistanceFn | null {
  if (kernels === null) return null;
  const ip = metric === "ip";
  switch (type) {
    case "float32": {
      const f = ip ? kernels.rk_negdot_f32_query1 : kernels.rk_l2_f32_query1;
      return (a, aOffset, b, bOffset, dim) => f(ptr(a, aOffset * 4), ptr(b, bOffset * 4), dim);
    }
    case "uint8": {
      const f = ip ? kernels.rk_negdot_u8_query1 : kernels.rk_l2_u8_query1;
      return (a, aOffset, b, bOffset, dim) => f(ptr(a, aOffset * 4), ptr(b, bOffset), dim);
    }
    case "int8": {
      const f = ip ? kernels.rk_negdot_i8_query1 : kernels.rk_l2_i8_query1;
      return (a, aOffset, b, bOffset, dim) => f(ptr(a, aOffset * 4), ptr(b, bOffset), dim);
    }
  }
}

/**
 * out[i] = d(query, the record at byte `offset + i * stride` of `bytes`) for i < n: the records of one
 * sector (page search scores all of them when a read brings it). `bytes` is a view of the read's buffer
 * (its byteOffset counts); each record starts with its dim coordinates. `out` should be pinned.
 */
export type StridedRowsFn = (
  query: Float32Array,
  bytes: Uint8Array,
  offset: number,
  dim: number,
  stride: number,
  n: number,
  out: Float32Array,
) => void;

/** The native one-call-per-sector kernel for (metric, type) (c/kernels.c rk_*_strided), or null. */
export function nativeStridedRows(
  kernels: NativeKernels | null,
  metric: Metric,
  type: VectorType,
): StridedRowsFn | null {
  if (kernels === null || typeof kernels.rk_l2_u8_strided !== "function") return null;
  const ip = metric === "ip";
  const f =
    type === "float32"
      ? ip
        ? kernels.rk_negdot_f32_strided
        : kernels.rk_l2_f32_strided
      : type === "uint8"
        ? ip
          ? kernels.rk_negdot_u8_strided
          : kernels.rk_l2_u8_strided
        : ip
          ? kernels.rk_negdot_i8_strided
          : kernels.rk_l2_i8_strided;
  const elemBytes = type === "float32" ? 4 : 1;
  return (query, bytes, offset, dim, stride, n, out) => {
    if (n > out.length || dim > query.length || offset + (n - 1) * stride + dim * elemBytes > bytes.length)
      throw new RangeError(`stridedRows: ${n} records of ${stride} bytes from ${offset} overrun the buffer or output`);
    f(query, ptr(bytes, offset), dim, stride, n, out);
  };
}
