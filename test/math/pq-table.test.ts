// The PQ query table against the formula of docs/disk-format.md, computed naively, with a non-trivial
// rearrangement, a non-zero centroid and uneven chunks; and on the PipeANN fixture's pivots.
import { describe, expect, test } from "bun:test";
import { PIPEANN } from "../fixtures.ts";
import { readFileSync } from "node:fs";
import { parsePqCompressed, parsePqPivots, type PqPivots } from "../../src/format/pq-files.ts";
import { PqTable, pqDistance, pqDistances } from "../../src/math/pq-table.ts";
import { rng } from "../search/tiny-index.ts";

function randomPivots(dim: number, M: number, seed: number): PqPivots {
  const r = rng(seed);
  const pivots = new Float32Array(256 * dim).map(() => r() * 2 - 1);
  const centroid = new Float32Array(dim).map(() => r());
  const perm = new Uint32Array(dim).map((_, j) => j);
  for (let j = dim - 1; j > 0; j--) {
    const k = Math.floor(r() * (j + 1));
    [perm[j], perm[k]] = [perm[k]!, perm[j]!];
  }
  const chunkOffsets = new Uint32Array(M + 1);
  for (let m = 0; m <= M; m++) chunkOffsets[m] = Math.floor((m * dim) / M); // uneven when M ∤ dim
  return { dim, M, pivots, centroid, perm, chunkOffsets, offsetCount: 5 };
}

describe("PqTable", () => {
  test("l2 table equals Σ (pivot[c][j] − (q[perm j] − centroid[perm j]))²", () => {
    const p = randomPivots(13, 5, 3);
    const q = new Float32Array(13).map((_, j) => j * 0.1 - 0.4);
    const table = new Float32Array(5 * 256);
    new PqTable(p, "l2").populate(q, 0, table);
    for (let m = 0; m < 5; m++) {
      for (const c of [0, 1, 77, 255]) {
        let want = 0;
        for (let j = p.chunkOffsets[m]!; j < p.chunkOffsets[m + 1]!; j++) {
          const d = p.pivots[c * 13 + j]! - (q[p.perm![j]!]! - p.centroid[p.perm![j]!]!);
          want += d * d;
        }
        expect(table[m * 256 + c]).toBeCloseTo(want, 4);
      }
    }
  });

  test("ip table equals −Σ pivot[c][j] · q[perm j]", () => {
    const p = randomPivots(8, 4, 4);
    const q = new Float32Array(8).map((_, j) => 1 - j * 0.25);
    const table = new Float32Array(4 * 256);
    new PqTable(p, "ip").populate(q, 0, table);
    for (let m = 0; m < 4; m++) {
      let want = 0;
      for (let j = p.chunkOffsets[m]!; j < p.chunkOffsets[m + 1]!; j++) want -= p.pivots[9 * 8 + j]! * q[p.perm![j]!]!;
      expect(table[m * 256 + 9]).toBeCloseTo(want, 5);
    }
  });

  test("batched distances equal per-node sums of table entries, for M not a multiple of 4", () => {
    const M = 7;
    const r = rng(5);
    const table = new Float32Array(M * 256).map(() => r());
    const codes = new Uint8Array(50 * M).map(() => Math.floor(r() * 256));
    const ids = new Uint32Array([3, 0, 49, 17]);
    const out = new Float32Array(4);
    pqDistances(table, codes, M, ids, 4, out);
    for (let i = 0; i < 4; i++) {
      let want = 0;
      for (let m = 0; m < M; m++) want += table[m * 256 + codes[ids[i]! * M + m]!]!;
      expect(out[i]).toBeCloseTo(want, 4);
      expect(pqDistance(table, codes, M, ids[i]!)).toBeCloseTo(want, 4);
    }
  });

  test("on the PipeANN fixture, PQ distance tracks the exact distance", () => {
    const D = PIPEANN.dir + "/";
    const p = parsePqPivots(new Uint8Array(readFileSync(D + "syn10k_pq_pivots.bin")), "pivots");
    const { codes } = parsePqCompressed(new Uint8Array(readFileSync(D + "syn10k_pq_compressed.bin")), "codes");
    const base = new Float32Array(readFileSync(D + "base.fbin").buffer.slice(8));
    const queries = new Float32Array(readFileSync(D + "query.fbin").buffer.slice(8));
    const pq = new PqTable(p, "l2");
    const table = new Float32Array(pq.tableSize);
    pq.populate(queries, 0, table);
    // Relative error of PQ vs exact squared L2 over 200 points stays small on average.
    let rel = 0;
    for (let i = 0; i < 200; i++) {
      let exact = 0;
      for (let j = 0; j < 128; j++) exact += (queries[j]! - base[i * 128 + j]!) ** 2;
      rel += Math.abs(pqDistance(table, codes, p.M, i) - exact) / exact;
    }
    expect(rel / 200).toBeLessThan(0.25);
  });
});
