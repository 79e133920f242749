import { describe, expect, test } from "bun:test";
import { makeSynthetic, makeSyntheticUint8 } from "../../src/data/synthetic.ts";

/** Residual norm of v after removing its projection on the orthonormal basis (Gram–Schmidt step). */
function residual(basis: Float64Array[], v: Float64Array): Float64Array {
  const r = Float64Array.from(v);
  for (const b of basis) {
    let d = 0;
    for (let j = 0; j < r.length; j++) d += r[j]! * b[j]!;
    for (let j = 0; j < r.length; j++) r[j]! -= d * b[j]!;
  }
  return r;
}
const norm = (v: Float64Array) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));

describe("synthetic Gaussian mixture", () => {
  test("is deterministic per seed and differs across seeds", () => {
    const a = makeSynthetic({ n: 300, dim: 24, clusters: 5, seed: 9, queries: 20 });
    const b = makeSynthetic({ n: 300, dim: 24, clusters: 5, seed: 9, queries: 20 });
    const c = makeSynthetic({ n: 300, dim: 24, clusters: 5, seed: 10, queries: 20 });
    expect(a.base).toEqual(b.base);
    expect(a.queries).toEqual(b.queries);
    expect(a.base).not.toEqual(c.base);
    expect([a.base.length, a.queries.length]).toEqual([300 * 24, 20 * 24]);
    expect(a.base.every(Number.isFinite)).toBe(true);
    // More points extend the same stream: the first 300 rows do not move.
    const d = makeSynthetic({ n: 500, dim: 24, clusters: 5, seed: 9, queries: 20 });
    expect(d.base.subarray(0, 300 * 24)).toEqual(a.base);
    expect(d.queries).toEqual(a.queries);
  });

  test("without noise the points span only the intrinsic subspace", () => {
    const dim = 64,
      intrinsicDim = 16;
    const { base } = makeSynthetic({ n: 40, dim, clusters: 4, seed: 3, intrinsicDim, noise: 0 });
    const basis: Float64Array[] = [];
    const residuals: number[] = [];
    for (let p = 0; p < 40; p++) {
      const v = Float64Array.from(base.subarray(p * dim, (p + 1) * dim));
      const r = residual(basis, v);
      residuals.push(norm(r) / norm(v));
      if (norm(r) / norm(v) > 1e-3) basis.push(r.map((x) => x / norm(r)));
    }
    expect(basis.length).toBe(intrinsicDim);
    expect(Math.max(...residuals.slice(intrinsicDim + 4))).toBeLessThan(1e-4);
  });

  test("points cluster: a point's nearest neighbour is much closer than a random pair", () => {
    const dim = 32,
      n = 600;
    const { base } = makeSynthetic({ n, dim, clusters: 8, seed: 4 });
    const dist = (i: number, j: number) => {
      let s = 0;
      for (let t = 0; t < dim; t++) s += (base[i * dim + t]! - base[j * dim + t]!) ** 2;
      return s;
    };
    let nn = 0,
      rnd = 0;
    for (let i = 0; i < 50; i++) {
      let best = Infinity;
      for (let j = 0; j < n; j++) if (j !== i) best = Math.min(best, dist(i, j));
      nn += best;
      rnd += dist(i, (i * 7919 + 13) % n);
    }
    expect(nn * 4).toBeLessThan(rnd);
  });

  test("uint8: the same mixture quantised to 0..255 around 128, independent of n; neighbours kept", () => {
    const a = makeSyntheticUint8({ n: 4000, dim: 32, clusters: 5, seed: 9, queries: 20 });
    const b = makeSyntheticUint8({ n: 1000, dim: 32, clusters: 5, seed: 9, queries: 20 });
    expect(a.base).toBeInstanceOf(Uint8Array);
    expect(Array.from(a.base.subarray(0, 1000 * 32))).toEqual(Array.from(b.base));
    expect(Array.from(a.queries)).toEqual(Array.from(b.queries));
    let sum = 0;
    let sq = 0;
    let clamped = 0;
    for (const v of a.base) {
      sum += v;
      sq += v * v;
      if (v === 0 || v === 255) clamped++;
    }
    const mean = sum / a.base.length;
    const std = Math.sqrt(sq / a.base.length - mean * mean);
    expect(Math.abs(mean - 128)).toBeLessThan(4);
    expect(std).toBeGreaterThan(20); // ±4 mixture std span 0..255: about 32
    expect(std).toBeLessThan(45);
    expect(clamped / a.base.length).toBeLessThan(0.01);
    // Quantising keeps the float data's nearest neighbours: the nearest of query 0 agrees mostly.
    const f = makeSynthetic({ n: 4000, dim: 32, clusters: 5, seed: 9, queries: 20 });
    const nearest = (base: ArrayLike<number>, q: ArrayLike<number>, qo: number): number => {
      let best = -1;
      let bd = Infinity;
      for (let i = 0; i < 4000; i++) {
        let d = 0;
        for (let j = 0; j < 32; j++) d += (base[i * 32 + j]! - q[qo + j]!) ** 2;
        if (d < bd) {
          bd = d;
          best = i;
        }
      }
      return best;
    };
    let agree = 0;
    for (let q = 0; q < 20; q++) if (nearest(a.base, a.queries, q * 32) === nearest(f.base, f.queries, q * 32)) agree++;
    expect(agree).toBeGreaterThanOrEqual(16);
  });
});
