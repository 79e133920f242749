// Graph quality without PQ or I/O: load a disk index's graph and vectors into memory and run
// exact-distance greedy search from the medoid, so recall@k measures the graph alone. Used by the
// build tests and bench/build (search quality with PQ and disk belongs to src/search).
import { readFileSync } from "node:fs";
import {
  decodeNodeCoords,
  decodeNodeNeighbors,
  nodeReadBytes,
  nodeSectorIndex,
  parseDiskIndexHeader,
  type DiskIndexMeta,
} from "../format/disk-index.ts";
import { allocVectors, type Metric, type Vectors } from "../format/vector-type.ts";
import { normalizeRows } from "../math/distance.ts";
import type { NativeKernels } from "../math/native-kernels.ts";
import { GreedySearch } from "./greedy-search.ts";
import { createRowDistances } from "./row-distances.ts";
import { SharedGraph } from "./shared-graph.ts";
import { SECTOR_BYTES } from "../io/reader.ts";

export interface LoadedDiskGraph {
  readonly meta: DiskIndexMeta;
  /** npts × dim vectors exactly as stored. */
  readonly vectors: Vectors;
  /** Neighbour lists with R slots per node. */
  readonly graph: SharedGraph;
}

/** Reads `<prefix>_disk.index` whole, validating every node through the format parser. */
export function loadDiskGraph(prefix: string, type: DiskIndexMeta["type"]): LoadedDiskGraph {
  const file = `${prefix}_disk.index`;
  const bytes = new Uint8Array(readFileSync(file));
  const meta = parseDiskIndexHeader(bytes.subarray(0, SECTOR_BYTES), file, bytes.length, type);
  const vectors = allocVectors(type, meta.npts * meta.dim);
  const graph = new SharedGraph({
    npts: meta.npts,
    slots: meta.R,
    nbrs: new SharedArrayBuffer(meta.npts * meta.R * 4),
    degree: new SharedArrayBuffer(meta.npts * 4),
    locks: new SharedArrayBuffer(meta.npts * 4),
  });
  const scratch = new Uint32Array(meta.R);
  const readBytes = nodeReadBytes(meta);
  for (let id = 0; id < meta.npts; id++) {
    const at = nodeSectorIndex(meta, id) * SECTOR_BYTES;
    const sector = bytes.subarray(at, at + readBytes);
    const n = decodeNodeNeighbors(meta, sector, id, scratch);
    graph.nbrs.set(scratch.subarray(0, n), id * meta.R);
    graph.degree[id] = n;
    decodeNodeCoords(meta, sector, id, vectors, id * meta.dim);
  }
  return { meta, vectors, graph };
}

export interface GraphRecallInput {
  readonly loaded: LoadedDiskGraph;
  /** nq × dim queries of the stored type (float32 for cosine). */
  readonly queries: Vectors;
  readonly nq: number;
  /** Ground-truth ids, nq × truthK, nearest first. */
  readonly truthIds: Uint32Array;
  readonly truthK: number;
  readonly k: number;
  readonly Ls: readonly number[];
  /** cosine normalises the queries and compares with l2 (stored vectors are already unit). */
  readonly metric: Metric;
  readonly kernels: NativeKernels | null;
}

/** recall@k of exact greedy search from the medoid at each L (same order as `Ls`). */
export function graphRecall(input: GraphRecallInput): { L: number; recall: number; comparisonsPerQuery: number }[] {
  const { loaded, nq, k, truthK } = input;
  const { meta, vectors, graph } = loaded;
  const dim = meta.dim;
  // Queries go after the base rows so one row-distance kernel serves both.
  const all = allocVectors(meta.type, (meta.npts + nq) * dim);
  all.set(vectors);
  all.set(input.queries.subarray(0, nq * dim), meta.npts * dim);
  if (input.metric === "cosine") normalizeRows(all.subarray(meta.npts * dim) as Float32Array, dim);
  const graphMetric: Metric = input.metric === "cosine" ? "l2" : input.metric;
  const maxL = Math.max(...input.Ls);
  const rd = createRowDistances(all, dim, meta.type, graphMetric, maxL + meta.R + 1, input.kernels);
  const out: { L: number; recall: number; comparisonsPerQuery: number }[] = [];
  for (const L of input.Ls) {
    const search = new GreedySearch(graph, rd, Math.max(L, k), 1, 1, meta.npts + nq);
    let hits = 0;
    let comparisons = 0;
    for (let q = 0; q < nq; q++) {
      comparisons += search.search(meta.npts + q, meta.medoid);
      const r = search.results();
      const got = Math.min(k, r.size);
      for (let i = 0; i < got; i++) {
        const id = r.ids[i]!;
        for (let t = 0; t < k; t++) {
          if (input.truthIds[q * truthK + t] === id) {
            hits++;
            break;
          }
        }
      }
    }
    out.push({ L, recall: hits / (nq * k), comparisonsPerQuery: comparisons / nq });
  }
  return out;
}
