// Exact distances from a float32 query to stored rows, natively (c/kernels.c rk_*_query): one FFI
// call for a whole list of rows, so the ~10–20 ns call cost is paid once per expanded node, not
// once per neighbour; and rk_*_query1 for one row (the expanded node's distance: ~50 ns at 784-d
// uint8 including the call, vs ~380 ns for the TypeScript loop). Same values as distance.ts up to
// float rounding (identical for integer-valued queries on uint8/int8 rows). Chosen once, when an
// index opens; null → the TypeScript loops.
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
