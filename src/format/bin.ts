// DiskANN vector files (.fbin / .u8bin / .i8bin, ".bin" in general), little-endian:
//   int32 npts | int32 dim | T data[npts * dim]      row-major, no per-row header, no padding
// The header is always checked against the file size before any row is trusted. Rows are read by
// positioned reads of just the requested range, so a billion-point file is never loaded whole.
import { FormatError, invariant } from "../errors.ts";
import { AtomicFileWriter } from "./atomic-file.ts";
import { FileRange, withFileRange } from "./file-range.ts";
import {
  allocVectors,
  bytesPerElement,
  checkFinite,
  vectorTypeFromExtension,
  viewVectors,
  type VectorType,
  type Vectors,
} from "./vector-type.ts";

export const BIN_HEADER_BYTES = 8;

export interface BinHeader {
  readonly file: string;
  readonly npts: number;
  readonly dim: number;
  readonly type: VectorType;
  readonly fileBytes: number;
}

export interface BinData {
  readonly npts: number;
  readonly dim: number;
  readonly type: VectorType;
  /** npts * dim elements, row-major. */
  readonly data: Vectors;
}

/** Reads and validates the 8-byte header of a vector file (type from `type`, else the extension). */
export function readBinHeader(path: string, type?: VectorType): BinHeader {
  return withFileRange(path, (range) => parseBinHeader(range, type));
}

/** Rows [start, start + count) of a vector file, reading only those bytes. */
export function readBinRows(path: string, type: VectorType | undefined, start: number, count: number): Vectors {
  const reader = BinReader.open(path, type);
  try {
    return reader.readRows(start, count);
  } finally {
    reader.close();
  }
}

/** The whole file. `shared` puts the rows in a SharedArrayBuffer (for Workers). */
export function readBin(path: string, type?: VectorType, opts: { shared?: boolean } = {}): BinData {
  const reader = BinReader.open(path, type);
  try {
    const { npts, dim } = reader.header;
    const data = allocVectors(reader.header.type, npts * dim, opts.shared ?? false);
    reader.readRowsInto(0, npts, data);
    return { npts, dim, type: reader.header.type, data };
  } finally {
    reader.close();
  }
}

/** Writes `data` (npts * dim elements of `type`) atomically. */
export function writeBin(path: string, type: VectorType, data: Vectors, dim: number): void {
  const writer = new BinWriter(path, type, dim);
  try {
    writer.appendRows(data);
  } catch (err) {
    writer.abort();
    throw err;
  }
  writer.commit();
}

/** An open vector file: validated header plus positioned row reads. */
export class BinReader {
  readonly header: BinHeader;
  private readonly range: FileRange;

  private constructor(range: FileRange, header: BinHeader) {
    this.range = range;
    this.header = header;
  }

  static open(path: string, type?: VectorType): BinReader {
    const range = FileRange.open(path);
    try {
      return new BinReader(range, parseBinHeader(range, type));
    } catch (err) {
      range.close();
      throw err;
    }
  }

  /** Rows [start, start + count) as a fresh typed array. */
  readRows(start: number, count: number): Vectors {
    const out = allocVectors(this.header.type, count * this.header.dim);
    this.readRowsInto(start, count, out);
    return out;
  }

  /** Rows [start, start + count) into the first count*dim elements of `into` (same element type). */
  readRowsInto(start: number, count: number, into: Vectors): void {
    const { npts, dim, type, file } = this.header;
    if (!Number.isInteger(start) || !Number.isInteger(count) || start < 0 || count < 0 || start + count > npts) {
      throw new FormatError(file, "rows", `a range within 0..${npts}`, `start ${start}, count ${count}`, "E_RANGE");
    }
    invariant(into.length >= count * dim, `readRowsInto: buffer holds ${into.length} elements, need ${count * dim}`);
    invariant(typedArrayMatches(into, type), `readRowsInto: buffer type does not match ${type}`);
    const elementBytes = bytesPerElement(type);
    const bytes = new Uint8Array(into.buffer, into.byteOffset, count * dim * elementBytes);
    this.range.readInto(bytes, BIN_HEADER_BYTES + start * dim * elementBytes);
    checkFinite(into, count * dim, file, start, dim);
  }

  close(): void {
    this.range.close();
  }
}

/**
 * Streams rows into a new vector file; the header's npts is patched on commit, so the row count need
 * not be known up front. Nothing appears under `path` until commit().
 */
export class BinWriter {
  readonly path: string;
  readonly type: VectorType;
  readonly dim: number;
  private readonly out: AtomicFileWriter;
  private rows = 0;

  constructor(path: string, type: VectorType, dim: number) {
    invariant(
      Number.isInteger(dim) && dim > 0 && dim <= 0x7fffffff,
      `BinWriter: dim must be a positive int32, got ${dim}`,
    );
    this.path = path;
    this.type = type;
    this.dim = dim;
    this.out = new AtomicFileWriter(path);
    this.out.append(encodeBinHeader(0, dim));
  }

  get rowsWritten(): number {
    return this.rows;
  }

  /** Appends whole rows (data.length must be a multiple of dim). */
  appendRows(data: Vectors): void {
    invariant(typedArrayMatches(data, this.type), `BinWriter(${this.path}): data is not ${this.type}`);
    invariant(
      data.length % this.dim === 0,
      `BinWriter(${this.path}): ${data.length} elements is not a multiple of dim ${this.dim}`,
    );
    this.out.append(data);
    this.rows += data.length / this.dim;
    invariant(this.rows <= 0x7fffffff, `BinWriter(${this.path}): more than 2^31-1 rows`);
  }

  commit(): void {
    this.out.writeAt(encodeBinHeader(this.rows, this.dim), 0);
    this.out.commit();
  }

  abort(): void {
    this.out.abort();
  }
}

export function encodeBinHeader(npts: number, dim: number): Uint8Array {
  const header = new Uint8Array(BIN_HEADER_BYTES);
  const view = new DataView(header.buffer);
  view.setInt32(0, npts, true);
  view.setInt32(4, dim, true);
  return header;
}

function parseBinHeader(range: FileRange, explicitType: VectorType | undefined): BinHeader {
  const file = range.file;
  const fileBytes = range.sizeBytes;
  if (fileBytes < BIN_HEADER_BYTES) {
    throw new FormatError(
      file,
      "header",
      `${BIN_HEADER_BYTES} bytes (int32 npts, int32 dim)`,
      `a file of ${fileBytes} bytes`,
      "E_TRUNCATED",
    );
  }
  const view = new DataView(range.read(0, BIN_HEADER_BYTES).buffer);
  const npts = view.getInt32(0, true);
  const dim = view.getInt32(4, true);
  if (npts < 0) throw new FormatError(file, "npts", "a count ≥ 0", String(npts));
  if (dim <= 0) throw new FormatError(file, "dim", "a dimension > 0", String(dim));
  const payloadBytes = fileBytes - BIN_HEADER_BYTES;
  const elements = npts * dim;
  const type = explicitType ?? vectorTypeFromExtension(file) ?? guessType(file, elements, payloadBytes);
  const expectedBytes = BIN_HEADER_BYTES + elements * bytesPerElement(type);
  if (expectedBytes !== fileBytes) {
    const hint =
      payloadBytes === elements * (bytesPerElement(type) === 4 ? 1 : 4)
        ? ` (that size fits ${bytesPerElement(type) === 4 ? "1-byte" : "float32"} elements: wrong extension or type?)`
        : "";
    throw new FormatError(
      file,
      "file size",
      `${expectedBytes} bytes = 8 + npts ${npts} × dim ${dim} × ${bytesPerElement(type)} (${type})`,
      `${fileBytes} bytes${hint}`,
      expectedBytes > fileBytes ? "E_TRUNCATED" : "E_FORMAT",
    );
  }
  return { file, npts, dim, type, fileBytes };
}

/**
 * A plain ".bin" names no type: float32 is assumed unless the size fits 1-byte elements exactly, where
 * uint8 and int8 cannot be told apart and the caller must say which.
 */
function guessType(file: string, elements: number, payloadBytes: number): VectorType {
  if (elements > 0 && payloadBytes === elements) {
    throw new FormatError(
      file,
      "type",
      "an extension .fbin/.u8bin/.i8bin or an explicit type (the size fits 1-byte elements: uint8 or int8?)",
      `${payloadBytes} payload bytes for ${elements} elements`,
    );
  }
  return "float32";
}

function typedArrayMatches(data: Vectors, type: VectorType): boolean {
  switch (type) {
    case "float32":
      return data instanceof Float32Array;
    case "uint8":
      return data instanceof Uint8Array;
    case "int8":
      return data instanceof Int8Array;
  }
}

/** A zero-copy view of rows [start, start+count) of an in-memory matrix. */
export function rowsView(data: Vectors, type: VectorType, dim: number, start: number, count: number): Vectors {
  return viewVectors(type, data.buffer, data.byteOffset + start * dim * bytesPerElement(type), count * dim);
}
