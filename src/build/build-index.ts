// `buildIndex`: vectors (a file or typed arrays in memory) → a DiskANN-format disk index.
// Phases: load → (cosine: normalise) → PQ train + encode → Vamana graph → entry graph → write.
// Every output goes to a temporary name first; all are renamed only after the last byte is written,
// `_disk.index` last, so an interrupted build never leaves a file under a final name.
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { RingannError, UsageError } from "../errors.ts";
import { AtomicFileWriter } from "../format/atomic-file.ts";
import { BinWriter } from "../format/bin.ts";
import { encodeSidecar, sidecarPath, type IndexSidecar } from "../format/index-sidecar.ts";
import { removePageLayoutFiles } from "../format/page-layout.ts";
import { encodePqCompressedHeader, encodePqPivots } from "../format/pq-files.ts";
import { openVectorFile } from "../format/vector-file.ts";
import { allocVectors, type Metric, type VectorType, type Vectors } from "../format/vector-type.ts";
import { normalizeRows } from "../math/distance.ts";
import { loadNativeKernels } from "../math/native-kernels.ts";
import { buildEntryGraph, ENTRY_L, ENTRY_R } from "./entry-graph.ts";
import { writeDiskLayout } from "./layout.ts";
import { estimateBuildMemory, formatGb, formatMb, peakRssMb } from "./memory-budget.ts";
import { nearestCentreFn, rowsL2Fn } from "./nearest-centre.ts";
import { abortableReporter, type PhaseReporter } from "./phase-reporter.ts";
import { encodePq, trainPq } from "./pq.ts";
import { buildVamanaGraph } from "./vamana-build.ts";
import { type StitchResult, stitchLabels } from "./label-stitch.ts";
import type { PointLabels } from "../format/label-files.ts";
import { labelStartPoints } from "../filter/start-points.ts";

export interface BuildIndexOptions {
  /** A vector file (.fbin/.u8bin/.i8bin/.bin, .fvecs/.bvecs, MNIST idx) or row-major vectors in memory. */
  readonly data: string | Vectors;
  /** Required for in-memory data. */
  readonly dim?: number;
  /** Element type: in-memory data implies it; needed for a plain ".bin" of 1-byte elements. */
  readonly type?: VectorType;
  readonly outPrefix: string;
  readonly metric?: Metric;
  readonly R?: number;
  readonly L?: number;
  readonly alpha?: number;
  /** PQ bytes per vector (chunks), default 32 (capped at dim). */
  readonly pqBytes?: number;
  readonly threads?: number;
  readonly seed?: number;
  /** Refuse to start when the estimated peak exceeds this many GiB. */
  readonly ramGb?: number;
  /** Build PipeANN's 1% in-memory entry graph (default true). */
  readonly entryGraph?: boolean;
  /** Fill free neighbour slots with the nearest pruned candidates (PipeANN's builder does). */
  readonly saturate?: boolean;
  /** `_pq_pivots.bin` offsets: 5 (PipeANN-readable, default) or 4. */
  readonly pivotsVariant?: 4 | 5;
  /** Use the native distance kernels when available (default true). */
  readonly native?: boolean;
  readonly reporter?: PhaseReporter;
  readonly signal?: AbortSignal;
  /** Issue 12: per-point labels; with labelAware, the graph is stitched per label (label-stitch.ts). */
  readonly labels?: PointLabels;
  readonly labelAware?: boolean;
}

export interface BuildIndexResult {
  readonly prefix: string;
  readonly files: string[];
  readonly npts: number;
  readonly dim: number;
  readonly type: VectorType;
  readonly metric: Metric;
  readonly R: number;
  readonly L: number;
  readonly alpha: number;
  readonly pqBytes: number;
  readonly medoid: number;
  readonly seconds: number;
  readonly peakRssMb: number;
  readonly estimatedBytes: number;
  readonly comparisons: number;
  readonly kernel: string;
  /** Seconds of the Vamana passes, and of the label stitching (label-aware builds). */
  readonly graphSeconds: number;
  readonly stitch: StitchResult | null;
}

export const BUILD_DEFAULTS = {
  metric: "l2" as Metric,
  R: 64,
  L: 100,
  alpha: 1.2,
  pqBytes: 32,
  seed: 1,
  saturate: false,
};

export async function buildIndex(opts: BuildIndexOptions): Promise<BuildIndexResult> {
  const started = performance.now();
  const metric = opts.metric ?? BUILD_DEFAULTS.metric;
  const R = opts.R ?? BUILD_DEFAULTS.R;
  const L = opts.L ?? BUILD_DEFAULTS.L;
  const alpha = opts.alpha ?? BUILD_DEFAULTS.alpha;
  const seed = opts.seed ?? BUILD_DEFAULTS.seed;
  const saturate = opts.saturate ?? BUILD_DEFAULTS.saturate;
  const threads = Math.max(1, opts.threads ?? navigator.hardwareConcurrency);
  const reporter = abortableReporter(opts.reporter, opts.signal);
  const source = describeSource(opts);
  const { npts, dim, type } = source;
  const pqBytes = Math.min(opts.pqBytes ?? BUILD_DEFAULTS.pqBytes, dim);
  validate({ R, L, alpha, pqBytes, dim, npts, metric, type, threads });
  if (opts.labelAware && R < 4)
    throw new UsageError(`Cannot build the index: --label-aware needs R ≥ 4 (a marker and label edges), got ${R}`);

  const estimate = estimateBuildMemory({ npts, dim, type, R, pqBytes, threads, normalizedCopy: metric === "cosine" });
  if (opts.ramGb !== undefined && estimate.totalBytes > opts.ramGb * 2 ** 30) {
    const parts = Object.entries(estimate.parts)
      .map(([k, v]) => `${k} ${formatMb(v)}`)
      .join(", ");
    throw new RingannError(
      "E_MEMORY_BUDGET",
      `Cannot build ${npts} x ${dim} ${type} (R ${R}, ${threads} threads) within --ram-gb ${opts.ramGb}: it needs about ${formatGb(estimate.totalBytes)} (${parts})`,
    );
  }

  // The output folder is made before the long phases, so a bad path fails now, not after them.
  mkdirSync(dirname(opts.outPrefix), { recursive: true });
  const loaded = source.load(threads > 1);
  let vectors = loaded.vectors;
  if (opts.labelAware && opts.labels && opts.labels.npts !== npts)
    throw new RingannError("E_CONFIG", `Cannot stitch labels: ${opts.labels.npts} label lines for ${npts} points`);
  // The label start points, from the vectors as given (what `ringann labels` / attachLabels writes).
  const starts = opts.labelAware && opts.labels ? labelStartPoints(opts.labels, vectors, dim) : null;
  if (metric === "cosine") {
    // Stored and compared as unit vectors with L2 (DiskANN's convention). The caller's arrays are
    // never modified: in-memory input is normalised in a copy.
    const unit = (loaded.owned ? vectors : allocVectors("float32", vectors.length, threads > 1)) as Float32Array;
    if (unit !== vectors) unit.set(vectors);
    normalizeRows(unit, dim);
    vectors = unit;
  }
  const graphMetric: Metric = metric === "cosine" ? "l2" : metric;
  const native = opts.native !== false;
  const kernels = native ? await loadNativeKernels() : null;
  const nearest = nearestCentreFn(kernels);

  const model = trainPq(vectors, npts, dim, {
    M: pqBytes,
    metric: graphMetric,
    seed,
    nearest,
    rowsL2: rowsL2Fn(kernels),
    reporter,
  });
  const codes = encodePq(model, vectors, npts, nearest, reporter);
  const graphStarted = performance.now();
  const built = await buildVamanaGraph({
    vectors,
    npts,
    dim,
    type,
    metric: graphMetric,
    R,
    L,
    alpha,
    threads,
    seed,
    saturate,
    native,
    reporter,
    signal: opts.signal,
  });
  const graphSeconds = (performance.now() - graphStarted) / 1000;
  let stitch: StitchResult | null = null;
  if (opts.labels && starts) {
    const phase = reporter?.start("label stitching", 1);
    stitch = await stitchLabels(built.graph, opts.labels, {
      vectors,
      dim,
      type,
      metric: graphMetric,
      R,
      alpha,
      kernels,
      starts,
      threads,
      signal: opts.signal,
    });
    phase?.finish();
  }
  const entry =
    opts.entryGraph === false
      ? null
      : await buildEntryGraph({ vectors, npts, dim, type, metric: graphMetric, alpha, seed, native, reporter });

  const prefix = opts.outPrefix;
  const writers: { commit(): void; abort(): void; path: string }[] = [];
  try {
    const pivots = new AtomicFileWriter(`${prefix}_pq_pivots.bin`);
    writers.push(pivots);
    pivots.append(encodePqPivots(model, opts.pivotsVariant ?? 5));
    const compressed = new AtomicFileWriter(`${prefix}_pq_compressed.bin`);
    writers.push(compressed);
    compressed.append(encodePqCompressedHeader(npts, pqBytes));
    compressed.append(codes);
    if (entry !== null) {
      const graphFile = new AtomicFileWriter(`${prefix}_mem.index`);
      writers.push(graphFile);
      graphFile.append(entry.graphBytes);
      const dataFile = new BinWriter(`${prefix}_mem.index.data`, type, dim);
      writers.push(dataFile);
      dataFile.appendRows(entry.data);
      const tagsFile = new AtomicFileWriter(`${prefix}_mem.index.tags`);
      writers.push(tagsFile);
      tagsFile.append(entry.tagsBytes);
    }
    const disk = new AtomicFileWriter(`${prefix}_disk.index`);
    writers.push(disk); // committed last: its presence means the index is complete
    writeDiskLayout(disk, { vectors, npts, dim, type, R, graph: built.graph, medoid: built.medoid }, reporter);
    opts.signal?.throwIfAborted();

    const seconds = (performance.now() - started) / 1000;
    const peak = peakRssMb();
    const sidecar: IndexSidecar = {
      format: "ringann-index",
      version: 1,
      metric,
      type,
      npts,
      dim,
      R,
      L,
      alpha,
      pqBytes,
      medoid: built.medoid,
      normalized: metric === "cosine",
      saturate,
      seed,
      threads,
      buildSeconds: round3(seconds),
      peakRssMb: Math.round(peak),
      kernel: built.kernel,
      entryGraph: entry ? { npts: entry.tags.length, R: ENTRY_R, L: ENTRY_L } : null,
      ...(stitch ? { labelEdges: true } : {}),
      createdAt: new Date().toISOString(),
    };
    const sidecarFile = new AtomicFileWriter(sidecarPath(prefix));
    sidecarFile.append(new TextEncoder().encode(encodeSidecar(sidecar)));
    writers.splice(writers.indexOf(disk), 0, sidecarFile);
    removePageLayoutFiles(prefix); // an id-order index: no renumbering (relayout writes them afresh)
    for (const w of writers) w.commit();
    return {
      prefix,
      files: writers.map((w) => w.path),
      npts,
      dim,
      type,
      metric,
      R,
      L,
      alpha,
      pqBytes,
      medoid: built.medoid,
      seconds,
      peakRssMb: peak,
      estimatedBytes: estimate.totalBytes,
      comparisons: built.comparisons,
      kernel: built.kernel,
      graphSeconds,
      stitch,
    };
  } catch (err) {
    for (const w of writers) w.abort();
    throw err;
  }
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

interface Source {
  readonly npts: number;
  readonly dim: number;
  readonly type: VectorType;
  /** `owned`: the array was allocated here and may be modified in place. */
  load(shared: boolean): { vectors: Vectors; owned: boolean };
}

function describeSource(opts: BuildIndexOptions): Source {
  if (typeof opts.data !== "string") {
    const data = opts.data;
    const type: VectorType = data instanceof Float32Array ? "float32" : data instanceof Uint8Array ? "uint8" : "int8";
    if (opts.type !== undefined && opts.type !== type)
      throw new UsageError(`data is ${type} but type says ${opts.type}`);
    const dim = opts.dim;
    if (dim === undefined || !Number.isInteger(dim) || dim < 1)
      throw new UsageError("in-memory data needs a positive integer dim");
    if (data.length % dim !== 0 || data.length === 0)
      throw new UsageError(`in-memory data has ${data.length} values, not a positive multiple of dim ${dim}`);
    return {
      npts: data.length / dim,
      dim,
      type,
      load: (shared) => {
        if (!shared || data.buffer instanceof SharedArrayBuffer) return { vectors: data, owned: false };
        const copy = allocVectors(type, data.length, true);
        copy.set(data);
        return { vectors: copy, owned: true };
      },
    };
  }
  const path = opts.data;
  const reader = openVectorFile(path, { type: opts.type });
  const { npts, dim } = reader;
  const elementType = reader.type;
  if (elementType === "int32") {
    reader.close();
    throw new UsageError(`${path} holds int32 values; ringann indexes float32, uint8 or int8 vectors`);
  }
  return {
    npts,
    dim,
    type: elementType,
    load: (shared) => {
      try {
        const out = allocVectors(elementType, npts * dim, shared);
        reader.readRowsInto(0, npts, out);
        return { vectors: out, owned: true };
      } finally {
        reader.close();
      }
    },
  };
}

function validate(p: {
  R: number;
  L: number;
  alpha: number;
  pqBytes: number;
  dim: number;
  npts: number;
  metric: Metric;
  type: VectorType;
  threads: number;
}): void {
  const problems: string[] = [];
  if (!Number.isInteger(p.R) || p.R < 1 || p.R > 1024) problems.push(`R must be an integer in 1..1024, got ${p.R}`);
  if (!Number.isInteger(p.L) || p.L < 1) problems.push(`L must be a positive integer, got ${p.L}`);
  if (!(p.alpha >= 1 && p.alpha <= 4)) problems.push(`alpha must be in 1..4, got ${p.alpha}`);
  if (!Number.isInteger(p.pqBytes) || p.pqBytes < 1)
    problems.push(`pq bytes must be a positive integer, got ${p.pqBytes}`);
  if (p.npts > 0xfffffffe) problems.push(`at most 2^32-2 points (uint32 ids), got ${p.npts}`);
  if (p.metric === "cosine" && p.type !== "float32")
    problems.push(`cosine needs float32 vectors (they are stored normalised); got ${p.type} — convert first or use l2`);
  if (problems.length > 0) throw new UsageError(`Cannot build the index: ${problems.join("; ")}`);
}
