// One way to read rows from any vector file ringann understands, chosen by extension (or an explicit
// format): DiskANN .fbin/.u8bin/.i8bin/.bin, texmex .fvecs/.ivecs/.bvecs, MNIST idx (.gz / -ubyte).
// Converters and ground truth read through this, a bounded block of rows at a time.
import { FormatError } from "../errors.ts";
import { BinReader } from "./bin.ts";
import { readIdx } from "./idx.ts";
import { TexmexReader, texmexKindFromExtension, type TexmexKind } from "./texmex.ts";
import { allocVectors, vectorTypeFromExtension, viewVectors, type VectorType, type Vectors } from "./vector-type.ts";

/** Element types found in files: the vector types plus int32 (texmex .ivecs). */
export type ElementType = VectorType | "int32";
export type ElementArray = Vectors | Int32Array;
export type VectorFileFormat = "bin" | "texmex" | "idx";

export interface VectorFileReader {
  readonly file: string;
  readonly format: VectorFileFormat;
  readonly type: ElementType;
  readonly npts: number;
  readonly dim: number;
  /** Rows [start, start+count) into the first count*dim elements of `into` (of `type`). */
  readRowsInto(start: number, count: number, into: ElementArray): void;
  readRows(start: number, count: number): ElementArray;
  close(): void;
}

export function vectorFileFormat(path: string): VectorFileFormat | null {
  const lower = path.toLowerCase();
  if (texmexKindFromExtension(lower) !== null) return "texmex";
  if (lower.endsWith(".bin") || vectorTypeFromExtension(lower) !== null) return "bin";
  if (lower.endsWith(".gz") || lower.endsWith("-ubyte") || lower.endsWith(".idx")) return "idx";
  return null;
}

export function allocElements(type: ElementType, count: number, shared = false): ElementArray {
  if (type !== "int32") return allocVectors(type, count, shared);
  return new Int32Array(shared ? new SharedArrayBuffer(count * 4) : new ArrayBuffer(count * 4));
}

/** Opens a vector file; `type` is needed only for a plain ".bin" holding 1-byte elements. */
export function openVectorFile(path: string, opts: { type?: VectorType } = {}): VectorFileReader {
  const format = vectorFileFormat(path);
  switch (format) {
    case "bin":
      return binSource(BinReader.open(path, opts.type));
    case "texmex":
      return texmexSource(TexmexReader.open(path));
    case "idx":
      return idxSource(path);
    case null:
      throw new FormatError(
        path,
        "extension",
        ".fbin/.u8bin/.i8bin/.bin, .fvecs/.ivecs/.bvecs or MNIST idx (.gz, -ubyte)",
        JSON.stringify(path),
      );
  }
}

function binSource(reader: BinReader): VectorFileReader {
  const { file, type, npts, dim } = reader.header;
  return {
    file,
    format: "bin",
    type,
    npts,
    dim,
    readRowsInto: (start, count, into) => reader.readRowsInto(start, count, into as Vectors),
    readRows: (start, count) => reader.readRows(start, count),
    close: () => reader.close(),
  };
}

const TEXMEX_TYPE: Record<TexmexKind, ElementType> = { fvecs: "float32", ivecs: "int32", bvecs: "uint8" };

function texmexSource(reader: TexmexReader): VectorFileReader {
  const { file, kind, npts, dim } = reader.header;
  return {
    file,
    format: "texmex",
    type: TEXMEX_TYPE[kind],
    npts,
    dim,
    readRowsInto: (start, count, into) =>
      reader.readRowsInto(start, count, into as Float32Array | Int32Array | Uint8Array),
    readRows: (start, count) => reader.readRows(start, count),
    close: () => reader.close(),
  };
}

/** idx files are gzip streams: decompressed once, then served from memory (they are small). */
function idxSource(path: string): VectorFileReader {
  const { header, data } = readIdx(path);
  const { npts, dim, type } = header;
  const rows = (start: number, count: number): Vectors => {
    if (!Number.isInteger(start) || !Number.isInteger(count) || start < 0 || count < 0 || start + count > npts) {
      throw new FormatError(path, "rows", `a range within 0..${npts}`, `start ${start}, count ${count}`, "E_RANGE");
    }
    return viewVectors(type, data.buffer, data.byteOffset + start * dim * data.BYTES_PER_ELEMENT, count * dim);
  };
  return {
    file: path,
    format: "idx",
    type,
    npts,
    dim,
    readRowsInto: (start, count, into) => {
      const src = rows(start, count);
      new Uint8Array(into.buffer, into.byteOffset, src.byteLength).set(
        new Uint8Array(src.buffer, src.byteOffset, src.byteLength),
      );
    },
    readRows: (start, count) => rows(start, count).slice(),
    close: () => {},
  };
}
