// `relayout`: an existing disk index (ringann's, DiskANN's or PipeANN's) → the same graph with its
// nodes renumbered so neighbours share sectors (page-order.ts, then page-refine.ts), written as an
// ordinary DiskANN index plus the page-layout files (format/page-layout.ts, docs/page-layout.md).
// Passes: stream the old file's neighbour lists (sequential reads, 4 MiB at a time) → order →
// refine → write new sectors (each old record fetched by a positioned read of its sector, a one-sector
// cache; ids rewritten) → permute the PQ codes → remap the entry graph's tags → tags, metadata.
// Memory: the graph (npts × R × 4 bytes), its reverse (5 bytes per edge), a few npts-sized arrays and
// the PQ codes; the vectors are never all in memory. Every output goes to a temporary name; all are
// renamed at the end with the disk index last, so the input may also be the output (in place).
import { existsSync, readFileSync, rmSync } from "node:fs";
import { ConfigError, FormatError } from "../errors.ts";
import { AtomicFileWriter } from "../format/atomic-file.ts";
import {
  type DiskIndexMeta,
  diskLayoutFor,
  encodeDiskIndexHeader,
  nodeByteOffsetInSector,
  nodeSectorIndex,
  parseDiskIndexHeader,
} from "../format/disk-index.ts";
import { FileRange } from "../format/file-range.ts";
import { encodeSidecar, readSidecar, sidecarPath } from "../format/index-sidecar.ts";
import { encodeMemIndexTags, parseMemIndexTags } from "../format/mem-index.ts";
import {
  NODE_TAGS_SUFFIX,
  PAGE_META_SUFFIX,
  encodeNodeTags,
  encodePageMeta,
  readNodeTags,
  type OverlapRatios,
} from "../format/page-layout.ts";
import { encodePqCompressedHeader, parsePqCompressed } from "../format/pq-files.ts";
import { loadU32, storeU32 } from "../format/u64-fields.ts";
import type { VectorType } from "../format/vector-type.ts";
import { SECTOR_BYTES } from "../format/sector.ts";
import { peakRssMb } from "./memory-budget.ts";
import { identityOrder, overlapRatios, pageOrder, seedNeighbourOrder, type SlotGraph } from "./page-order.ts";
import { refinePageOrder } from "./page-refine.ts";
import { inEdges } from "./in-edges.ts";
import type { PhaseReporter } from "./phase-reporter.ts";

export const PAGE_ALGORITHM = "greedy block-neighbour packing (in- and out-edges)";
export const PAGE_ALGORITHMS = ["greedy", "greedy-out", "seed-neighbours"] as const;
/** How an edge at rank k weighs in the greedy packing and the refinement: R − k, or R + R − k. */
export const EDGE_WEIGHTS = ["rank", "mixed"] as const;
export type EdgeWeight = (typeof EDGE_WEIGHTS)[number];
export type PageAlgorithm = (typeof PAGE_ALGORITHMS)[number];

export interface RelayoutOptions {
  /** The input index prefix (path before `_disk.index`). */
  readonly src: string;
  /** The output prefix; may equal `src` (the files are replaced only when all are written). */
  readonly out: string;
  /** Vector type when the input has no `_ringann.json` (DiskANN/PipeANN indexes): default float32. */
  readonly type?: VectorType;
  /**
   * "greedy" (default: in- and out-edges, page-order.ts), "greedy-out" (out-edges only, the first
   * packing) or "seed-neighbours" (Starling's simpler padding); the last two are measured baselines.
   */
  readonly algorithm?: PageAlgorithm;
  /** Most refinement passes after the packing (page-refine.ts; default 2, 0 = none). */
  readonly refinePasses?: number;
  /** Edge weights of the greedy packing (with in-edges) and the refinement: "rank" (default) or "mixed". */
  readonly edgeWeight?: EdgeWeight;
  readonly reporter?: PhaseReporter;
}

/** One refinement pass: swaps made, overlap after it, seconds. */
export interface RefinePassFigures {
  readonly pass: number;
  readonly swaps: number;
  readonly overlap: OverlapRatios;
  readonly seconds: number;
}

export interface RelayoutResult {
  readonly prefix: string;
  readonly files: string[];
  readonly npts: number;
  readonly nodesPerSector: number;
  readonly overlapBefore: OverlapRatios;
  readonly overlap: OverlapRatios;
  /** Overlap of the packing before refinement, and each refinement pass (empty when none ran). */
  readonly overlapPacked: OverlapRatios;
  readonly refine: RefinePassFigures[];
  readonly seconds: number;
  readonly peakRssMb: number;
}

export const DEFAULT_REFINE_PASSES = 2;
const READ_CHUNK_BYTES = 4 << 20;
const WRITE_BUFFER_BYTES = 1 << 20;

/** Reads every neighbour list of the disk index in file order into fixed R-slot rows. */
export function readGraph(range: FileRange, meta: DiskIndexMeta, reporter?: PhaseReporter): SlotGraph {
  const { npts, R, nodesPerSector: C } = meta;
  const nbrs = new Uint32Array(npts * R);
  const degree = new Uint32Array(npts);
  const sectorsPerChunk = Math.max(1, Math.floor(READ_CHUNK_BYTES / SECTOR_BYTES));
  const buf = new Uint8Array(sectorsPerChunk * SECTOR_BYTES);
  const phase = reporter?.start("read graph", npts);
  for (let first = 0; first < meta.nodeSectors; first += sectorsPerChunk) {
    const count = Math.min(sectorsPerChunk, meta.nodeSectors - first);
    const view = buf.subarray(0, count * SECTOR_BYTES);
    range.readInto(view, (1 + first) * SECTOR_BYTES);
    const lastId = Math.min(npts, (first + count) * C);
    for (let id = first * C; id < lastId; id++) {
      const at = (Math.floor(id / C) - first) * SECTOR_BYTES + nodeByteOffsetInSector(meta, id) + meta.coordBytes;
      const d = loadU32(view, at);
      if (d > R) throw new FormatError(meta.file, `node ${id} nnbrs`, `≤ R (${R})`, String(d));
      degree[id] = d;
      for (let k = 0; k < d; k++) {
        const v = loadU32(view, at + 4 + 4 * k);
        if (v >= npts) throw new FormatError(meta.file, `node ${id} nbrs[${k}]`, `< npts (${npts})`, String(v));
        nbrs[id * R + k] = v;
      }
    }
    phase?.update(lastId);
  }
  phase?.finish();
  return { npts, slots: R, nbrs, degree };
}

/** Writes a file whole under a temporary name (committed later with the others). */
function stage(writers: AtomicFileWriter[], path: string, bytes: Uint8Array): void {
  const w = new AtomicFileWriter(path);
  writers.push(w);
  w.append(bytes);
}

/** Relayouts `src` into `out` (see the file comment). */
export function relayoutIndex(opts: RelayoutOptions): RelayoutResult {
  const t0 = performance.now();
  const { src, out, reporter } = opts;
  const sidecar = readSidecar(src);
  const type: VectorType = sidecar?.type ?? opts.type ?? "float32";
  const diskFile = `${src}_disk.index`;
  if (!existsSync(diskFile))
    throw new ConfigError("index", [`Cannot open ${diskFile}: no such file (is the index prefix right?)`]);
  const writers: AtomicFileWriter[] = [];
  let disk: AtomicFileWriter | null = null;
  const range = FileRange.open(diskFile);
  try {
    const meta = parseDiskIndexHeader(
      range.read(0, Math.min(SECTOR_BYTES, range.sizeBytes)),
      diskFile,
      range.sizeBytes,
      type,
    );
    const C = meta.nodesPerSector;
    if (C < 2) {
      throw new ConfigError("index", [
        `Cannot relayout ${diskFile}: a node (${meta.maxNodeBytes} bytes) ${C === 0 ? "spans several sectors" : "fills a sector alone"}, ` +
          "so no two nodes can share a sector — a page layout needs ≥ 2 nodes per 4 KiB sector",
      ]);
    }
    const { npts, R } = meta;
    const algorithm = opts.algorithm ?? "greedy";
    const graph = readGraph(range, meta, reporter);

    const phase = reporter?.start("page order", npts);
    const maxPasses = opts.refinePasses ?? DEFAULT_REFINE_PASSES;
    const edgeWeight = opts.edgeWeight ?? "rank";
    const edgeBase = edgeWeight === "mixed" ? R : 0;
    // The reverse graph: the greedy packing scores in-edges too, and the refinement needs it.
    const ins = algorithm === "greedy" || maxPasses > 0 ? inEdges(graph) : undefined;
    const progress = (done: number): void => phase?.update(done);
    const order =
      algorithm === "greedy"
        ? pageOrder(graph, C, progress, ins, edgeBase)
        : algorithm === "greedy-out"
          ? pageOrder(graph, C, progress)
          : seedNeighbourOrder(graph, C);
    phase?.finish();
    const overlapBefore = overlapRatios(graph, identityOrder(npts), C);
    const overlapPacked = overlapRatios(graph, order, C);
    const refine: RefinePassFigures[] = [];
    if (maxPasses > 0) {
      const sectors = Math.ceil(npts / C);
      const refining = reporter?.start("refine", maxPasses * sectors);
      refinePageOrder(graph, order, C, {
        maxPasses,
        ins,
        edgeBase,
        onProgress: (pass, done) => refining?.update((pass - 1) * sectors + done),
        onPass: (p) => {
          refine.push({ pass: p.pass, swaps: p.swaps, overlap: overlapRatios(graph, order, C), seconds: p.seconds });
          refining?.update(p.pass * sectors);
        },
      });
      refining?.finish();
    }
    const { oldOfNew, newOfOld } = order;
    const overlap = refine.length > 0 ? refine[refine.length - 1]!.overlap : overlapPacked;

    // ---- the new disk index: header, then sectors in new-id order ----
    const layout = diskLayoutFor({ npts, dim: meta.dim, type, R });
    disk = new AtomicFileWriter(`${out}_disk.index`);
    const header = encodeDiskIndexHeader({
      npts,
      dim: meta.dim,
      type,
      R,
      medoid: newOfOld[meta.medoid]!,
      numFrozen: meta.numFrozen,
      frozenLoc: meta.numFrozen > 0 ? newOfOld[meta.frozenLoc]! : 0,
    });
    disk.append(header);
    const sectorsPerBuffer = Math.max(1, Math.floor(WRITE_BUFFER_BYTES / SECTOR_BYTES));
    const buffer = new Uint8Array(sectorsPerBuffer * SECTOR_BYTES);
    const oldSector = new Uint8Array(SECTOR_BYTES);
    let cachedSector = -1;
    const coordBytes = meta.coordBytes;
    const write = reporter?.start("write sectors", npts);
    for (let firstSector = 0; firstSector < layout.nodeSectors; firstSector += sectorsPerBuffer) {
      const count = Math.min(sectorsPerBuffer, layout.nodeSectors - firstSector);
      buffer.fill(0, 0, count * SECTOR_BYTES);
      const lastId = Math.min(npts, (firstSector + count) * C);
      for (let p = firstSector * C; p < lastId; p++) {
        const old = oldOfNew[p]!;
        const s = nodeSectorIndex(meta, old);
        if (s !== cachedSector) {
          range.readInto(oldSector, s * SECTOR_BYTES);
          cachedSector = s;
        }
        const from = nodeByteOffsetInSector(meta, old);
        const to = (Math.floor(p / C) - firstSector) * SECTOR_BYTES + nodeByteOffsetInSector(meta, p);
        buffer.set(oldSector.subarray(from, from + coordBytes), to);
        const d = graph.degree[old]!;
        storeU32(buffer, to + coordBytes, d);
        const base = old * R;
        for (let k = 0; k < d; k++) storeU32(buffer, to + coordBytes + 4 + 4 * k, newOfOld[graph.nbrs[base + k]!]!);
      }
      disk.append(buffer.subarray(0, count * SECTOR_BYTES));
      write?.update(lastId);
    }
    write?.finish();
    if (disk.bytesWritten !== layout.layoutBytes) {
      throw new FormatError(diskFile, "layout", `${layout.layoutBytes} bytes written`, `${disk.bytesWritten}`);
    }

    // ---- PQ: pivots unchanged, codes permuted ----
    const pivotsFile = `${src}_pq_pivots.bin`;
    const codesFile = `${src}_pq_compressed.bin`;
    for (const f of [pivotsFile, codesFile]) {
      if (!existsSync(f))
        throw new ConfigError("index", [`Cannot open ${f}: no such file (a disk index needs its PQ files)`]);
    }
    stage(writers, `${out}_pq_pivots.bin`, new Uint8Array(readFileSync(pivotsFile)));
    const { M, codes } = parsePqCompressed(new Uint8Array(readFileSync(codesFile)), codesFile, { npts });
    const newCodes = new Uint8Array(8 + npts * M);
    newCodes.set(encodePqCompressedHeader(npts, M), 0);
    for (let p = 0; p < npts; p++) {
      const o = oldOfNew[p]! * M;
      newCodes.set(codes.subarray(o, o + M), 8 + p * M);
    }
    stage(writers, `${out}_pq_compressed.bin`, newCodes);

    // ---- entry graph: same graph and vectors, tags point at the new ids ----
    const memFile = `${src}_mem.index`;
    if (existsSync(memFile)) {
      stage(writers, `${out}_mem.index`, new Uint8Array(readFileSync(memFile)));
      stage(writers, `${out}_mem.index.data`, new Uint8Array(readFileSync(`${memFile}.data`)));
      const tags = parseMemIndexTags(new Uint8Array(readFileSync(`${memFile}.tags`)), `${memFile}.tags`, {
        diskNpts: npts,
      });
      const newTags = new Uint32Array(tags.length);
      for (let i = 0; i < tags.length; i++) newTags[i] = newOfOld[tags[i]!]!;
      stage(writers, `${out}_mem.index.tags`, encodeMemIndexTags(newTags));
    } else if (out !== src) {
      for (const suffix of ["_mem.index", "_mem.index.data", "_mem.index.tags"]) rmSync(out + suffix, { force: true });
    }

    // ---- original ids: composed with the input's own tags when it was relayouted before ----
    const inputTags = readNodeTags(src, npts);
    const nodeTags = new Uint32Array(npts);
    for (let p = 0; p < npts; p++) nodeTags[p] = inputTags ? inputTags[oldOfNew[p]!]! : oldOfNew[p]!;
    stage(writers, out + NODE_TAGS_SUFFIX, encodeNodeTags(nodeTags));

    if (sidecar !== null) {
      stage(
        writers,
        sidecarPath(out),
        new TextEncoder().encode(encodeSidecar({ ...sidecar, medoid: newOfOld[meta.medoid]! })),
      );
    }
    const seconds = (performance.now() - t0) / 1000;
    const peak = peakRssMb();
    stage(
      writers,
      out + PAGE_META_SUFFIX,
      new TextEncoder().encode(
        encodePageMeta({
          format: "ringann-page-layout",
          version: 1,
          npts,
          nodesPerSector: C,
          algorithm:
            (algorithm === "greedy"
              ? PAGE_ALGORITHM
              : algorithm === "greedy-out"
                ? "greedy block-neighbour packing (out-edges only)"
                : "seed + out-neighbours (Starling's block-neighbour padding)") +
            (edgeWeight === "mixed" ? ", edges weigh R + R − rank" : "") +
            (refine.length > 0 ? ` + ${refine.length} refinement passes (swaps)` : ""),
          overlapBefore,
          overlap,
          ...(refine.length > 0 ? { overlapPacked, refine } : {}),
          seconds,
          peakRssMb: Math.round(peak),
          source: src,
          createdAt: new Date().toISOString(),
        }),
      ),
    );
    writers.push(disk); // committed last: its presence means the index is complete
    range.close();
    for (const w of writers) w.commit();
    // The result's time includes the commits (fsync of every file); _page.json's stops before them.
    return {
      prefix: out,
      files: writers.map((w) => w.path),
      npts,
      nodesPerSector: C,
      overlapBefore,
      overlap,
      overlapPacked,
      refine,
      seconds: (performance.now() - t0) / 1000,
      peakRssMb: peak,
    };
  } catch (err) {
    for (const w of writers) w.abort();
    disk?.abort();
    throw err;
  } finally {
    range.close();
  }
}
