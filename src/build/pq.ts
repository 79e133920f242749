// Product quantisation in DiskANN's layout: dims split into M contiguous chunks (the first
// dim % M chunks one dim wider), 256 centres per chunk trained by k-means on a seeded sample of
// residuals (vector − centroid), every vector encoded as M one-byte centre ids.
// The centroid is the sample mean for L2/cosine and zero for inner product (PipeANN's IP table
// does not subtract it; a constant shift would not change IP rankings anyway).
// Bench: bench/build/pq.bench.ts
import type { Metric, Vectors } from "../format/vector-type.ts";
import { kmeansChunk } from "./kmeans.ts";
import type { NearestCentreFn, RowsL2Fn } from "./nearest-centre.ts";
import type { PhaseReporter } from "./phase-reporter.ts";
import { SeededRandom } from "./random.ts";

export const PQ_CENTRES = 256;
/** DiskANN trains on at most 256K points; 64K already gives 256 points per centre. */
export const DEFAULT_PQ_TRAIN_SAMPLE = 65536;
export const DEFAULT_PQ_ITERATIONS = 12;
const SEED_SAMPLE = 8192;
const ENCODE_BLOCK_ROWS = 4096;

export interface PqModel {
  readonly dim: number;
  readonly M: number;
  /** 256 × dim: row c holds centre c of every chunk. */
  readonly pivots: Float32Array;
  readonly centroid: Float32Array;
  readonly chunkOffsets: Uint32Array;
}

export interface PqTrainOptions {
  readonly M: number;
  readonly metric: Metric;
  readonly seed: number;
  readonly nearest: NearestCentreFn;
  readonly rowsL2: RowsL2Fn;
  readonly sampleSize?: number;
  readonly iterations?: number;
  readonly reporter?: PhaseReporter;
}

/** DiskANN's split: chunk sizes floor/ceil(dim / M), the wider ones first. */
export function chunkOffsetsFor(dim: number, M: number): Uint32Array {
  if (M < 1 || M > dim) throw new RangeError(`PQ chunks must be in 1..${dim}, got ${M}`);
  const low = Math.floor(dim / M);
  const wide = dim - low * M;
  const out = new Uint32Array(M + 1);
  for (let m = 0; m < M; m++) out[m + 1] = out[m]! + low + (m < wide ? 1 : 0);
  return out;
}

/** Rows [start, start+count) of `vectors` as float32 residuals (minus `centroid`) into `out`. */
function residualRows(
  vectors: Vectors,
  dim: number,
  start: number,
  count: number,
  centroid: Float32Array,
  out: Float32Array,
): void {
  for (let r = 0; r < count; r++) {
    const src = (start + r) * dim;
    const dst = r * dim;
    for (let j = 0; j < dim; j++) out[dst + j] = vectors[src + j]! - centroid[j]!;
  }
}

export function trainPq(vectors: Vectors, npts: number, dim: number, opts: PqTrainOptions): PqModel {
  const rng = new SeededRandom(opts.seed ^ 0x5eed);
  const M = opts.M;
  const chunkOffsets = chunkOffsetsFor(dim, M);
  const sampleIds = rng.sampleSorted(npts, Math.min(npts, opts.sampleSize ?? DEFAULT_PQ_TRAIN_SAMPLE));
  const S = sampleIds.length;

  const centroid = new Float32Array(dim);
  if (opts.metric !== "ip") {
    const sum = new Float64Array(dim);
    for (let i = 0; i < S; i++) {
      const off = sampleIds[i]! * dim;
      for (let j = 0; j < dim; j++) sum[j]! += vectors[off + j]!;
    }
    for (let j = 0; j < dim; j++) centroid[j] = sum[j]! / S;
  }
  // One chunk's columns at a time (S × w floats), so a 784-d sample never sits in memory whole.
  const maxWidth = Math.ceil(dim / M);
  const chunkSample = new Float32Array(S * maxWidth);
  const pivots = new Float32Array(PQ_CENTRES * dim);
  const phase = opts.reporter?.start("PQ train", M);
  for (let m = 0; m < M; m++) {
    const lo = chunkOffsets[m]!;
    const w = chunkOffsets[m + 1]! - lo;
    for (let i = 0; i < S; i++) {
      const src = sampleIds[i]! * dim + lo;
      const dst = i * w;
      for (let j = 0; j < w; j++) chunkSample[dst + j] = vectors[src + j]! - centroid[lo + j]!;
    }
    const centresT = kmeansChunk(chunkSample, S, w, {
      k: PQ_CENTRES,
      iterations: opts.iterations ?? DEFAULT_PQ_ITERATIONS,
      seedSample: SEED_SAMPLE,
      rng,
      nearest: opts.nearest,
      rowsL2: opts.rowsL2,
    });
    for (let c = 0; c < PQ_CENTRES; c++) {
      for (let j = 0; j < w; j++) pivots[c * dim + lo + j] = centresT[j * PQ_CENTRES + c]!;
    }
    phase?.update(m + 1);
  }
  phase?.finish();
  return { dim, M, pivots, centroid, chunkOffsets };
}

/** Encodes rows [0, npts) into npts × M codes. */
export function encodePq(
  model: PqModel,
  vectors: Vectors,
  npts: number,
  nearest: NearestCentreFn,
  reporter?: PhaseReporter,
): Uint8Array {
  const { dim, M, chunkOffsets, pivots, centroid } = model;
  const codes = new Uint8Array(npts * M);
  // Transposed centres per chunk, built once.
  const centresT: Float32Array[] = [];
  for (let m = 0; m < M; m++) {
    const lo = chunkOffsets[m]!;
    const w = chunkOffsets[m + 1]! - lo;
    const t = new Float32Array(w * PQ_CENTRES);
    for (let c = 0; c < PQ_CENTRES; c++) for (let j = 0; j < w; j++) t[j * PQ_CENTRES + c] = pivots[c * dim + lo + j]!;
    centresT.push(t);
  }
  const block = new Float32Array(ENCODE_BLOCK_ROWS * dim);
  const phase = reporter?.start("PQ encode", npts);
  for (let start = 0; start < npts; start += ENCODE_BLOCK_ROWS) {
    const count = Math.min(ENCODE_BLOCK_ROWS, npts - start);
    residualRows(vectors, dim, start, count, centroid, block);
    for (let m = 0; m < M; m++) {
      const lo = chunkOffsets[m]!;
      const w = chunkOffsets[m + 1]! - lo;
      nearest(block, count, dim, lo, w, centresT[m]!, PQ_CENTRES, codes.subarray(start * M + m), M, null);
    }
    phase?.update(start + count);
  }
  phase?.finish();
  return codes;
}
