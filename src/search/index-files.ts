// Loads and cross-checks the in-memory parts of a disk index before any search runs:
//   <prefix>_disk.index      sector 0 only (the header); nodes are read on demand
//   <prefix>_pq_pivots.bin   PQ centres (nr=4 DiskANN or nr=5 PipeANN)
//   <prefix>_pq_compressed.bin   PQ codes of every node
//   <prefix>_ringann.json    optional sidecar written by ringann's builder (format/index-sidecar.ts):
//                            metric and vector type (absent for DiskANN/PipeANN indexes: l2 /
//                            float32 unless overridden by options)
// Every mismatch between the files is a FormatError naming the file and field.
import { existsSync, readFileSync } from "node:fs";
import { ConfigError, FormatError } from "../errors.ts";
import { indexDataKind } from "../format/index-sidecar.ts";
import { type DiskIndexMeta, parseDiskIndexHeader } from "../format/disk-index.ts";
import { FileRange } from "../format/file-range.ts";
import { type PqPivots, parsePqCompressed, parsePqPivots } from "../format/pq-files.ts";
import type { Metric, VectorType } from "../format/vector-type.ts";
import { SECTOR_BYTES } from "../io/reader.ts";

export interface IndexFiles {
  readonly prefix: string;
  readonly diskFile: string;
  readonly meta: DiskIndexMeta;
  readonly metric: Metric;
  readonly pivots: PqPivots;
  readonly codes: Uint8Array;
  /** Where metric/type came from: "options", "sidecar" or "default". */
  readonly settingsFrom: string;
  /** Label-aware graph: a node's own id ends its plain edges (the sidecar's labelEdges). */
  readonly labelEdges: boolean;
}

export interface IndexSettings {
  metric?: Metric;
  type?: VectorType;
}

function readWhole(file: string, what: string): Uint8Array {
  if (!existsSync(file))
    throw new ConfigError(what, [`Cannot open ${file}: no such file (is the index prefix right?)`]);
  return new Uint8Array(readFileSync(file));
}

/** Opens and validates everything a search needs in memory. */
export function loadIndexFiles(prefix: string, overrides: IndexSettings = {}): IndexFiles {
  const { metric, type, sidecar } = indexDataKind(prefix, overrides);
  const settingsFrom = overrides.metric || overrides.type ? "options" : sidecar ? "sidecar" : "default";

  const diskFile = `${prefix}_disk.index`;
  if (!existsSync(diskFile))
    throw new ConfigError("index", [`Cannot open ${diskFile}: no such file (is the index prefix right?)`]);
  const range = FileRange.open(diskFile);
  let meta: DiskIndexMeta;
  try {
    if (range.sizeBytes < SECTOR_BYTES) {
      throw new FormatError(
        diskFile,
        "header sector",
        `${SECTOR_BYTES} bytes`,
        `a file of ${range.sizeBytes} bytes`,
        "E_TRUNCATED",
      );
    }
    meta = parseDiskIndexHeader(range.read(0, SECTOR_BYTES), diskFile, range.sizeBytes, type);
  } finally {
    range.close();
  }

  const pivotsFile = `${prefix}_pq_pivots.bin`;
  const pivots = parsePqPivots(readWhole(pivotsFile, "index"), pivotsFile);
  if (pivots.dim !== meta.dim) {
    throw new FormatError(
      pivotsFile,
      "pivots cols (ndims)",
      `${meta.dim} (the disk index's ndims)`,
      String(pivots.dim),
    );
  }
  const codesFile = `${prefix}_pq_compressed.bin`;
  const { codes } = parsePqCompressed(readWhole(codesFile, "index"), codesFile, { npts: meta.npts, M: pivots.M });
  const labelEdges = sidecar?.labelEdges === true;
  return { prefix, diskFile, meta, metric, pivots, codes, settingsFrom, labelEdges };
}

/** The same parts with the PQ codes copied into shared memory: Workers given them share one copy. */
export function shareIndexFiles(files: IndexFiles): IndexFiles {
  if (files.codes.buffer instanceof SharedArrayBuffer) return files;
  const codes = new Uint8Array(new SharedArrayBuffer(files.codes.byteLength));
  codes.set(files.codes);
  return { ...files, codes };
}
