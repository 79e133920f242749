// Product-quantisation distances for a query (layout in docs/disk-format.md).
// The query table holds, per chunk m and centre c, the chunk's share of the distance:
//   l2:  table[m*256 + c] = Σ_{j in chunk m} (pivot[c][j] - (q[perm[j]] - centroid[perm[j]]))²
//   ip:  table[m*256 + c] = -Σ_{j in chunk m} pivot[c][j] * q[perm[j]]
//        (q·x ≈ q·centroid + q·pivot; the first term is the same for every node, so it is dropped)
// and a node's PQ distance is Σ_m table[m*256 + code[m]]. Building walks the 256 × dim centres
// four rows at a time in memory order, each chunk's four sums in registers (in TypeScript ~1.4×
// faster than the transposed layout SIMD code prefers). The metric is chosen at construction.
// With the native kernels (c/kernels.c rk_pq_table: AVX2+FMA, or portable C) the table is built in C
// from a blocked copy of the pivots; which builder runs is decided once, in the constructor.
// Bench: bench/pq-table.bench.ts, bench/search-hop.bench.ts
import { ptr } from "bun:ffi";
import type { Metric } from "../format/vector-type.ts";
import type { PqPivots } from "../format/pq-files.ts";
import { pinnedFloat32, pinnedUint32 } from "./pinned.ts";
import type { NativeKernels } from "./native-kernels.ts";

export const PQ_CENTERS = 256;

/**
 * The best `L` of ids[0..n) by PQ distance under `table`, ascending, into outIds / outDists; returns how
 * many. `codes` is every point's code (scanBest) or the rows of ids in that order (scanRows).
 */
export type PqScanFn = (
  table: Float32Array,
  codes: Uint8Array,
  ids: Uint32Array,
  n: number,
  L: number,
  outIds: Uint32Array,
  outDists: Float32Array,
) => number;

export class PqTable {
  readonly dim: number;
  /** Chunks = PQ bytes per vector. */
  readonly M: number;
  readonly metric: Metric;
  /** Floats in one query table (M × 256). */
  readonly tableSize: number;
  /** 256 × dim centres, row-major: a row is walked in order while its M sums build up. */
  private readonly pivots: Float32Array;
  private readonly centroidAt: Float32Array;
  private readonly permuted: Uint32Array;
  private readonly chunkOffsets: Uint32Array;
  /** The query mapped into pivot columns: q[perm[j]] − centroid[perm[j]] (l2) or q[perm[j]] (ip). */
  private readonly adjusted: Float32Array;
  private readonly build: (out: Float32Array) => void;
  /** Which builder populate() runs: "native" (c/kernels.c) or "ts". */
  readonly kernel: "native" | "ts";
  /**
   * Fills `out` (≥ M × 256 floats) with the query table of `q` (dim floats from qOffset).
   * Bound once in the constructor to the TypeScript or the native builder.
   */
  readonly populate: (q: Float32Array, qOffset: number, out: Float32Array) => void;
  /**
   * The best `L` of ids[0..n) by PQ distance under `table`, ascending, into outIds / outDists; returns how
   * many (c/kernels.c rk_pq_scan_best: pre-filtering scores every matching point). Null without the
   * native kernels: callers then use pqDistances. Same distances as pqDistances.
   */
  readonly scanBest: PqScanFn | null;
  /**
   * scanBest over code rows gathered in match order (`gather`): row i of `rows` is the code of ids[i].
   * Streams instead of missing the cache once a match (pre-filtering a frequent filter). Null without
   * the native kernels.
   */
  readonly scanRows: PqScanFn | null;
  /** Copies the code rows of ids[0..n) into `out` (n × M bytes), in that order. Null without the native kernels. */
  readonly gather: ((codes: Uint8Array, ids: Uint32Array, n: number, out: Uint8Array) => void) | null;

  /** `kernels`: build tables with c/kernels.c (null, or no rk_pq_table symbol: TypeScript). */
  constructor(pivots: PqPivots, metric: Metric, kernels: NativeKernels | null = null) {
    const dim = pivots.dim;
    this.dim = dim;
    this.M = pivots.M;
    this.metric = metric;
    this.tableSize = pivots.M * PQ_CENTERS;
    this.chunkOffsets = pivots.chunkOffsets;
    this.pivots = pivots.pivots;
    // Column j of the pivots describes original dimension perm[j] (identity when absent).
    this.permuted = new Uint32Array(dim);
    this.centroidAt = new Float32Array(dim);
    for (let j = 0; j < dim; j++) {
      const p = pivots.perm ? pivots.perm[j]! : j;
      this.permuted[j] = p;
      this.centroidAt[j] = metric === "ip" ? 0 : pivots.centroid[p]!;
    }
    this.adjusted = new Float32Array(dim);
    this.build = metric === "ip" ? this.buildIp : this.buildL2;
    if (kernels !== null && typeof kernels.rk_pq_table === "function") {
      this.kernel = "native";
      this.populate = this.nativePopulate(kernels);
    } else {
      this.kernel = "ts";
      this.populate = this.tsPopulate;
    }
    const M = pivots.M;
    const scan = kernels !== null && typeof kernels.rk_pq_scan_best === "function" ? kernels.rk_pq_scan_best : null;
    this.scanBest =
      scan === null
        ? null
        : (table, codes, ids, n, L, outIds, outDists) => {
            if (n > ids.length || L > outIds.length || L > outDists.length || table.length < M * PQ_CENTERS)
              throw new RangeError(`PqTable.scanBest: ${n} ids of ${ids.length}, L ${L} of ${outIds.length} outputs`);
            if (n === 0) return 0;
            const count = scan(table, codes, Math.floor(codes.length / M), M, ids, n, L, outIds, outDists);
            if (count === 0xffffffff)
              throw new RangeError(`PqTable.scanBest: an id has no PQ code (${codes.length / M} points)`);
            return count;
          };
    const scanRows = kernels !== null && typeof kernels.rk_pq_scan_rows === "function" ? kernels.rk_pq_scan_rows : null;
    this.scanRows =
      scanRows === null
        ? null
        : (table, rows, ids, n, L, outIds, outDists) => {
            if (n > ids.length || n * M > rows.length || L > outIds.length || L > outDists.length)
              throw new RangeError(`PqTable.scanRows: ${n} ids of ${ids.length} (${rows.length / M} rows), L ${L}`);
            if (table.length < M * PQ_CENTERS) throw new RangeError("PqTable.scanRows: table too short");
            return n === 0 ? 0 : scanRows(table, rows, M, ids, n, L, outIds, outDists);
          };
    const gather = kernels !== null && typeof kernels.rk_pq_gather === "function" ? kernels.rk_pq_gather : null;
    this.gather =
      gather === null
        ? null
        : (codes, ids, n, out) => {
            if (n > ids.length || n * M > out.length)
              throw new RangeError(`PqTable.gather: ${n} ids of ${ids.length} into ${out.length / M} rows`);
            if (n > 0 && gather(codes, Math.floor(codes.length / M), M, ids, n, out) !== 0)
              throw new RangeError(`PqTable.gather: an id has no PQ code (${codes.length / M} points)`);
          };
  }

  private tsPopulate = (q: Float32Array, qOffset: number, out: Float32Array): void => {
    const { adjusted, permuted, centroidAt, dim } = this;
    for (let j = 0; j < dim; j++) adjusted[j] = q[qOffset + permuted[j]!]! - centroidAt[j]!;
    this.build(out);
  };

  /**
   * The native builder. Every array goes to C freshly pointed at per call (Bun takes each typed
   * array's address at the call), so C keeps no address between calls; the constant ones are pinned
   * (src/math/pinned.ts) and made once here. Nothing is allocated per query.
   */
  private nativePopulate(k: NativeKernels): (q: Float32Array, qOffset: number, out: Float32Array) => void {
    const { dim, M, tableSize } = this;
    const blocked = pinnedFloat32(PQ_CENTERS * dim);
    const offsets = pinnedUint32(M + 1);
    offsets.set(this.chunkOffsets.subarray(0, M + 1));
    const perm = pinnedUint32(dim);
    perm.set(this.permuted);
    const centroidAt = pinnedFloat32(dim);
    centroidAt.set(this.centroidAt);
    const adjusted = pinnedFloat32(dim);
    k.rk_pq_table_layout(this.pivots, dim, offsets, M, blocked);
    const ip = this.metric === "ip" ? 1 : 0;
    const table = k.rk_pq_table;
    return (q, qOffset, out) => {
      if (out.length < tableSize || qOffset + dim > q.length)
        throw new RangeError(
          `PqTable.populate: needs ${dim} query floats from ${qOffset} and ${tableSize} table floats`,
        );
      table(blocked, dim, offsets, M, ptr(q, qOffset * 4), perm, centroidAt, adjusted, ip, out);
    };
  }

  // Four centres per pass: each adjusted[j] load serves four rows (~25% faster than one).
  private buildL2 = (out: Float32Array): void => {
    const { pivots, adjusted, chunkOffsets, M, dim } = this;
    for (let c = 0; c < PQ_CENTERS; c += 4) {
      const r0 = c * dim;
      const r1 = r0 + dim;
      const r2 = r1 + dim;
      const r3 = r2 + dim;
      let j = 0;
      for (let m = 0; m < M; m++) {
        const j1 = chunkOffsets[m + 1]!;
        let s0 = 0,
          s1 = 0,
          s2 = 0,
          s3 = 0;
        for (; j < j1; j++) {
          const a = adjusted[j]!;
          const d0 = pivots[r0 + j]! - a;
          const d1 = pivots[r1 + j]! - a;
          const d2 = pivots[r2 + j]! - a;
          const d3 = pivots[r3 + j]! - a;
          s0 += d0 * d0;
          s1 += d1 * d1;
          s2 += d2 * d2;
          s3 += d3 * d3;
        }
        const o = (m << 8) + c;
        out[o] = s0;
        out[o + 1] = s1;
        out[o + 2] = s2;
        out[o + 3] = s3;
      }
    }
  };

  private buildIp = (out: Float32Array): void => {
    const { pivots, adjusted, chunkOffsets, M, dim } = this;
    for (let c = 0; c < PQ_CENTERS; c += 4) {
      const r0 = c * dim;
      const r1 = r0 + dim;
      const r2 = r1 + dim;
      const r3 = r2 + dim;
      let j = 0;
      for (let m = 0; m < M; m++) {
        const j1 = chunkOffsets[m + 1]!;
        let s0 = 0,
          s1 = 0,
          s2 = 0,
          s3 = 0;
        for (; j < j1; j++) {
          const a = adjusted[j]!;
          s0 -= pivots[r0 + j]! * a;
          s1 -= pivots[r1 + j]! * a;
          s2 -= pivots[r2 + j]! * a;
          s3 -= pivots[r3 + j]! * a;
        }
        const o = (m << 8) + c;
        out[o] = s0;
        out[o + 1] = s1;
        out[o + 2] = s2;
        out[o + 3] = s3;
      }
    }
  };
}

/**
 * PQ distances of `count` nodes: out[i] = Σ_m table[m*256 + codes[ids[i]*M + m]].
 * The hot loop of every hop; unrolled by 4 chunks.
 */
export function pqDistances(
  table: Float32Array,
  codes: Uint8Array,
  M: number,
  ids: Uint32Array,
  count: number,
  out: Float32Array,
): void {
  const M4 = M & ~3;
  for (let i = 0; i < count; i++) {
    const base = ids[i]! * M;
    let s0 = 0,
      s1 = 0,
      s2 = 0,
      s3 = 0;
    let m = 0;
    for (; m < M4; m += 4) {
      s0 += table[(m << 8) + codes[base + m]!]!;
      s1 += table[((m + 1) << 8) + codes[base + m + 1]!]!;
      s2 += table[((m + 2) << 8) + codes[base + m + 2]!]!;
      s3 += table[((m + 3) << 8) + codes[base + m + 3]!]!;
    }
    for (; m < M; m++) s0 += table[(m << 8) + codes[base + m]!]!;
    out[i] = s0 + s1 + s2 + s3;
  }
}

/** PQ distance of a single node. */
export function pqDistance(table: Float32Array, codes: Uint8Array, M: number, id: number): number {
  const base = id * M;
  let s = 0;
  for (let m = 0; m < M; m++) s += table[(m << 8) + codes[base + m]!]!;
  return s;
}
