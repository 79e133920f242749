// DiskANN's range ground truth (every base point within a radius of each query), little-endian:
//   int32 nq | int32 total | int32 counts[nq] | uint32 ids[total]   (query q's ids follow query q-1's)
// Some writers append float32 dists[total]; the reader accepts both and tells them apart by size.
import { FormatError, invariant } from "../errors.ts";
import { AtomicFileWriter } from "./atomic-file.ts";
import { withFileRange } from "./file-range.ts";

export interface RangeTruth {
  readonly nq: number;
  /** Query q's ids are ids[offsets[q] .. offsets[q+1]). */
  readonly offsets: Uint32Array;
  readonly ids: Uint32Array;
  readonly dists: Float32Array | null;
}

export function writeRangeTruth(path: string, truth: RangeTruth): void {
  const { nq, offsets, ids } = truth;
  const total = offsets[nq]!;
  invariant(ids.length === total, `writeRangeTruth: ${ids.length} ids, offsets say ${total}`);
  const head = new Int32Array(2 + nq);
  head[0] = nq;
  head[1] = total;
  for (let q = 0; q < nq; q++) head[2 + q] = offsets[q + 1]! - offsets[q]!;
  const out = new AtomicFileWriter(path);
  try {
    out.append(head);
    out.append(ids);
    if (truth.dists) out.append(truth.dists);
  } catch (err) {
    out.abort();
    throw err;
  }
  out.commit();
}

export function readRangeTruth(path: string): RangeTruth {
  return withFileRange(path, (range) => {
    const file = range.file;
    if (range.sizeBytes < 8)
      throw new FormatError(
        file,
        "header",
        "8 bytes (int32 nq, int32 total)",
        `${range.sizeBytes} bytes`,
        "E_TRUNCATED",
      );
    const head = new DataView(range.read(0, 8).buffer);
    const nq = head.getInt32(0, true);
    const total = head.getInt32(4, true);
    if (nq < 0 || total < 0) throw new FormatError(file, "header", "nq ≥ 0 and total ≥ 0", `${nq}, ${total}`);
    const idsOnly = 8 + 4 * nq + 4 * total;
    const withDists = idsOnly + 4 * total;
    if (range.sizeBytes !== idsOnly && range.sizeBytes !== withDists) {
      throw new FormatError(
        file,
        "file size",
        `${idsOnly} (ids) or ${withDists} (ids+dists) bytes for nq ${nq}, total ${total}`,
        `${range.sizeBytes} bytes`,
      );
    }
    const counts = new Int32Array(nq);
    range.readInto(new Uint8Array(counts.buffer), 8);
    const offsets = new Uint32Array(nq + 1);
    for (let q = 0; q < nq; q++) {
      if (counts[q]! < 0) throw new FormatError(file, `count of query ${q}`, "≥ 0", String(counts[q]));
      offsets[q + 1] = offsets[q]! + counts[q]!;
    }
    if (offsets[nq] !== total)
      throw new FormatError(file, "counts", `a sum of ${total} (the header's total)`, String(offsets[nq]));
    const ids = new Uint32Array(total);
    range.readInto(new Uint8Array(ids.buffer), 8 + 4 * nq);
    let dists: Float32Array | null = null;
    if (range.sizeBytes === withDists && total > 0) {
      dists = new Float32Array(total);
      range.readInto(new Uint8Array(dists.buffer), idsOnly);
    }
    return { nq, offsets, ids, dists };
  });
}
