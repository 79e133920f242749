// Converting vector files between formats and element types, a bounded block of rows at a time.
// Element conversions must be lossless: float → integer types only when every value is an integer in
// range (the first value that is not is reported by row and column), int32 → float32 only below 2^24.
import { FormatError } from "../errors.ts";
import { BinWriter } from "./bin.ts";
import { readTruth, writeTruth } from "./truth.ts";
import { writeIdx } from "./idx.ts";
import { readTexmex, TexmexWriter, texmexKindFromExtension, writeTexmex, type TexmexKind } from "./texmex.ts";
import { allocElements, openVectorFile, vectorFileFormat, type ElementArray, type ElementType } from "./vector-file.ts";
import { vectorTypeFromExtension, type VectorType, type Vectors } from "./vector-type.ts";

export interface ConvertOptions {
  /** Element type of a plain ".bin" input holding 1-byte values. */
  readonly inType?: VectorType;
  /** Element type of a plain ".bin" output (default: the input's, when it is a vector type). */
  readonly outType?: VectorType;
  /** Convert only the first N rows. */
  readonly limit?: number;
  readonly onRows?: (done: number, total: number) => void;
}

export interface ConvertResult {
  readonly rows: number;
  readonly dim: number;
  readonly inType: ElementType;
  readonly outType: ElementType;
}

const BLOCK_BYTES = 8 << 20;
const TEXMEX_TYPE: Record<TexmexKind, ElementType> = { fvecs: "float32", ivecs: "int32", bvecs: "uint8" };
const RANGE: Record<ElementType, [number, number]> = {
  float32: [-Infinity, Infinity],
  int32: [-(2 ** 31), 2 ** 31 - 1],
  uint8: [0, 255],
  int8: [-128, 127],
};

export function outputElementType(outPath: string, inType: ElementType, explicit?: VectorType): ElementType {
  const format = vectorFileFormat(outPath);
  if (format === "texmex") return TEXMEX_TYPE[texmexKindFromExtension(outPath)!];
  if (format === "bin") {
    const byExt = vectorTypeFromExtension(outPath);
    if (byExt && explicit && byExt !== explicit)
      throw new FormatError(outPath, "type", `${byExt} (the extension's)`, explicit);
    const t = byExt ?? explicit ?? (inType === "int32" ? null : inType);
    if (t === null)
      throw new FormatError(outPath, "type", "an explicit output type for int32 input (float32|uint8|int8)", "none");
    return t;
  }
  if (format === "idx") {
    if (explicit) return explicit;
    return inType === "int32" ? "float32" : inType;
  }
  throw new FormatError(
    outPath,
    "extension",
    ".fbin/.u8bin/.i8bin/.bin, .fvecs/.ivecs/.bvecs or MNIST idx (.gz)",
    JSON.stringify(outPath),
  );
}

export function convertVectorFile(inPath: string, outPath: string, opts: ConvertOptions = {}): ConvertResult {
  const reader = openVectorFile(inPath, { type: opts.inType });
  try {
    const { dim } = reader;
    const rows = Math.min(reader.npts, opts.limit ?? reader.npts);
    const outType = outputElementType(outPath, reader.type, opts.outType);
    const sink = openSink(outPath, outType, dim, rows);
    try {
      const blockRows = Math.max(1, Math.floor(BLOCK_BYTES / (dim * 4)));
      const input = allocElements(reader.type, Math.min(blockRows, Math.max(rows, 1)) * dim);
      const output = outType === reader.type ? input : allocElements(outType, input.length);
      for (let start = 0; start < rows; start += blockRows) {
        const count = Math.min(blockRows, rows - start);
        const n = count * dim;
        reader.readRowsInto(start, count, input);
        if (output !== input) convertValues(input, output, n, outType, inPath, start, dim);
        sink.append(output.subarray(0, n) as ElementArray);
        opts.onRows?.(start + count, rows);
      }
      sink.commit();
    } catch (err) {
      sink.abort();
      throw err;
    }
    return { rows, dim, inType: reader.type, outType };
  } finally {
    reader.close();
  }
}

function convertValues(
  input: ElementArray,
  output: ElementArray,
  n: number,
  outType: ElementType,
  file: string,
  firstRow: number,
  dim: number,
): void {
  const [lo, hi] = RANGE[outType];
  const integral = outType !== "float32";
  for (let i = 0; i < n; i++) {
    const v = input[i]!;
    if (integral ? !(Number.isInteger(v) && v >= lo && v <= hi) : Math.fround(v) !== v) {
      throw new FormatError(
        file,
        `value of vector ${firstRow + Math.floor(i / dim)}, dimension ${i % dim}`,
        integral ? `an integer in ${lo}..${hi} (${outType} output)` : "a value float32 holds exactly (|int| ≤ 2^24)",
        String(v),
      );
    }
    output[i] = v;
  }
}

interface Sink {
  append(values: ElementArray): void;
  commit(): void;
  abort(): void;
}

function openSink(path: string, type: ElementType, dim: number, rows: number): Sink {
  const format = vectorFileFormat(path);
  if (format === "texmex") {
    const w = new TexmexWriter(path, texmexKindFromExtension(path)!, dim);
    return {
      append: (v) => w.appendRows(v as Float32Array | Int32Array | Uint8Array),
      commit: () => w.commit(),
      abort: () => w.abort(),
    };
  }
  if (format === "bin") {
    const w = new BinWriter(path, type as VectorType, dim);
    return { append: (v) => w.appendRows(v as Vectors), commit: () => w.commit(), abort: () => w.abort() };
  }
  // idx is one gzip stream: gather the (small) file in memory, write it atomically on commit.
  const all = allocElements(type, rows * dim) as Vectors;
  let filled = 0;
  return {
    append: (v) => {
      all.set(v as ArrayLike<number>, filled);
      filled += v.length;
    },
    commit: () => writeIdx(path, type as VectorType, [rows, dim], all),
    abort: () => {},
  };
}

/**
 * Ground truth between DiskANN's truth file and texmex .ivecs (one row of K ids per query, as SIFT's
 * groundtruth files ship): .ivecs → .bin writes an ids-only truth file; .bin → .ivecs keeps the ids.
 */
export function convertTruthFile(inPath: string, outPath: string): { nq: number; k: number } {
  const inKind = texmexKindFromExtension(inPath);
  const outKind = texmexKindFromExtension(outPath);
  if (inKind === "ivecs" && outKind === null) {
    const { header, data } = readTexmex(inPath, "ivecs");
    const ids = new Uint32Array(data.buffer, data.byteOffset, data.length);
    writeTruth(outPath, { nq: header.npts, k: header.dim, ids, dists: null });
    return { nq: header.npts, k: header.dim };
  }
  if (inKind === null && outKind === "ivecs") {
    const truth = readTruth(inPath);
    writeTexmex(outPath, "ivecs", new Int32Array(truth.ids.buffer, truth.ids.byteOffset, truth.ids.length), truth.k);
    return { nq: truth.nq, k: truth.k };
  }
  throw new FormatError(
    outPath,
    "extension",
    "a truth conversion between .ivecs and a DiskANN truth .bin",
    `${inPath} → ${outPath}`,
  );
}
