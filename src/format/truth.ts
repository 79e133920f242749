// DiskANN ground-truth files, little-endian:
//   int32 nq | int32 K | uint32 ids[nq*K] | float32 dists[nq*K] | (some writers) uint32 tags[nq*K]
// Writers differ: some omit the distances, some append tags. The variant is told apart by the file
// size, 8 + nq*K*4 * {1, 2, 3}; any other size is an error naming the sizes that would have fit.
// ids are sorted by distance per query (squared L2 for l2; smaller is closer for every metric).
import { FormatError, invariant } from "../errors.ts";
import { AtomicFileWriter } from "./atomic-file.ts";
import { withFileRange } from "./file-range.ts";

export const TRUTH_HEADER_BYTES = 8;

export interface Truth {
  readonly nq: number;
  readonly k: number;
  /** nq * k ids, row q = the k nearest base ids of query q, nearest first. */
  readonly ids: Uint32Array;
  /** nq * k distances matching `ids`, or null when the file holds ids only. */
  readonly dists: Float32Array | null;
  /** A third block some writers append (tags), else null. */
  readonly tags?: Uint32Array | null;
}

export type TruthVariant = "ids" | "ids+dists" | "ids+dists+tags";

export interface TruthHeader {
  readonly file: string;
  readonly nq: number;
  readonly k: number;
  readonly variant: TruthVariant;
  readonly fileBytes: number;
}

export function readTruthHeader(path: string): TruthHeader {
  return withFileRange(path, (range) => {
    const file = range.file;
    const fileBytes = range.sizeBytes;
    if (fileBytes < TRUTH_HEADER_BYTES) {
      throw new FormatError(
        file,
        "header",
        `${TRUTH_HEADER_BYTES} bytes (int32 nq, int32 K)`,
        `a file of ${fileBytes} bytes`,
        "E_TRUNCATED",
      );
    }
    const view = new DataView(range.read(0, TRUTH_HEADER_BYTES).buffer);
    const nq = view.getInt32(0, true);
    const k = view.getInt32(4, true);
    if (nq < 0) throw new FormatError(file, "nq", "a query count ≥ 0", String(nq));
    if (k <= 0) throw new FormatError(file, "K", "a neighbour count > 0", String(k));
    const blockBytes = nq * k * 4;
    const blocks = blockBytes === 0 ? 2 : (fileBytes - TRUTH_HEADER_BYTES) / blockBytes;
    if (blocks !== 1 && blocks !== 2 && blocks !== 3) {
      const fits = [1, 2, 3].map((m) => TRUTH_HEADER_BYTES + m * blockBytes);
      throw new FormatError(
        file,
        "file size",
        `${fits[0]} (ids), ${fits[1]} (ids+dists) or ${fits[2]} (ids+dists+tags) bytes for nq ${nq} × K ${k}`,
        `${fileBytes} bytes`,
        fileBytes < fits[0]! ? "E_TRUNCATED" : "E_FORMAT",
      );
    }
    const variant: TruthVariant = blocks === 1 ? "ids" : blocks === 2 ? "ids+dists" : "ids+dists+tags";
    return { file, nq, k, variant, fileBytes };
  });
}

export function readTruth(path: string): Truth {
  const header = readTruthHeader(path);
  const { nq, k, variant } = header;
  const count = nq * k;
  return withFileRange(path, (range) => {
    const ids = new Uint32Array(count);
    range.readInto(new Uint8Array(ids.buffer), TRUTH_HEADER_BYTES);
    let dists: Float32Array | null = null;
    let tags: Uint32Array | null = null;
    if (variant !== "ids") {
      dists = new Float32Array(count);
      range.readInto(new Uint8Array(dists.buffer), TRUTH_HEADER_BYTES + count * 4);
    }
    if (variant === "ids+dists+tags") {
      tags = new Uint32Array(count);
      range.readInto(new Uint8Array(tags.buffer), TRUTH_HEADER_BYTES + count * 8);
    }
    return { nq, k, ids, dists, tags };
  });
}

/** Writes a truth file atomically: ids, then dists unless null, then tags when given. */
export function writeTruth(path: string, truth: Truth): void {
  const { nq, k, ids, dists } = truth;
  const tags = truth.tags ?? null;
  const count = nq * k;
  invariant(Number.isInteger(nq) && nq >= 0 && nq <= 0x7fffffff, `writeTruth: nq must be an int32 ≥ 0, got ${nq}`);
  invariant(Number.isInteger(k) && k > 0 && k <= 0x7fffffff, `writeTruth: k must be an int32 > 0, got ${k}`);
  invariant(ids.length === count, `writeTruth: ids holds ${ids.length}, expected nq*k = ${count}`);
  invariant(dists === null || dists.length === count, `writeTruth: dists holds ${dists?.length}, expected ${count}`);
  invariant(tags === null || dists !== null, "writeTruth: a tags block needs a dists block before it");
  invariant(tags === null || tags.length === count, `writeTruth: tags holds ${tags?.length}, expected ${count}`);
  const header = new Uint8Array(TRUTH_HEADER_BYTES);
  const view = new DataView(header.buffer);
  view.setInt32(0, nq, true);
  view.setInt32(4, k, true);
  const out = new AtomicFileWriter(path);
  try {
    out.append(header);
    out.append(ids);
    if (dists) out.append(dists);
    if (tags) out.append(tags);
  } catch (err) {
    out.abort();
    throw err;
  }
  out.commit();
}

/** Row q of a truth table as zero-copy views. */
export function truthRow(truth: Truth, q: number): { ids: Uint32Array; dists: Float32Array | null } {
  const start = q * truth.k;
  return {
    ids: truth.ids.subarray(start, start + truth.k),
    dists: truth.dists ? truth.dists.subarray(start, start + truth.k) : null,
  };
}
