// PipeANN's in-memory entry graph (a small Vamana over a ~1% sample that seeds the disk search):
//   `<prefix>_mem.index`       u64 file_size | u32 max_degree | u32 entry_point | u64 num_frozen |
//                              per node: u32 k, u32 nbrs[k]     (node ids are sample positions)
//   `<prefix>_mem.index.data`  .bin of the sample vectors (type T, nsample × dim)
//   `<prefix>_mem.index.tags`  .bin<uint32> nsample × 1: the disk-index node id of each sample
// Pure functions of bytes; .data goes through format/bin.ts like any vector file.
import { FormatError } from "../errors.ts";
import { dataViewOf, readI32, readU32, readU64, writeU64 } from "./u64-fields.ts";

const GRAPH_HEADER_BYTES = 24;

export interface MemIndexGraph {
  /** Largest degree the writer recorded (DiskANN/PipeANN record the observed maximum). */
  readonly maxDegree: number;
  readonly entryPoint: number;
  readonly numFrozen: number;
  readonly npts: number;
  /** npts + 1 values: node i's neighbours are neighbors[offsets[i] .. offsets[i+1]). */
  readonly offsets: Uint32Array;
  readonly neighbors: Uint32Array;
}

/** Parses `_mem.index`; `expectNpts` (the .data row count) is checked when given. */
export function parseMemIndexGraph(bytes: Uint8Array, file: string, expectNpts?: number): MemIndexGraph {
  const view = dataViewOf(bytes);
  const fileSize = readU64(view, 0, file, "file_size");
  if (fileSize !== bytes.length)
    throw new FormatError(file, "file_size", `${bytes.length} (the file's size)`, String(fileSize));
  const maxDegree = readU32(view, 8, file, "max_degree");
  const entryPoint = readU32(view, 12, file, "entry_point");
  const numFrozen = readU64(view, 16, file, "num_frozen");
  if (numFrozen > 1) throw new FormatError(file, "num_frozen", "0 or 1", String(numFrozen));

  // First pass: count nodes and edges, checking every degree fits in the file.
  let at = GRAPH_HEADER_BYTES;
  let npts = 0;
  let edges = 0;
  while (at < bytes.length) {
    const k = readU32(view, at, file, `node ${npts} degree`);
    if (k > maxDegree) throw new FormatError(file, `node ${npts} degree`, `≤ max_degree (${maxDegree})`, String(k));
    if (at + 4 + 4 * k > bytes.length)
      throw new FormatError(
        file,
        `node ${npts} neighbours`,
        `${k} ids within the file`,
        `file ends at ${bytes.length}`,
      );
    at += 4 + 4 * k;
    edges += k;
    npts++;
  }
  if (npts === 0) throw new FormatError(file, "nodes", "at least one node", "none");
  if (expectNpts !== undefined && npts !== expectNpts) {
    throw new FormatError(file, "node count", `${expectNpts} (rows of the .data file)`, String(npts));
  }
  if (entryPoint >= npts) throw new FormatError(file, "entry_point", `< node count (${npts})`, String(entryPoint));

  const offsets = new Uint32Array(npts + 1);
  const neighbors = new Uint32Array(edges);
  at = GRAPH_HEADER_BYTES;
  let e = 0;
  for (let i = 0; i < npts; i++) {
    const k = view.getUint32(at, true);
    at += 4;
    offsets[i] = e;
    for (let j = 0; j < k; j++) {
      const nbr = view.getUint32(at, true);
      if (nbr >= npts) throw new FormatError(file, `node ${i} nbrs[${j}]`, `< node count (${npts})`, String(nbr));
      neighbors[e++] = nbr;
      at += 4;
    }
  }
  offsets[npts] = e;
  return { maxDegree, entryPoint, numFrozen, npts, offsets, neighbors };
}

/** Encodes `_mem.index`; max_degree is written as the largest degree present (as DiskANN does). */
export function encodeMemIndexGraph(graph: {
  entryPoint: number;
  numFrozen?: number;
  offsets: Uint32Array;
  neighbors: Uint32Array;
}): Uint8Array {
  const npts = graph.offsets.length - 1;
  const edges = graph.offsets[npts]!;
  let maxDegree = 0;
  for (let i = 0; i < npts; i++) maxDegree = Math.max(maxDegree, graph.offsets[i + 1]! - graph.offsets[i]!);
  const size = GRAPH_HEADER_BYTES + 4 * npts + 4 * edges;
  const out = new Uint8Array(size);
  const view = dataViewOf(out);
  writeU64(view, 0, size);
  view.setUint32(8, maxDegree, true);
  view.setUint32(12, graph.entryPoint, true);
  writeU64(view, 16, graph.numFrozen ?? 0);
  let at = GRAPH_HEADER_BYTES;
  for (let i = 0; i < npts; i++) {
    const lo = graph.offsets[i]!;
    const hi = graph.offsets[i + 1]!;
    view.setUint32(at, hi - lo, true);
    at += 4;
    for (let e = lo; e < hi; e++) {
      view.setUint32(at, graph.neighbors[e]!, true);
      at += 4;
    }
  }
  return out;
}

/** Parses `_mem.index.tags`: .bin<uint32> n × 1 of disk node ids, each < diskNpts when given. */
export function parseMemIndexTags(
  bytes: Uint8Array,
  file: string,
  expect: { npts?: number; diskNpts?: number } = {},
): Uint32Array {
  const view = dataViewOf(bytes);
  const rows = readI32(view, 0, file, "rows");
  const cols = readI32(view, 4, file, "cols");
  if (cols !== 1) throw new FormatError(file, "cols", "1", String(cols));
  if (rows < 1) throw new FormatError(file, "rows", "≥ 1", String(rows));
  if (expect.npts !== undefined && rows !== expect.npts)
    throw new FormatError(file, "rows", `${expect.npts} (nodes of the entry graph)`, String(rows));
  if (bytes.length !== 8 + 4 * rows)
    throw new FormatError(file, "file size", `${8 + 4 * rows} bytes`, `${bytes.length} bytes`);
  const tags = new Uint32Array(bytes.slice(8).buffer);
  if (expect.diskNpts !== undefined) {
    for (let i = 0; i < rows; i++) {
      if (tags[i]! >= expect.diskNpts)
        throw new FormatError(file, `tags[${i}]`, `< disk index npts (${expect.diskNpts})`, String(tags[i]));
    }
  }
  return tags;
}

export function encodeMemIndexTags(tags: Uint32Array): Uint8Array {
  const out = new Uint8Array(8 + tags.byteLength);
  const view = dataViewOf(out);
  view.setInt32(0, tags.length, true);
  view.setInt32(4, 1, true);
  out.set(new Uint8Array(tags.buffer, tags.byteOffset, tags.byteLength), 8);
  return out;
}
