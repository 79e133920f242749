// Writes small disk indexes for search tests, in the DiskANN layout through format/'s encoders:
// random vectors, an exact k-NN graph plus a ring edge (so every node is reachable from the
// medoid), PQ centres taken from sample rows, codes by nearest centre. Independent of ringann's
// builder, so search tests do not depend on build quality. Also brute-force ground truth.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { diskLayoutFor, encodeDiskIndexHeader, encodeNode } from "../../src/format/disk-index.ts";
import { encodeSidecar } from "../../src/format/index-sidecar.ts";
import { encodeMemIndexGraph, encodeMemIndexTags } from "../../src/format/mem-index.ts";
import { encodePqCompressedHeader, encodePqPivots } from "../../src/format/pq-files.ts";
import { type Metric, type VectorType, type Vectors, allocVectors } from "../../src/format/vector-type.ts";
import { distanceFor, normalizeRows } from "../../src/math/distance.ts";
import { SECTOR_BYTES } from "../../src/io/reader.ts";

export interface TinyIndexSpec {
  n: number;
  dim: number;
  R: number;
  M: number;
  type?: VectorType;
  metric?: Metric;
  seed?: number;
  /** Write a ringann sidecar with metric/type (default true). */
  sidecar?: boolean;
  /** Also write an entry graph over every 10th point. */
  entryGraph?: boolean;
  /** Mark the medoid as DiskANN's frozen point (num_frozen_points 1). */
  frozen?: boolean;
}

export interface TinyIndex {
  dir: string;
  prefix: string;
  n: number;
  dim: number;
  R: number;
  type: VectorType;
  metric: Metric;
  medoid: number;
  vectors: Vectors;
  /** The bytes of <prefix>_disk.index (for SimReader). */
  diskBytes: Uint8Array;
  cleanup(): void;
  /** Brute-force k nearest (ids, dists) of a float32 query. */
  exact(query: Float32Array, k: number): { ids: number[]; dists: number[] };
  /** A random query (float32, normalised for cosine). */
  randomQuery(seed: number): Float32Array;
}

export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomVectors(type: VectorType, n: number, dim: number, rand: () => number): Vectors {
  const v = allocVectors(type, n * dim);
  // Clustered data (8 centres) so the graph has structure.
  const centres: number[][] = [];
  for (let c = 0; c < 8; c++) centres.push(Array.from({ length: dim }, () => rand()));
  for (let i = 0; i < n; i++) {
    const c = centres[Math.floor(rand() * 8)]!;
    for (let j = 0; j < dim; j++) {
      const x = c[j]! + (rand() - 0.5) * 0.6;
      v[i * dim + j] =
        type === "float32"
          ? x
          : type === "uint8"
            ? Math.max(0, Math.min(255, Math.round(x * 200)))
            : Math.max(-128, Math.min(127, Math.round((x - 0.5) * 200)));
    }
  }
  return v;
}

export function writeTinyIndex(spec: TinyIndexSpec): TinyIndex {
  const type = spec.type ?? "float32";
  const metric = spec.metric ?? "l2";
  const { n, dim, R, M } = spec;
  const rand = rng(spec.seed ?? 7);
  const vectors = randomVectors(type, n, dim, rand);
  if (metric === "cosine" && vectors instanceof Float32Array) normalizeRows(vectors, dim);
  const dist = distanceFor(metric);
  const asF32 = new Float32Array(n * dim);
  for (let i = 0; i < n * dim; i++) asF32[i] = vectors[i]!;

  // Exact k-NN graph (by the index metric) + ring edge for reachability.
  const neighbors = new Uint32Array(n * R);
  const degrees = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const order: { id: number; d: number }[] = [];
    for (let j = 0; j < n; j++) if (j !== i) order.push({ id: j, d: dist(asF32, i * dim, asF32, j * dim, dim) });
    order.sort((a, b) => a.d - b.d);
    const ring = (i + 1) % n;
    const list = [ring];
    for (const o of order) {
      if (list.length >= R) break;
      if (o.id !== ring) list.push(o.id);
    }
    degrees[i] = list.length;
    for (let k = 0; k < list.length; k++) neighbors[i * R + k] = list[k]!;
  }
  // Medoid: closest to the mean.
  const mean = new Float32Array(dim);
  for (let i = 0; i < n; i++) for (let j = 0; j < dim; j++) mean[j]! += asF32[i * dim + j]! / n;
  let medoid = 0;
  let best = Infinity;
  for (let i = 0; i < n; i++) {
    const d = distanceFor("l2")(mean, 0, asF32, i * dim, dim);
    if (d < best) {
      best = d;
      medoid = i;
    }
  }

  const layout = diskLayoutFor({ npts: n, dim, type, R });
  const disk = new Uint8Array(layout.layoutBytes);
  disk.set(
    encodeDiskIndexHeader({
      npts: n,
      dim,
      type,
      R,
      medoid,
      numFrozen: spec.frozen ? 1 : 0,
      frozenLoc: spec.frozen ? medoid : 0,
    }),
    0,
  );
  for (let i = 0; i < n; i++) {
    const sector =
      layout.nodesPerSector > 0 ? 1 + Math.floor(i / layout.nodesPerSector) : 1 + i * layout.sectorsPerNode;
    const view = disk.subarray(sector * SECTOR_BYTES, (sector + layout.sectorsPerNode) * SECTOR_BYTES);
    encodeNode({ ...layout, dim, type }, view, i, vectors, i * dim, neighbors, i * R, degrees[i]!);
  }

  // PQ: centres = sample rows (with a non-zero centroid subtracted), contiguous chunks.
  const centroid = new Float32Array(dim);
  for (let j = 0; j < dim; j++) centroid[j] = mean[j]! * 0.5;
  const pivots = new Float32Array(256 * dim);
  for (let c = 0; c < 256; c++) {
    const row = Math.floor(rand() * n);
    for (let j = 0; j < dim; j++) pivots[c * dim + j] = asF32[row * dim + j]! - centroid[j]!;
  }
  const chunkOffsets = new Uint32Array(M + 1);
  for (let m = 0; m <= M; m++) chunkOffsets[m] = Math.round((m * dim) / M);
  const codes = new Uint8Array(n * M);
  for (let i = 0; i < n; i++) {
    for (let m = 0; m < M; m++) {
      let bc = 0;
      let bd = Infinity;
      for (let c = 0; c < 256; c++) {
        let s = 0;
        for (let j = chunkOffsets[m]!; j < chunkOffsets[m + 1]!; j++) {
          const d = pivots[c * dim + j]! - (asF32[i * dim + j]! - centroid[j]!);
          s += d * d;
        }
        if (s < bd) {
          bd = s;
          bc = c;
        }
      }
      codes[i * M + m] = bc;
    }
  }

  const dir = mkdtempSync(join(tmpdir(), "ringann-search-"));
  const prefix = join(dir, "tiny");
  writeFileSync(`${prefix}_disk.index`, disk);
  writeFileSync(`${prefix}_pq_pivots.bin`, encodePqPivots({ pivots, centroid, chunkOffsets }));
  const compressed = new Uint8Array(8 + codes.length);
  compressed.set(encodePqCompressedHeader(n, M), 0);
  compressed.set(codes, 8);
  writeFileSync(`${prefix}_pq_compressed.bin`, compressed);
  if (spec.sidecar ?? true) {
    writeFileSync(
      `${prefix}_ringann.json`,
      encodeSidecar({
        format: "ringann-index",
        version: 1,
        metric,
        type,
        npts: n,
        dim,
        R,
        L: R,
        alpha: 1.2,
        pqBytes: M,
        medoid,
        normalized: metric === "cosine",
        saturate: false,
        seed: spec.seed ?? 7,
        threads: 1,
        buildSeconds: 0,
        peakRssMb: 0,
        kernel: "test",
        entryGraph: null,
        createdAt: "2026-11-21T00:00:00Z",
      }),
    );
  }
  if (spec.entryGraph) writeEntryGraph(prefix, vectors, asF32, n, dim, type, dist);

  return {
    dir,
    prefix,
    n,
    dim,
    R,
    type,
    metric,
    medoid,
    vectors,
    diskBytes: disk,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
    exact(query, k) {
      const all: { id: number; d: number }[] = [];
      for (let i = 0; i < n; i++) all.push({ id: i, d: dist(query, 0, asF32, i * dim, dim) });
      all.sort((a, b) => a.d - b.d || a.id - b.id);
      return { ids: all.slice(0, k).map((o) => o.id), dists: all.slice(0, k).map((o) => o.d) };
    },
    randomQuery(seed) {
      const r = rng(seed);
      const q = new Float32Array(dim);
      const base = Math.floor(r() * n);
      for (let j = 0; j < dim; j++) q[j] = asF32[base * dim + j]! + (r() - 0.5) * (type === "float32" ? 0.2 : 30);
      if (metric === "cosine") normalizeRows(q, dim);
      return q;
    },
  };
}

/** An entry graph over every 10th point: a k-NN graph of the sample (max degree 8). */
function writeEntryGraph(
  prefix: string,
  vectors: Vectors,
  asF32: Float32Array,
  n: number,
  dim: number,
  type: VectorType,
  dist: ReturnType<typeof distanceFor>,
): void {
  const sample: number[] = [];
  for (let i = 0; i < n; i += 10) sample.push(i);
  const s = sample.length;
  const offsets = new Uint32Array(s + 1);
  const nbrs: number[] = [];
  for (let a = 0; a < s; a++) {
    offsets[a] = nbrs.length;
    const order = sample
      .map((id, b) => ({ b, d: dist(asF32, sample[a]! * dim, asF32, id * dim, dim) }))
      .filter((o) => o.b !== a);
    order.sort((x, y) => x.d - y.d);
    const list = new Set<number>([(a + 1) % s]);
    for (const o of order) {
      if (list.size >= 8) break;
      list.add(o.b);
    }
    list.delete(a);
    nbrs.push(...list);
  }
  offsets[s] = nbrs.length;
  writeFileSync(
    `${prefix}_mem.index`,
    encodeMemIndexGraph({ entryPoint: 0, offsets, neighbors: new Uint32Array(nbrs) }),
  );
  const data = allocVectors(type, s * dim);
  for (let a = 0; a < s; a++) for (let j = 0; j < dim; j++) data[a * dim + j] = vectors[sample[a]! * dim + j]!;
  const header = new Uint8Array(8);
  new DataView(header.buffer).setInt32(0, s, true);
  new DataView(header.buffer).setInt32(4, dim, true);
  writeFileSync(`${prefix}_mem.index.data`, Buffer.concat([header, new Uint8Array(data.buffer)]));
  writeFileSync(`${prefix}_mem.index.tags`, encodeMemIndexTags(new Uint32Array(sample)));
}
