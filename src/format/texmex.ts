// texmex vector files (the corpus-texmex / ann-benchmarks SIFT/GIST formats), little-endian:
//   every vector: int32 d | T values[d]       T = float32 (.fvecs), int32 (.ivecs), uint8 (.bvecs)
// There is no file header: the first int32 gives d, every row must repeat it, and the file size must
// be a whole number of rows. Rows are read by positioned reads of just the requested range.
import { FormatError, invariant } from "../errors.ts";
import { AtomicFileWriter } from "./atomic-file.ts";
import { FileRange } from "./file-range.ts";
import { checkFinite } from "./vector-type.ts";

export type TexmexKind = "fvecs" | "ivecs" | "bvecs";
export type TexmexValues = Float32Array | Int32Array | Uint8Array;

export interface TexmexHeader {
  readonly file: string;
  readonly kind: TexmexKind;
  readonly npts: number;
  readonly dim: number;
  readonly fileBytes: number;
}

export function texmexKindFromExtension(path: string): TexmexKind | null {
  const lower = path.toLowerCase();
  if (lower.endsWith(".fvecs")) return "fvecs";
  if (lower.endsWith(".ivecs")) return "ivecs";
  if (lower.endsWith(".bvecs")) return "bvecs";
  return null;
}

export function texmexValueBytes(kind: TexmexKind): number {
  return kind === "bvecs" ? 1 : 4;
}

function allocValues(kind: TexmexKind, count: number): TexmexValues {
  if (kind === "fvecs") return new Float32Array(count);
  if (kind === "ivecs") return new Int32Array(count);
  return new Uint8Array(count);
}

function valuesMatch(kind: TexmexKind, values: TexmexValues): boolean {
  if (kind === "fvecs") return values instanceof Float32Array;
  if (kind === "ivecs") return values instanceof Int32Array;
  return values instanceof Uint8Array;
}

/** An open texmex file: its shape (from the first row and the size) and positioned row reads. */
export class TexmexReader {
  readonly header: TexmexHeader;
  private readonly range: FileRange;
  private readonly rowBytes: number;

  private constructor(range: FileRange, header: TexmexHeader) {
    this.range = range;
    this.header = header;
    this.rowBytes = 4 + header.dim * texmexValueBytes(header.kind);
  }

  static open(path: string, kind?: TexmexKind): TexmexReader {
    const range = FileRange.open(path);
    try {
      const k = kind ?? texmexKindFromExtension(path);
      if (k === null)
        throw new FormatError(
          path,
          "extension",
          ".fvecs, .ivecs or .bvecs (or an explicit kind)",
          JSON.stringify(path),
        );
      return new TexmexReader(range, parseHeader(range, k));
    } catch (err) {
      range.close();
      throw err;
    }
  }

  readRows(start: number, count: number): TexmexValues {
    const out = allocValues(this.header.kind, count * this.header.dim);
    this.readRowsInto(start, count, out);
    return out;
  }

  /** Rows [start, start+count) without their per-row `d` into `into` (count*dim values). */
  readRowsInto(start: number, count: number, into: TexmexValues): void {
    const { npts, dim, kind, file } = this.header;
    if (!Number.isInteger(start) || !Number.isInteger(count) || start < 0 || count < 0 || start + count > npts) {
      throw new FormatError(file, "rows", `a range within 0..${npts}`, `start ${start}, count ${count}`, "E_RANGE");
    }
    invariant(
      valuesMatch(kind, into) && into.length >= count * dim,
      `TexmexReader.readRowsInto: buffer does not fit ${count} ${kind} rows`,
    );
    const out = new Uint8Array(into.buffer, into.byteOffset, count * dim * texmexValueBytes(kind));
    const valueBytes = dim * texmexValueBytes(kind);
    // Read a bounded block of raw rows at a time, then drop each row's leading d.
    const rowsPerBlock = Math.max(1, Math.floor((8 << 20) / this.rowBytes));
    const raw = new Uint8Array(Math.min(count, rowsPerBlock) * this.rowBytes);
    const rawView = new DataView(raw.buffer);
    for (let done = 0; done < count; ) {
      const rows = Math.min(rowsPerBlock, count - done);
      const block = raw.subarray(0, rows * this.rowBytes);
      this.range.readInto(block, (start + done) * this.rowBytes);
      for (let r = 0; r < rows; r++) {
        const d = rawView.getInt32(r * this.rowBytes, true);
        if (d !== dim)
          throw new FormatError(file, `d of vector ${start + done + r}`, `${dim} (the first vector's d)`, String(d));
        out.set(block.subarray(r * this.rowBytes + 4, (r + 1) * this.rowBytes), (done + r) * valueBytes);
      }
      done += rows;
    }
    if (kind === "fvecs") checkFinite(into, count * dim, file, start, dim);
  }

  close(): void {
    this.range.close();
  }
}

export function readTexmex(path: string, kind?: TexmexKind): { header: TexmexHeader; data: TexmexValues } {
  const reader = TexmexReader.open(path, kind);
  try {
    return { header: reader.header, data: reader.readRows(0, reader.header.npts) };
  } finally {
    reader.close();
  }
}

/** Streams rows into a texmex file; nothing appears under `path` until commit(). */
export class TexmexWriter {
  readonly kind: TexmexKind;
  readonly dim: number;
  private readonly out: AtomicFileWriter;
  private readonly scratch: Uint8Array;
  private readonly rowsPerBlock: number;

  constructor(path: string, kind: TexmexKind, dim: number) {
    invariant(
      Number.isInteger(dim) && dim > 0 && dim <= 0x7fffffff,
      `TexmexWriter: dim must be a positive int32, got ${dim}`,
    );
    this.kind = kind;
    this.dim = dim;
    const rowBytes = 4 + dim * texmexValueBytes(kind);
    this.rowsPerBlock = Math.max(1, Math.floor((8 << 20) / rowBytes));
    this.scratch = new Uint8Array(this.rowsPerBlock * rowBytes);
    this.out = new AtomicFileWriter(path);
  }

  appendRows(values: TexmexValues): void {
    invariant(valuesMatch(this.kind, values), `TexmexWriter: values are not ${this.kind}`);
    invariant(
      values.length % this.dim === 0,
      `TexmexWriter: ${values.length} values is not a multiple of dim ${this.dim}`,
    );
    const valueBytes = this.dim * texmexValueBytes(this.kind);
    const rowBytes = 4 + valueBytes;
    const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
    const view = new DataView(this.scratch.buffer);
    const total = values.length / this.dim;
    for (let done = 0; done < total; ) {
      const rows = Math.min(this.rowsPerBlock, total - done);
      for (let r = 0; r < rows; r++) {
        view.setInt32(r * rowBytes, this.dim, true);
        this.scratch.set(bytes.subarray((done + r) * valueBytes, (done + r + 1) * valueBytes), r * rowBytes + 4);
      }
      this.out.append(this.scratch.subarray(0, rows * rowBytes));
      done += rows;
    }
  }

  commit(): void {
    this.out.commit();
  }

  abort(): void {
    this.out.abort();
  }
}

export function writeTexmex(path: string, kind: TexmexKind, values: TexmexValues, dim: number): void {
  const writer = new TexmexWriter(path, kind, dim);
  try {
    writer.appendRows(values);
  } catch (err) {
    writer.abort();
    throw err;
  }
  writer.commit();
}

function parseHeader(range: FileRange, kind: TexmexKind): TexmexHeader {
  const file = range.file;
  const fileBytes = range.sizeBytes;
  if (fileBytes === 0) return { file, kind, npts: 0, dim: 0, fileBytes };
  if (fileBytes < 4)
    throw new FormatError(file, "d of vector 0", "an int32 (4 bytes)", `a file of ${fileBytes} bytes`, "E_TRUNCATED");
  const dim = new DataView(range.read(0, 4).buffer).getInt32(0, true);
  if (dim <= 0) throw new FormatError(file, "d of vector 0", "a dimension > 0", String(dim));
  const rowBytes = 4 + dim * texmexValueBytes(kind);
  if (fileBytes % rowBytes !== 0) {
    const whole = Math.floor(fileBytes / rowBytes);
    throw new FormatError(
      file,
      "file size",
      `a multiple of ${rowBytes} bytes (4 + d ${dim} × ${texmexValueBytes(kind)}, ${kind})`,
      `${fileBytes} bytes (${whole} whole vectors and ${fileBytes - whole * rowBytes} bytes more)`,
      "E_TRUNCATED",
    );
  }
  return { file, kind, npts: fileBytes / rowBytes, dim, fileBytes };
}
