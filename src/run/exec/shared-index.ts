// The in-memory parts of an index in SharedArrayBuffers, so N search Workers hold one copy of the
// PQ codes, the node cache and the entry graph whatever N. The main thread opens the index once
// with DiskIndex.open (which validates every file and loads the cache through a reader), copies
// the parts (cache records, ids and id → position table) into shared memory, resolves each run's search parameters, then closes it; each
// Worker rebuilds a SearchContext around the shared parts with its own ring (worker-engine.ts).
import { readFileSync } from "node:fs";
import { readBin } from "../../format/bin.ts";
import type { DiskIndexMeta } from "../../format/disk-index.ts";
import { parseMemIndexGraph, parseMemIndexTags } from "../../format/mem-index.ts";
import type { Metric, VectorType, Vectors } from "../../format/vector-type.ts";
import type { BackendChoice } from "../../io/open-reader.ts";
import { DiskIndex } from "../../search/disk-index.ts";
import type { IndexFiles } from "../../search/index-files.ts";

export interface SharedCache {
  readonly ids: Uint32Array;
  readonly bytes: Uint8Array;
  readonly stride: number;
  /** The id → position hash table (CachePositions.table), so no Worker rebuilds it. */
  readonly positions: Uint32Array;
}

export interface SharedEntryGraph {
  readonly vectors: Vectors;
  readonly dim: number;
  readonly tags: Uint32Array;
  readonly offsets: Uint32Array;
  readonly neighbors: Uint32Array;
  readonly entryPoint: number;
}

/**
 * Everything a Worker needs to search the index: the index files' parts (codes in shared memory;
 * pivots, small at 256 × dim floats, copied to each Worker) plus the cache and the entry graph.
 * Typed arrays here are views of shared memory.
 */
export interface SharedIndexParts extends Omit<IndexFiles, "settingsFrom"> {
  readonly cache: SharedCache | null;
  readonly entryGraph: SharedEntryGraph | null;
  /** Bytes held in shared memory (codes + cache + entry graph), for the log. */
  readonly sharedBytes: number;
}

export interface SharedIndexOptions {
  readonly metric?: Metric;
  readonly type?: VectorType;
  readonly backend: BackendChoice;
  readonly cacheNodes: number;
  /** A byte budget for the cache, with or instead of cacheNodes. */
  readonly cacheBytes?: number;
  readonly entryGraph: boolean;
  readonly maxL: number;
  readonly maxWidth: number;
}

function sharedCopy<T extends Uint8Array | Uint32Array>(
  src: T,
  make: (buffer: SharedArrayBuffer, length: number) => T,
): T {
  const out = make(new SharedArrayBuffer(src.byteLength), src.length);
  out.set(src);
  return out;
}

const u8 = (src: Uint8Array) => sharedCopy(src, (b, n) => new Uint8Array(b, 0, n));
const u32 = (src: Uint32Array) => sharedCopy(src, (b, n) => new Uint32Array(b, 0, n));

/**
 * Opens `prefix`, lets `resolve` turn run options into search parameters against the open index
 * (its limits and defaults), and returns the shared parts. The DiskIndex is closed before return.
 */
export async function loadSharedIndex<T>(
  prefix: string,
  opts: SharedIndexOptions,
  resolve: (index: DiskIndex) => T,
): Promise<{ parts: SharedIndexParts; resolved: T }> {
  const index = await DiskIndex.open(prefix, {
    ...(opts.metric ? { metric: opts.metric } : {}),
    ...(opts.type ? { type: opts.type } : {}),
    backend: opts.backend,
    cacheNodes: opts.cacheNodes,
    ...(opts.cacheBytes !== undefined ? { cacheBytes: opts.cacheBytes } : {}),
    entryGraph: opts.entryGraph,
    maxL: opts.maxL,
    maxWidth: opts.maxWidth,
  });
  try {
    const resolved = resolve(index);
    const codes = u8(index.files.codes);
    const cache =
      index.cache === null
        ? null
        : {
            ids: u32(index.cache.ids),
            bytes: u8(index.cache.bytes),
            stride: index.cache.stride,
            positions: u32(index.cache.positions.table),
          };
    const entryGraph = index.entryGraph === null ? null : loadSharedEntryGraph(prefix, index.meta);
    const sharedBytes =
      codes.byteLength +
      (cache ? cache.ids.byteLength + cache.bytes.byteLength + cache.positions.byteLength : 0) +
      (entryGraph
        ? entryGraph.vectors.byteLength +
          entryGraph.tags.byteLength +
          entryGraph.offsets.byteLength +
          entryGraph.neighbors.byteLength
        : 0);
    const parts: SharedIndexParts = {
      prefix,
      diskFile: index.files.diskFile,
      meta: index.meta,
      metric: index.metric,
      pivots: index.files.pivots,
      codes,
      labelEdges: index.files.labelEdges,
      cache,
      entryGraph,
      sharedBytes,
    };
    return { parts, resolved };
  } finally {
    index.close();
  }
}

/** The entry graph's files (already validated by DiskIndex.open) read into shared memory. */
function loadSharedEntryGraph(prefix: string, meta: DiskIndexMeta): SharedEntryGraph {
  const graphFile = `${prefix}_mem.index`;
  const data = readBin(`${graphFile}.data`, meta.type, { shared: true });
  const graph = parseMemIndexGraph(new Uint8Array(readFileSync(graphFile)), graphFile, data.npts);
  const tags = parseMemIndexTags(new Uint8Array(readFileSync(`${graphFile}.tags`)), `${graphFile}.tags`, {
    npts: data.npts,
    diskNpts: meta.npts,
  });
  return {
    vectors: data.data,
    dim: data.dim,
    tags: u32(tags),
    offsets: u32(graph.offsets),
    neighbors: u32(graph.neighbors),
    entryPoint: graph.entryPoint,
  };
}
