// Element types of stored vectors and the metrics ringann knows.
import { FormatError } from "../errors.ts";

export type VectorType = "float32" | "uint8" | "int8";
export type Metric = "l2" | "ip" | "cosine";
export type Vectors = Float32Array | Uint8Array | Int8Array;

export const VECTOR_TYPES: readonly VectorType[] = ["float32", "uint8", "int8"];
export const METRICS: readonly Metric[] = ["l2", "ip", "cosine"];

export function bytesPerElement(type: VectorType): number {
  return type === "float32" ? 4 : 1;
}

/** A typed-array view of `count` elements of `type` over `buffer` at `byteOffset` (no copy). */
export function viewVectors(type: VectorType, buffer: ArrayBufferLike, byteOffset: number, count: number): Vectors {
  switch (type) {
    case "float32":
      return new Float32Array(buffer, byteOffset, count);
    case "uint8":
      return new Uint8Array(buffer, byteOffset, count);
    case "int8":
      return new Int8Array(buffer, byteOffset, count);
  }
}

export function allocVectors(type: VectorType, count: number, shared = false): Vectors {
  const bytes = count * bytesPerElement(type);
  const buffer = shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes);
  return viewVectors(type, buffer, 0, count);
}

/** The vector type a file extension implies (.fbin, .u8bin, .i8bin, .fvecs, .bvecs), or null. */
export function vectorTypeFromExtension(path: string): VectorType | null {
  const lower = path.toLowerCase();
  if (lower.endsWith(".fbin") || lower.endsWith(".fvecs")) return "float32";
  if (lower.endsWith(".u8bin") || lower.endsWith(".bvecs")) return "uint8";
  if (lower.endsWith(".i8bin")) return "int8";
  return null;
}

/**
 * Throws a FormatError naming the row and dimension of the first NaN or ±Infinity among float32
 * values (count of them from element 0, the first being row `firstRow` of `dim`-wide rows): no
 * distance means anything once one is in. One pass, no allocation; integer types are skipped.
 */
export function checkFinite(
  values: ArrayLike<number>,
  count: number,
  file: string,
  firstRow: number,
  dim: number,
  what = "vector",
): void {
  if (!(values instanceof Float32Array)) return;
  for (let i = 0; i < count; i++) {
    const x = values[i]!;
    if (x - x !== 0) {
      const row = firstRow + Math.floor(i / Math.max(1, dim));
      throw new FormatError(file, `${what} ${row} [${i % Math.max(1, dim)}]`, "a finite float32", String(x));
    }
  }
}
