// Seeded synthetic data with structure a graph index can exploit: a Gaussian mixture in a
// low-dimensional subspace (16-d by default), randomly projected into the full dimension, plus a little
// isotropic noise. Isotropic clusters in the full dimension are unrealistically hard for graph search
// (their neighbours are almost equidistant); real descriptors have low intrinsic dimension, and so does this.
// Queries are fresh draws from the same mixture (never copies of base points).
import { DatasetRng } from "./rng.ts";

export interface SyntheticOptions {
  readonly n: number;
  readonly dim: number;
  readonly clusters?: number;
  readonly seed?: number;
  /** Query vectors to draw (default 0). */
  readonly queries?: number;
  /** Dimension of the subspace the clusters live in (default min(16, dim)). */
  readonly intrinsicDim?: number;
  /** Standard deviation of the isotropic full-dimension noise (default 0.05). */
  readonly noise?: number;
}

export interface SyntheticData {
  readonly n: number;
  readonly nq: number;
  readonly dim: number;
  readonly intrinsicDim: number;
  readonly clusters: number;
  readonly seed: number;
  /** n × dim, row-major. */
  readonly base: Float32Array;
  /** nq × dim, row-major. */
  readonly queries: Float32Array;
}

/** Spread of cluster centres relative to a unit within-cluster spread: clusters overlap a little. */
const CENTER_STD = 2;

export function makeSynthetic(opts: SyntheticOptions): SyntheticData {
  const { n, dim } = opts;
  const clusters = opts.clusters ?? 16;
  const seed = opts.seed ?? 1;
  const nq = opts.queries ?? 0;
  const intrinsicDim = Math.min(opts.intrinsicDim ?? 16, dim);
  const noise = opts.noise ?? 0.05;
  if (!(Number.isInteger(n) && n >= 0 && Number.isInteger(dim) && dim > 0 && Number.isInteger(clusters) && clusters > 0 && Number.isInteger(nq) && nq >= 0)) {
    throw new RangeError(`makeSynthetic: n ${n}, dim ${dim}, clusters ${clusters}, queries ${nq} must be non-negative integers (dim, clusters > 0)`);
  }

  // The model (projection, centres, spreads) comes from its own stream so that n and nq change only
  // how many points are drawn, never where the clusters are.
  const model = new DatasetRng(seed, 0);
  const projection = new Float64Array(intrinsicDim * dim);
  const scale = 1 / Math.sqrt(intrinsicDim);
  for (let i = 0; i < projection.length; i++) projection[i] = model.nextNormal() * scale;
  const centers = new Float64Array(clusters * intrinsicDim);
  for (let i = 0; i < centers.length; i++) centers[i] = model.nextNormal() * CENTER_STD;
  const spreads = new Float64Array(clusters);
  for (let c = 0; c < clusters; c++) spreads[c] = 0.5 + model.nextFloat();

  const draw = (count: number, stream: number): Float32Array => {
    const rng = new DatasetRng(seed, stream);
    const out = new Float32Array(count * dim);
    const z = new Float64Array(intrinsicDim);
    for (let p = 0; p < count; p++) {
      const c = rng.nextInt(clusters);
      for (let i = 0; i < intrinsicDim; i++) z[i] = centers[c * intrinsicDim + i]! + spreads[c]! * rng.nextNormal();
      const row = p * dim;
      for (let j = 0; j < dim; j++) out[row + j] = noise * rng.nextNormal();
      for (let i = 0; i < intrinsicDim; i++) {
        const zi = z[i]!;
        const pr = i * dim;
        for (let j = 0; j < dim; j++) out[row + j]! += zi * projection[pr + j]!;
      }
    }
    return out;
  };
  return { n, nq, dim, intrinsicDim, clusters, seed, base: draw(n, 1), queries: draw(nq, 2) };
}
