// Seeded synthetic data with structure a graph index can exploit: a Gaussian mixture in a
// low-dimensional subspace (16-d by default), randomly projected into the full dimension, plus a little
// isotropic noise. Isotropic clusters in the full dimension are unrealistically hard for graph search
// (their neighbours are almost equidistant); real descriptors have low intrinsic dimension, and so does this.
// Queries are fresh draws from the same mixture (never copies of base points).
// type "uint8" (SIFT-like: non-negative integer coordinates) quantises every coordinate with one affine
// map taken from the model, not from the draws: centred on the mixture's mean of that coordinate at
// 128, ±4 mixture standard deviations span 0..255 (clamped). n and nq still only change how many
// points are drawn.
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

/** The same mixture with every coordinate quantised to 0..255 (see makeSyntheticUint8). */
export interface SyntheticUint8Data extends Omit<SyntheticData, "base" | "queries"> {
  readonly base: Uint8Array;
  readonly queries: Uint8Array;
}

/** Mixture standard deviations mapped to each side of 128 by the uint8 quantiser. */
const UINT8_SPAN_STD = 4;

/** Spread of cluster centres relative to a unit within-cluster spread: clusters overlap a little. */
const CENTER_STD = 2;

export function makeSynthetic(opts: SyntheticOptions): SyntheticData {
  const m = mixture(opts);
  return { ...m.shape, base: m.draw(m.shape.n, 1), queries: m.draw(m.shape.nq, 2) };
}

/** SIFT-like: the mixture of makeSynthetic, quantised to non-negative integers (see the header). */
export function makeSyntheticUint8(opts: SyntheticOptions): SyntheticUint8Data {
  const m = mixture(opts);
  const quantise = uint8Quantiser(m);
  return { ...m.shape, base: quantise(m.draw(m.shape.n, 1)), queries: quantise(m.draw(m.shape.nq, 2)) };
}

interface Mixture {
  readonly shape: Omit<SyntheticData, "base" | "queries">;
  readonly projection: Float64Array;
  readonly centers: Float64Array;
  readonly spreads: Float64Array;
  readonly noise: number;
  draw(count: number, stream: number): Float32Array;
}

function mixture(opts: SyntheticOptions): Mixture {
  const { n, dim } = opts;
  const clusters = opts.clusters ?? 16;
  const seed = opts.seed ?? 1;
  const nq = opts.queries ?? 0;
  const intrinsicDim = Math.min(opts.intrinsicDim ?? 16, dim);
  const noise = opts.noise ?? 0.05;
  if (
    !(
      Number.isInteger(n) &&
      n >= 0 &&
      Number.isInteger(dim) &&
      dim > 0 &&
      Number.isInteger(clusters) &&
      clusters > 0 &&
      Number.isInteger(nq) &&
      nq >= 0
    )
  ) {
    throw new RangeError(
      `makeSynthetic: n ${n}, dim ${dim}, clusters ${clusters}, queries ${nq} must be non-negative integers (dim, clusters > 0)`,
    );
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
  return { shape: { n, nq, dim, intrinsicDim, clusters, seed }, projection, centers, spreads, noise, draw };
}

/** The affine map of the header: the mixture's mean and variance per coordinate, from the model alone. */
function uint8Quantiser(m: Mixture): (x: Float32Array) => Uint8Array {
  const { dim, intrinsicDim, clusters } = m.shape;
  const { projection, centers, spreads, noise } = m;
  const mean = new Float64Array(dim);
  const variance = new Float64Array(dim);
  const projected = new Float64Array(clusters * dim); // centre c in full dimension
  let meanSpread2 = 0;
  for (let c = 0; c < clusters; c++) {
    meanSpread2 += (spreads[c]! * spreads[c]!) / clusters;
    for (let i = 0; i < intrinsicDim; i++) {
      const ci = centers[c * intrinsicDim + i]!;
      for (let j = 0; j < dim; j++) projected[c * dim + j]! += ci * projection[i * dim + j]!;
    }
  }
  for (let c = 0; c < clusters; c++) for (let j = 0; j < dim; j++) mean[j]! += projected[c * dim + j]! / clusters;
  for (let j = 0; j < dim; j++) {
    let between = 0;
    for (let c = 0; c < clusters; c++) between += (projected[c * dim + j]! - mean[j]!) ** 2 / clusters;
    let p2 = 0;
    for (let i = 0; i < intrinsicDim; i++) p2 += projection[i * dim + j]! ** 2;
    variance[j] = between + meanSpread2 * p2 + noise * noise;
  }
  let meanVariance = 0;
  for (let j = 0; j < dim; j++) meanVariance += variance[j]! / dim;
  const scale = 127 / (UINT8_SPAN_STD * Math.sqrt(meanVariance));
  return (x: Float32Array): Uint8Array => {
    const out = new Uint8Array(x.length);
    for (let at = 0; at < x.length; at += dim) {
      for (let j = 0; j < dim; j++)
        out[at + j] = Math.min(255, Math.max(0, Math.round(128 + (x[at + j]! - mean[j]!) * scale)));
    }
    return out;
  };
}
