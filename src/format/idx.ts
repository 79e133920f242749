// MNIST idx files (Fashion-MNIST ships as `*-idx3-ubyte.gz`), big-endian:
//   u8 0 | u8 0 | u8 type | u8 ndims | int32 dims[ndims] | values[product(dims)]
// type 0x08 = uint8, 0x09 = int8, 0x0D = float32 (0x0B/0x0C/0x0E exist but no dataset we read uses them).
// Images (0x00000803) are dims [count, rows, cols]; labels (0x00000801) are [count]. We see the first
// dimension as the number of vectors and the product of the rest as their dimension.
// The files are gzip-compressed, so there is no range read: the header is checked against gzip's
// ISIZE trailer (uncompressed size mod 2^32) before decompressing, and against the real length after.
import { constants, gunzipSync, gzipSync } from "node:zlib";
import { FormatError } from "../errors.ts";
import { writeFileAtomic } from "./atomic-file.ts";
import { FileRange, withFileRange } from "./file-range.ts";
import { allocVectors, checkFinite, type VectorType, type Vectors } from "./vector-type.ts";

export interface IdxHeader {
  readonly file: string;
  readonly type: VectorType;
  readonly dims: readonly number[];
  /** dims[0] */
  readonly npts: number;
  /** product of dims[1..] (1 for a 1-d file such as labels) */
  readonly dim: number;
  readonly gzip: boolean;
  readonly headerBytes: number;
  /** Bytes of the (uncompressed) idx stream. */
  readonly idxBytes: number;
}

const TYPE_CODES: Record<number, VectorType> = { 0x08: "uint8", 0x09: "int8", 0x0d: "float32" };
const CODE_OF: Record<VectorType, number> = { uint8: 0x08, int8: 0x09, float32: 0x0d };
/** Enough decompressed bytes for any real header (4 + 4 * ndims, ndims ≤ 255). */
const HEADER_PROBE_BYTES = 64 * 1024;

export function readIdxHeader(path: string): IdxHeader {
  return withFileRange(path, (range) => {
    const gzip = isGzip(range);
    const head = gzip ? gunzipPrefix(range) : range.read(0, Math.min(range.sizeBytes, 4 + 4 * 255));
    const header = parseHeader(path, head, gzip);
    if (gzip) {
      // ISIZE: the last 4 bytes of a gzip member, little-endian, = uncompressed length mod 2^32.
      const isize = new DataView(range.read(range.sizeBytes - 4, 4).buffer).getUint32(0, true);
      const expected = header.idxBytes % 2 ** 32;
      if (isize !== expected) {
        throw new FormatError(
          path,
          "gzip size",
          `${header.idxBytes} uncompressed bytes (header ${header.dims.join("×")} ${header.type})`,
          `${isize} (gzip ISIZE trailer, mod 2^32)`,
          isize < expected ? "E_TRUNCATED" : "E_FORMAT",
        );
      }
    } else if (range.sizeBytes !== header.idxBytes) {
      throw new FormatError(
        path,
        "file size",
        `${header.idxBytes} bytes (header ${header.dims.join("×")} ${header.type})`,
        `${range.sizeBytes} bytes`,
        range.sizeBytes < header.idxBytes ? "E_TRUNCATED" : "E_FORMAT",
      );
    }
    return header;
  });
}

/** The whole idx file as npts × dim vectors (the only way to read a gzip stream). */
export function readIdx(path: string): { header: IdxHeader; data: Vectors } {
  const header = readIdxHeader(path);
  const raw = withFileRange(path, (range) => {
    const bytes = range.read(0, range.sizeBytes);
    if (!header.gzip) return bytes;
    try {
      return new Uint8Array(gunzipSync(bytes));
    } catch (err) {
      throw new FormatError(
        path,
        "gzip stream",
        "a complete gzip stream",
        `a corrupt or truncated one (${(err as Error).message})`,
        "E_TRUNCATED",
      );
    }
  });
  if (raw.length !== header.idxBytes) {
    throw new FormatError(
      path,
      "data",
      `${header.idxBytes} uncompressed bytes (header ${header.dims.join("×")} ${header.type})`,
      `${raw.length} bytes`,
      raw.length < header.idxBytes ? "E_TRUNCATED" : "E_FORMAT",
    );
  }
  const count = header.npts * header.dim;
  const data = allocVectors(header.type, count);
  if (header.type === "float32") {
    const view = new DataView(raw.buffer, raw.byteOffset + header.headerBytes, count * 4);
    const out = data as Float32Array;
    for (let i = 0; i < count; i++) out[i] = view.getFloat32(4 * i, false);
    checkFinite(out, count, path, 0, header.dim);
  } else {
    new Uint8Array(data.buffer).set(raw.subarray(header.headerBytes, header.headerBytes + count));
  }
  return { header, data };
}

/** Writes an idx file (gzip-compressed unless gzip is false) atomically. */
export function writeIdx(
  path: string,
  type: VectorType,
  dims: readonly number[],
  data: Vectors,
  opts: { gzip?: boolean } = {},
): void {
  const count = dims.reduce((a, b) => a * b, 1);
  if (data.length !== count)
    throw new FormatError(path, "data", `${count} values for dims ${dims.join("×")}`, `${data.length}`);
  const headerBytes = 4 + 4 * dims.length;
  const elementBytes = type === "float32" ? 4 : 1;
  const raw = new Uint8Array(headerBytes + count * elementBytes);
  const view = new DataView(raw.buffer);
  view.setUint8(2, CODE_OF[type]);
  view.setUint8(3, dims.length);
  dims.forEach((d, i) => view.setInt32(4 + 4 * i, d, false));
  if (type === "float32") {
    const src = data as Float32Array;
    for (let i = 0; i < count; i++) view.setFloat32(headerBytes + 4 * i, src[i]!, false);
  } else {
    raw.set(new Uint8Array(data.buffer, data.byteOffset, count), headerBytes);
  }
  writeFileAtomic(path, opts.gzip === false ? raw : new Uint8Array(gzipSync(raw)));
}

function isGzip(range: FileRange): boolean {
  if (range.sizeBytes < 2) return false;
  const magic = range.read(0, 2);
  return magic[0] === 0x1f && magic[1] === 0x8b;
}

function gunzipPrefix(range: FileRange): Uint8Array {
  if (range.sizeBytes < 18) {
    throw new FormatError(
      range.file,
      "gzip stream",
      "at least 18 bytes (gzip header and trailer)",
      `${range.sizeBytes} bytes`,
      "E_TRUNCATED",
    );
  }
  const compressed = range.read(0, Math.min(range.sizeBytes, HEADER_PROBE_BYTES));
  try {
    // A sync flush decompresses what the prefix holds without demanding the end of the stream.
    const out = gunzipSync(compressed, { finishFlush: constants.Z_SYNC_FLUSH });
    return new Uint8Array(out.buffer, out.byteOffset, Math.min(out.length, 4 + 4 * 255));
  } catch (err) {
    throw new FormatError(range.file, "gzip stream", "a gzip stream", `undecodable bytes (${(err as Error).message})`);
  }
}

function parseHeader(file: string, head: Uint8Array, gzip: boolean): IdxHeader {
  if (head.length < 4)
    throw new FormatError(file, "magic", "4 bytes (0, 0, type, ndims)", `${head.length} bytes`, "E_TRUNCATED");
  const view = new DataView(head.buffer, head.byteOffset, head.length);
  const magic = view.getUint32(0, false);
  const type = TYPE_CODES[head[2]!];
  if (head[0] !== 0 || head[1] !== 0 || type === undefined) {
    throw new FormatError(
      file,
      "magic",
      "0x000008nn (uint8), 0x000009nn (int8) or 0x00000Dnn (float32)",
      `0x${magic.toString(16).padStart(8, "0")}`,
    );
  }
  const ndims = head[3]!;
  if (ndims < 1) throw new FormatError(file, "ndims", "at least 1", String(ndims));
  const headerBytes = 4 + 4 * ndims;
  if (head.length < headerBytes)
    throw new FormatError(file, "dims", `${ndims} int32 dimensions`, `${head.length - 4} bytes`, "E_TRUNCATED");
  const dims: number[] = [];
  for (let i = 0; i < ndims; i++) {
    const d = view.getInt32(4 + 4 * i, false);
    if (d < 0 || (i > 0 && d === 0))
      throw new FormatError(file, `dims[${i}]`, i === 0 ? "a count ≥ 0" : "a size > 0", String(d));
    dims.push(d);
  }
  const npts = dims[0]!;
  const dim = dims.slice(1).reduce((a, b) => a * b, 1);
  const idxBytes = headerBytes + npts * dim * (type === "float32" ? 4 : 1);
  return { file, type, dims, npts, dim, gzip, headerBytes, idxBytes };
}
