// k-means over the rows of a small float32 matrix (one PQ chunk's columns of the training sample):
// k-means++ seeding on a subsample, then Lloyd iterations (assign with the nearest-centre kernel,
// recompute means).
// An emptied cluster takes the point currently farthest from its centre, so all k centres stay
// in use. Deterministic for a given SeededRandom.
// Bench: bench/build/pq.bench.ts
import type { NearestCentreFn, RowsL2Fn } from "./nearest-centre.ts";
import type { SeededRandom } from "./random.ts";

export interface KmeansOptions {
  readonly k: number;
  readonly iterations: number;
  /** Points used for k-means++ seeding (its cost is k passes over them). */
  readonly seedSample: number;
  readonly rng: SeededRandom;
  readonly nearest: NearestCentreFn;
  readonly rowsL2: RowsL2Fn;
}

/** Clusters rows[0..n) of an n × w matrix. Returns the centres transposed (w × k: centresT[j * k + c]). */
export function kmeansChunk(rows: Float32Array, n: number, w: number, opts: KmeansOptions): Float32Array {
  const { k, nearest } = opts;
  const centresT = new Float32Array(w * k);
  if (n === 0) return centresT;
  seedPlusPlus(rows, n, w, centresT, opts);

  let codes = new Uint8Array(n);
  let previous = new Uint8Array(n);
  const dists = new Float32Array(n);
  const sums = new Float64Array(k * w);
  const counts = new Uint32Array(k);
  let reseeded = true;
  for (let it = 0; it < opts.iterations; it++) {
    nearest(rows, n, w, 0, w, centresT, k, codes, 1, dists);
    // Converged: the same assignment (and no centre moved by re-seeding) gives the same means.
    if (it > 0 && !reseeded && sameCodes(codes, previous)) break;
    const swap = previous;
    previous = codes;
    codes = swap;
    const assigned = previous;
    reseeded = false;
    sums.fill(0);
    counts.fill(0);
    for (let i = 0; i < n; i++) {
      const c = assigned[i]!;
      counts[c]!++;
      const x = i * w;
      const s = c * w;
      for (let j = 0; j < w; j++) sums[s + j]! += rows[x + j]!;
    }
    for (let c = 0; c < k; c++) {
      if (counts[c] === 0) {
        // Re-seed an empty cluster at the worst-served point (and stop it being picked twice).
        let worst = 0;
        for (let i = 1; i < n; i++) if (dists[i]! > dists[worst]!) worst = i;
        if (dists[worst] === 0) continue; // every point sits on a centre: nothing better to take
        dists[worst] = 0;
        reseeded = true;
        const x = worst * w;
        for (let j = 0; j < w; j++) centresT[j * k + c] = rows[x + j]!;
        continue;
      }
      const inv = 1 / counts[c]!;
      for (let j = 0; j < w; j++) centresT[j * k + c] = sums[c * w + j]! * inv;
    }
  }
  return centresT;
}

function sameCodes(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** k-means++: each next centre is drawn with probability proportional to squared distance. */
function seedPlusPlus(rows: Float32Array, n: number, w: number, centresT: Float32Array, opts: KmeansOptions): void {
  const { k, rng } = opts;
  const m = Math.min(n, Math.max(opts.seedSample, k));
  // A seeded subsample of row indices (all rows when n is small).
  const pick = m === n ? identity(n) : rng.sampleSorted(n, m);
  const minD = new Float64Array(m).fill(Number.POSITIVE_INFINITY);
  const d = new Float32Array(m);
  let chosen = pick[rng.nextInt(m)]!;
  for (let c = 0; c < k; c++) {
    const x = chosen * w;
    for (let j = 0; j < w; j++) centresT[j * k + c] = rows[x + j]!;
    if (c === k - 1) break;
    opts.rowsL2(rows, w, chosen, pick, m, d);
    let total = 0;
    for (let i = 0; i < m; i++) {
      if (d[i]! < minD[i]!) minD[i] = d[i]!;
      total += minD[i]!;
    }
    if (total === 0) {
      // Fewer distinct points than centres: repeat a random point (duplicates are harmless).
      chosen = pick[rng.nextInt(m)]!;
      continue;
    }
    let r = rng.nextFloat() * total;
    let next = m - 1;
    for (let i = 0; i < m; i++) {
      r -= minD[i]!;
      if (r <= 0) {
        next = i;
        break;
      }
    }
    chosen = pick[next]!;
  }
}

function identity(n: number): Uint32Array {
  const out = new Uint32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  return out;
}
