// `<prefix>_pq_pivots.bin` and `<prefix>_pq_compressed.bin` (docs/disk-format.md).
// Pivots: a .bin<uint64> of block offsets at 0, then .bin blocks (int32 rows | int32 cols | data):
//   nr=4 (DiskANN C++/Rust): pivots 256×dim f32, centroid dim×1 f32, chunk offsets (M+1)×1 u32
//   nr=5 (PipeANN, older DiskANN): the same with a dim×1 u32 rearrangement before the chunk offsets.
// The last offset is the file size. PipeANN only accepts nr=5, DiskANN both, so ringann writes nr=5
// with the identity rearrangement by default.
// Compressed: int32 npts | int32 M | u8 codes[npts*M].
import { FormatError } from "../errors.ts";
import { SECTOR_BYTES } from "./sector.ts";
import { dataViewOf, readI32, readU64, writeU64 } from "./u64-fields.ts";
import { checkFinite } from "./vector-type.ts";

export const PQ_CENTERS = 256;

export interface PqPivots {
  readonly dim: number;
  /** Number of chunks = PQ bytes per vector. */
  readonly M: number;
  /** 256 × dim, row c = centre c of every chunk (chunk m owns columns chunkOffsets[m]..[m+1]-1). */
  readonly pivots: Float32Array;
  /** dim values subtracted from a vector before quantising. */
  readonly centroid: Float32Array;
  /** nr=5 only: column j holds original dimension perm[j]; null when absent. */
  readonly perm: Uint32Array | null;
  /** M + 1 values, 0 .. dim, strictly increasing. */
  readonly chunkOffsets: Uint32Array;
  readonly offsetCount: 4 | 5;
}

interface BinBlock {
  rows: number;
  cols: number;
  dataOffset: number;
}

function readBlock(view: DataView, at: number, file: string, field: string): BinBlock {
  const rows = readI32(view, at, file, `${field} rows`);
  const cols = readI32(view, at + 4, file, `${field} cols`);
  if (rows < 0 || cols < 0)
    throw new FormatError(file, `${field} shape`, "non-negative rows and cols", `${rows} x ${cols}`);
  return { rows, cols, dataOffset: at + 8 };
}

function expectShape(block: BinBlock, rows: number, cols: number, file: string, field: string): void {
  if (block.rows !== rows || block.cols !== cols) {
    throw new FormatError(file, `${field} shape`, `${rows} x ${cols}`, `${block.rows} x ${block.cols}`);
  }
}

function copyF32(bytes: Uint8Array, at: number, count: number): Float32Array {
  return new Float32Array(bytes.slice(at, at + count * 4).buffer);
}

function copyU32(bytes: Uint8Array, at: number, count: number): Uint32Array {
  return new Uint32Array(bytes.slice(at, at + count * 4).buffer);
}

/** Parses a whole `_pq_pivots.bin` (it is small: ~256 × dim floats). */
export function parsePqPivots(bytes: Uint8Array, file: string): PqPivots {
  const view = dataViewOf(bytes);
  const nr = readI32(view, 0, file, "offsets nr");
  const nc = readI32(view, 4, file, "offsets nc");
  if (nr !== 4 && nr !== 5) throw new FormatError(file, "offsets nr", "4 (DiskANN) or 5 (PipeANN)", String(nr));
  if (nc !== 1) throw new FormatError(file, "offsets nc", "1", String(nc));
  const offsets: number[] = [];
  for (let i = 0; i < nr; i++) offsets.push(readU64(view, 8 + 8 * i, file, `offsets[${i}]`));
  if (offsets[nr - 1] !== bytes.length) {
    throw new FormatError(
      file,
      `offsets[${nr - 1}] (file size)`,
      `${bytes.length} (the file's size)`,
      String(offsets[nr - 1]),
    );
  }
  for (let i = 0; i < nr; i++) {
    const lo = i === 0 ? 8 + 8 * nr : offsets[i - 1]! + 8;
    if (offsets[i]! < lo || offsets[i]! > bytes.length) {
      throw new FormatError(
        file,
        `offsets[${i}]`,
        `increasing block offsets in ${lo}..${bytes.length}`,
        String(offsets[i]),
      );
    }
  }

  const pivotsBlock = readBlock(view, offsets[0]!, file, "pivots");
  const dim = pivotsBlock.cols;
  if (dim < 1) throw new FormatError(file, "pivots cols (ndims)", "≥ 1", String(dim));
  expectShape(pivotsBlock, PQ_CENTERS, dim, file, "pivots");
  if (offsets[0]! + 8 + PQ_CENTERS * dim * 4 > offsets[1]!) {
    throw new FormatError(
      file,
      "pivots block",
      `${8 + PQ_CENTERS * dim * 4} bytes before offsets[1]`,
      `${offsets[1]! - offsets[0]!}`,
    );
  }
  const pivots = copyF32(bytes, pivotsBlock.dataOffset, PQ_CENTERS * dim);
  checkFinite(pivots, pivots.length, file, 0, dim, "pivot");

  const centroidBlock = readBlock(view, offsets[1]!, file, "centroid");
  expectShape(centroidBlock, dim, 1, file, "centroid");
  const centroid = copyF32(bytes, centroidBlock.dataOffset, dim);
  checkFinite(centroid, dim, file, 0, dim, "centroid");

  let perm: Uint32Array | null = null;
  let chunkAt = offsets[2]!;
  if (nr === 5) {
    const permBlock = readBlock(view, offsets[2]!, file, "rearrangement");
    expectShape(permBlock, dim, 1, file, "rearrangement");
    perm = copyU32(bytes, permBlock.dataOffset, dim);
    const seen = new Uint8Array(dim);
    for (let j = 0; j < dim; j++) {
      const p = perm[j]!;
      if (p >= dim || seen[p])
        throw new FormatError(file, `rearrangement[${j}]`, `a permutation of 0..${dim - 1}`, String(p));
      seen[p] = 1;
    }
    chunkAt = offsets[3]!;
  }

  const chunkBlock = readBlock(view, chunkAt, file, "chunk offsets");
  if (chunkBlock.cols !== 1 || chunkBlock.rows < 2 || chunkBlock.rows > dim + 1) {
    throw new FormatError(
      file,
      "chunk offsets shape",
      `(M+1) x 1 with 1 ≤ M ≤ ${dim}`,
      `${chunkBlock.rows} x ${chunkBlock.cols}`,
    );
  }
  if (chunkBlock.dataOffset + chunkBlock.rows * 4 > bytes.length) {
    throw new FormatError(file, "chunk offsets", `${chunkBlock.rows * 4} bytes`, `file ends at ${bytes.length}`);
  }
  const chunkOffsets = copyU32(bytes, chunkBlock.dataOffset, chunkBlock.rows);
  const M = chunkBlock.rows - 1;
  if (chunkOffsets[0] !== 0) throw new FormatError(file, "chunk_offsets[0]", "0", String(chunkOffsets[0]));
  if (chunkOffsets[M] !== dim)
    throw new FormatError(file, `chunk_offsets[${M}]`, `ndims (${dim})`, String(chunkOffsets[M]));
  for (let m = 1; m <= M; m++) {
    if (chunkOffsets[m]! <= chunkOffsets[m - 1]!) {
      throw new FormatError(
        file,
        `chunk_offsets[${m}]`,
        `> chunk_offsets[${m - 1}] (${chunkOffsets[m - 1]})`,
        String(chunkOffsets[m]),
      );
    }
  }
  return { dim, M, pivots, centroid, perm, chunkOffsets, offsetCount: nr };
}

export interface PqPivotsInput {
  readonly pivots: Float32Array;
  readonly centroid: Float32Array;
  readonly chunkOffsets: Uint32Array;
  /** Written only with offsetCount 5; identity when omitted. */
  readonly perm?: Uint32Array | null;
}

function binBlock(rows: number, cols: number, data: Float32Array | Uint32Array): Uint8Array {
  const out = new Uint8Array(8 + data.byteLength);
  const view = dataViewOf(out);
  view.setInt32(0, rows, true);
  view.setInt32(4, cols, true);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), 8);
  return out;
}

/** Encodes `_pq_pivots.bin`; offsetCount 5 (default) is what PipeANN requires and DiskANN accepts. */
export function encodePqPivots(input: PqPivotsInput, offsetCount: 4 | 5 = 5): Uint8Array {
  const dim = input.centroid.length;
  const M = input.chunkOffsets.length - 1;
  if (input.pivots.length !== PQ_CENTERS * dim)
    throw new RangeError(`pivots must hold 256 x ${dim} floats, got ${input.pivots.length}`);
  if (M < 1 || input.chunkOffsets[0] !== 0 || input.chunkOffsets[M] !== dim)
    throw new RangeError(`chunk offsets must run 0..${dim}`);
  const blocks = [binBlock(PQ_CENTERS, dim, input.pivots), binBlock(dim, 1, input.centroid)];
  if (offsetCount === 5) {
    let perm = input.perm ?? null;
    if (perm === null) {
      perm = new Uint32Array(dim);
      for (let j = 0; j < dim; j++) perm[j] = j;
    }
    blocks.push(binBlock(dim, 1, perm));
  }
  blocks.push(binBlock(M + 1, 1, input.chunkOffsets));
  const offsets: number[] = [SECTOR_BYTES];
  for (const b of blocks) offsets.push(offsets[offsets.length - 1]! + b.length);
  const out = new Uint8Array(offsets[offsets.length - 1]!);
  const view = dataViewOf(out);
  view.setInt32(0, offsetCount, true);
  view.setInt32(4, 1, true);
  for (let i = 0; i < offsets.length; i++) writeU64(view, 8 + 8 * i, offsets[i]!);
  for (let i = 0; i < blocks.length; i++) out.set(blocks[i]!, offsets[i]!);
  return out;
}

export interface PqCodes {
  readonly npts: number;
  readonly M: number;
  /** npts × M bytes, row-major (a view of the input, not a copy). */
  readonly codes: Uint8Array;
}

/** Parses `_pq_compressed.bin`; `expect` checks npts / M against the disk index and pivots. */
export function parsePqCompressed(
  bytes: Uint8Array,
  file: string,
  expect: { npts?: number; M?: number } = {},
): PqCodes {
  const view = dataViewOf(bytes);
  const npts = readI32(view, 0, file, "npts");
  const M = readI32(view, 4, file, "M (chunks)");
  if (npts < 1) throw new FormatError(file, "npts", "≥ 1", String(npts));
  if (M < 1) throw new FormatError(file, "M (chunks)", "≥ 1", String(M));
  if (expect.npts !== undefined && npts !== expect.npts)
    throw new FormatError(file, "npts", `${expect.npts} (the disk index's npts)`, String(npts));
  if (expect.M !== undefined && M !== expect.M)
    throw new FormatError(file, "M (chunks)", `${expect.M} (the pivots' chunk count)`, String(M));
  const want = 8 + npts * M;
  if (bytes.length !== want)
    throw new FormatError(file, "file size", `8 + ${npts} x ${M} = ${want} bytes`, `${bytes.length} bytes`);
  return { npts, M, codes: bytes.subarray(8, want) };
}

/** The 8-byte header of `_pq_compressed.bin` (the codes follow it unchanged). */
export function encodePqCompressedHeader(npts: number, M: number): Uint8Array {
  const out = new Uint8Array(8);
  const view = dataViewOf(out);
  view.setInt32(0, npts, true);
  view.setInt32(4, M, true);
  return out;
}
