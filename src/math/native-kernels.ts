// Optional native distance kernels (c/kernels.c, linked into dist/libringann.so by
// scripts/build-native.sh). When the library or its kernel symbols are missing, callers fall back
// to the TypeScript loops in distance.ts: same results up to float rounding.
// Set RINGANN_KERNELS=ts to force the TypeScript path (benchmarks compare both).
import { dlopen, FFIType } from "bun:ffi";

const { ptr, u32, i32, f32, void: voidT } = FFIType;
const ROWS = { args: [ptr, u32, u32, ptr, u32, ptr], returns: voidT } as const;
/** (query f32*, base T*, dim, ids u32*, n, out f32*): a float32 query against stored rows. */
const QUERY = { args: [ptr, ptr, u32, ptr, u32, ptr], returns: voidT } as const;
/** (query f32*, row T*, dim) → distance. */
const QUERY1 = { args: [ptr, ptr, u32], returns: f32 } as const;
/** (query f32*, first record u8*, dim, stride bytes, n, out f32*): the records of one sector. */
const STRIDED = { args: [ptr, ptr, u32, u32, u32, ptr], returns: voidT } as const;

const SYMBOLS = {
  rk_kernels_init: { args: [], returns: i32 },
  rk_l2_f32_rows: ROWS,
  rk_l2_u8_rows: ROWS,
  rk_l2_i8_rows: ROWS,
  rk_negdot_f32_rows: ROWS,
  rk_negdot_u8_rows: ROWS,
  rk_negdot_i8_rows: ROWS,
  rk_l2_f32_query: QUERY,
  rk_l2_u8_query: QUERY,
  rk_l2_i8_query: QUERY,
  rk_negdot_f32_query: QUERY,
  rk_negdot_u8_query: QUERY,
  rk_negdot_i8_query: QUERY,
  rk_l2_f32_query1: QUERY1,
  rk_l2_u8_query1: QUERY1,
  rk_l2_i8_query1: QUERY1,
  rk_negdot_f32_query1: QUERY1,
  rk_negdot_u8_query1: QUERY1,
  rk_negdot_i8_query1: QUERY1,
  rk_l2_f32_strided: STRIDED,
  rk_l2_u8_strided: STRIDED,
  rk_l2_i8_strided: STRIDED,
  rk_negdot_f32_strided: STRIDED,
  rk_negdot_u8_strided: STRIDED,
  rk_negdot_i8_strided: STRIDED,
  rk_pq_nearest: { args: [ptr, u32, u32, u32, u32, ptr, u32, ptr, u32, ptr], returns: voidT },
  rk_pq_table_layout: { args: [ptr, u32, ptr, u32, ptr], returns: voidT },
  rk_pq_table: { args: [ptr, u32, ptr, u32, ptr, ptr, ptr, ptr, i32, ptr], returns: voidT },
  rk_pq_table_adjusted: { args: [ptr, ptr, u32, ptr, i32, ptr], returns: voidT },
  /** (table f32*, codes u8*, npts, M, ids u32*, n, L, out_ids u32*, out_dists f32*) → count (best L, ascending). */
  rk_pq_scan_best: { args: [ptr, ptr, u32, u32, ptr, u32, u32, ptr, ptr], returns: u32 },
  /** (table f32*, rows u8*, M, ids u32*, n, L, out_ids u32*, out_dists f32*) → count: rk_pq_gather's rows. */
  rk_pq_scan_rows: { args: [ptr, ptr, u32, ptr, u32, u32, ptr, ptr], returns: u32 },
  /** (codes u8*, npts, M, ids u32*, n, out u8*) → 0, or UINT32_MAX for an id without a code row. */
  rk_pq_gather: { args: [ptr, u32, u32, ptr, u32, ptr], returns: u32 },
} as const;

export type NativeKernels = ReturnType<typeof dlopen<typeof SYMBOLS>>["symbols"];

let loaded: NativeKernels | null | undefined;
let avx2 = false;

/** The kernel symbols, or null when unavailable (or disabled by RINGANN_KERNELS=ts). */
export async function loadNativeKernels(): Promise<NativeKernels | null> {
  if (loaded !== undefined) return loaded;
  const { nativeLibraryPath } = await import("../io/native.ts");
  return openKernels(nativeLibraryPath);
}

/**
 * The same, synchronously, for code that already loaded the native library's path (the search:
 * DiskIndex and the search Workers import ../io/native.ts anyway). `libraryPath` is its
 * nativeLibraryPath, passed in so this module keeps no static import of the library file.
 */
export function loadNativeKernelsSync(libraryPath: () => string): NativeKernels | null {
  if (loaded !== undefined) return loaded;
  return openKernels(libraryPath);
}

function openKernels(libraryPath: () => string): NativeKernels | null {
  loaded = null;
  if (process.env.RINGANN_KERNELS === "ts") return null;
  try {
    const lib = dlopen(process.env.RINGANN_KERNELS_LIB ?? libraryPath(), SYMBOLS).symbols;
    avx2 = lib.rk_kernels_init() === 1;
    loaded = lib;
  } catch {
    loaded = null;
  }
  return loaded;
}

/** Which kernel a build used, for reports: "avx2", "c-scalar" or "ts". */
export function kernelName(): string {
  if (!loaded) return "ts";
  return avx2 ? "avx2" : "c-scalar";
}
