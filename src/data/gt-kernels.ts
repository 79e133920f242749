// The inner loops of exact ground truth: scan a block of base rows for a range of queries, keeping
// each query's k best (distance, id) in a small insertion-sorted array.
//
// Exactness and ties: distances are computed in JS doubles (integers stay exact: the integer
// kernels keep int32 sums, checked to fit by the caller). Base ids arrive in increasing order, so
// a candidate enters only when strictly closer than the current k-th: equal distances keep the
// lower id, and insertion shifts only entries strictly farther.
// Speed: rows are scanned in tiles that stay in cache while every query of the range passes over
// them; L2 stops a distance early once its partial sum already reaches the k-th best (the final sum
// can only grow, and a tie would lose to the lower id anyway; ~2.5x on Fashion-MNIST). Nothing is
// allocated per distance.
// Bench: bench/gt.bench.ts

/** Per-query top-k for a range of queries, nearest first; dists start at +Infinity. */
export interface TopK {
  readonly k: number;
  readonly nq: number;
  readonly dists: Float64Array;
  readonly ids: Uint32Array;
}

export function newTopK(nq: number, k: number): TopK {
  const dists = new Float64Array(nq * k).fill(Number.POSITIVE_INFINITY);
  const ids = new Uint32Array(nq * k).fill(0xffffffff);
  return { k, nq, dists, ids };
}

export type KernelName = "l2-int" | "l2-float" | "ip-int" | "ip-float";
export type IntRows = Uint8Array | Int8Array;

/**
 * Scans `rows` rows of `chunk` (global ids baseId0..) for queries [qStart, qEnd) of `queries`;
 * query q's results live in `top` row (q - qStart). Returns the number of distances computed.
 */
export type ScanFn<T> = (
  queries: T,
  qStart: number,
  qEnd: number,
  chunk: T,
  rows: number,
  baseId0: number,
  dim: number,
  top: TopK,
  tileRows: number,
) => number;

/** Picks the scan for a kernel once; the caller's loop never branches on the metric or type. */
export function scanFor(kernel: "l2-int" | "ip-int"): ScanFn<IntRows>;
export function scanFor(kernel: "l2-float" | "ip-float"): ScanFn<Float32Array>;
export function scanFor(kernel: KernelName): ScanFn<IntRows> | ScanFn<Float32Array> {
  switch (kernel) {
    case "l2-int":
      return scanL2Int;
    case "l2-float":
      return scanL2Float;
    case "ip-int":
      return scanIpInt;
    case "ip-float":
      return scanIpFloat;
  }
}

export type GtRows = Float32Array | IntRows;

/**
 * The same choice for a caller holding rows of either kind; the kernel name says which kind the rows
 * are (int kernels take Uint8Array/Int8Array, float kernels Float32Array), so the cast is safe.
 */
export function scanForRows(kernel: KernelName): ScanFn<GtRows> {
  return (kernel === "l2-int" || kernel === "ip-int" ? scanFor(kernel) : scanFor(kernel)) as ScanFn<GtRows>;
}

/** Largest dim for which an int32 sum of squared 8-bit differences cannot overflow. */
export const MAX_INT_KERNEL_DIM = Math.floor(0x7fffffff / (255 * 255));

function insert(top: TopK, row: number, dist: number, id: number): number {
  const k = top.k;
  const D = top.dists;
  const I = top.ids;
  const first = row * k;
  let p = first + k - 1;
  while (p > first && D[p - 1]! > dist) {
    D[p] = D[p - 1]!;
    I[p] = I[p - 1]!;
    p--;
  }
  D[p] = dist;
  I[p] = id;
  return D[first + k - 1]!;
}

// Each kernel sums 8 dimensions per step (unrolled: measured ~1.5x over a plain loop here) and, for
// L2, checks the partial sum against the k-th best after every step.

function scanL2Int(
  Q: IntRows,
  qStart: number,
  qEnd: number,
  B: IntRows,
  rows: number,
  baseId0: number,
  dim: number,
  top: TopK,
  tileRows: number,
): number {
  const k = top.k;
  const end8 = dim & ~7;
  for (let t0 = 0; t0 < rows; t0 += tileRows) {
    const t1 = Math.min(rows, t0 + tileRows);
    for (let q = qStart; q < qEnd; q++) {
      const row = q - qStart;
      let worst = top.dists[row * k + k - 1]!;
      const qo = q * dim;
      for (let r = t0; r < t1; r++) {
        const bo = r * dim;
        let s = 0;
        let j = 0;
        while (j < end8) {
          const a = qo + j,
            b = bo + j;
          const d0 = Q[a]! - B[b]!,
            d1 = Q[a + 1]! - B[b + 1]!,
            d2 = Q[a + 2]! - B[b + 2]!,
            d3 = Q[a + 3]! - B[b + 3]!;
          const d4 = Q[a + 4]! - B[b + 4]!,
            d5 = Q[a + 5]! - B[b + 5]!,
            d6 = Q[a + 6]! - B[b + 6]!,
            d7 = Q[a + 7]! - B[b + 7]!;
          s =
            (s +
              Math.imul(d0, d0) +
              Math.imul(d1, d1) +
              Math.imul(d2, d2) +
              Math.imul(d3, d3) +
              Math.imul(d4, d4) +
              Math.imul(d5, d5) +
              Math.imul(d6, d6) +
              Math.imul(d7, d7)) |
            0;
          j += 8;
          if (s >= worst) break;
        }
        if (s < worst) {
          for (; j < dim; j++) {
            const d = Q[qo + j]! - B[bo + j]!;
            s = (s + Math.imul(d, d)) | 0;
          }
          if (s < worst) worst = insert(top, row, s, baseId0 + r);
        }
      }
    }
  }
  return rows * (qEnd - qStart);
}

function scanL2Float(
  Q: Float32Array,
  qStart: number,
  qEnd: number,
  B: Float32Array,
  rows: number,
  baseId0: number,
  dim: number,
  top: TopK,
  tileRows: number,
): number {
  const k = top.k;
  const end8 = dim & ~7;
  for (let t0 = 0; t0 < rows; t0 += tileRows) {
    const t1 = Math.min(rows, t0 + tileRows);
    for (let q = qStart; q < qEnd; q++) {
      const row = q - qStart;
      let worst = top.dists[row * k + k - 1]!;
      const qo = q * dim;
      for (let r = t0; r < t1; r++) {
        const bo = r * dim;
        let s = 0;
        let j = 0;
        while (j < end8) {
          const a = qo + j,
            b = bo + j;
          const d0 = Q[a]! - B[b]!,
            d1 = Q[a + 1]! - B[b + 1]!,
            d2 = Q[a + 2]! - B[b + 2]!,
            d3 = Q[a + 3]! - B[b + 3]!;
          const d4 = Q[a + 4]! - B[b + 4]!,
            d5 = Q[a + 5]! - B[b + 5]!,
            d6 = Q[a + 6]! - B[b + 6]!,
            d7 = Q[a + 7]! - B[b + 7]!;
          s += d0 * d0 + d1 * d1 + d2 * d2 + d3 * d3 + d4 * d4 + d5 * d5 + d6 * d6 + d7 * d7;
          j += 8;
          if (s >= worst) break;
        }
        if (s < worst) {
          for (; j < dim; j++) {
            const d = Q[qo + j]! - B[bo + j]!;
            s += d * d;
          }
          if (s < worst) worst = insert(top, row, s, baseId0 + r);
        }
      }
    }
  }
  return rows * (qEnd - qStart);
}

function scanIpInt(
  Q: IntRows,
  qStart: number,
  qEnd: number,
  B: IntRows,
  rows: number,
  baseId0: number,
  dim: number,
  top: TopK,
  tileRows: number,
): number {
  const k = top.k;
  const end8 = dim & ~7;
  for (let t0 = 0; t0 < rows; t0 += tileRows) {
    const t1 = Math.min(rows, t0 + tileRows);
    for (let q = qStart; q < qEnd; q++) {
      const row = q - qStart;
      let worst = top.dists[row * k + k - 1]!;
      const qo = q * dim;
      for (let r = t0; r < t1; r++) {
        const bo = r * dim;
        let s = 0;
        let j = 0;
        for (; j < end8; j += 8) {
          const a = qo + j,
            b = bo + j;
          s =
            (s +
              Math.imul(Q[a]!, B[b]!) +
              Math.imul(Q[a + 1]!, B[b + 1]!) +
              Math.imul(Q[a + 2]!, B[b + 2]!) +
              Math.imul(Q[a + 3]!, B[b + 3]!) +
              Math.imul(Q[a + 4]!, B[b + 4]!) +
              Math.imul(Q[a + 5]!, B[b + 5]!) +
              Math.imul(Q[a + 6]!, B[b + 6]!) +
              Math.imul(Q[a + 7]!, B[b + 7]!)) |
            0;
        }
        for (; j < dim; j++) s = (s + Math.imul(Q[qo + j]!, B[bo + j]!)) | 0;
        const dist = -s;
        if (dist < worst) worst = insert(top, row, dist, baseId0 + r);
      }
    }
  }
  return rows * (qEnd - qStart);
}

function scanIpFloat(
  Q: Float32Array,
  qStart: number,
  qEnd: number,
  B: Float32Array,
  rows: number,
  baseId0: number,
  dim: number,
  top: TopK,
  tileRows: number,
): number {
  const k = top.k;
  const end8 = dim & ~7;
  for (let t0 = 0; t0 < rows; t0 += tileRows) {
    const t1 = Math.min(rows, t0 + tileRows);
    for (let q = qStart; q < qEnd; q++) {
      const row = q - qStart;
      let worst = top.dists[row * k + k - 1]!;
      const qo = q * dim;
      for (let r = t0; r < t1; r++) {
        const bo = r * dim;
        let s = 0;
        let j = 0;
        for (; j < end8; j += 8) {
          const a = qo + j,
            b = bo + j;
          s +=
            Q[a]! * B[b]! +
            Q[a + 1]! * B[b + 1]! +
            Q[a + 2]! * B[b + 2]! +
            Q[a + 3]! * B[b + 3]! +
            Q[a + 4]! * B[b + 4]! +
            Q[a + 5]! * B[b + 5]! +
            Q[a + 6]! * B[b + 6]! +
            Q[a + 7]! * B[b + 7]!;
        }
        for (; j < dim; j++) s += Q[qo + j]! * B[bo + j]!;
        const dist = -s;
        if (dist < worst) worst = insert(top, row, dist, baseId0 + r);
      }
    }
  }
  return rows * (qEnd - qStart);
}
