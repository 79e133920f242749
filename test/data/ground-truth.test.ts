import { describe, expect, test } from "bun:test";
import { PIPEANN } from "../fixtures.ts";
import { computeGroundTruth, memoryRows } from "../../src/data/ground-truth.ts";
import { readBin } from "../../src/format/bin.ts";
import { readTruth } from "../../src/format/truth.ts";
import type { Metric, VectorType, Vectors } from "../../src/format/vector-type.ts";
import { naiveTruth } from "./naive.ts";

function seeded(type: VectorType, count: number, seed: number, levels: number): Vectors {
  let s = seed >>> 0;
  const next = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  // Few distinct levels → many exact distance ties.
  const v = () => Math.floor(next() * levels);
  if (type === "float32") return Float32Array.from({ length: count }, () => v() * 0.5 - 1);
  if (type === "uint8") return Uint8Array.from({ length: count }, () => v() * 60);
  return Int8Array.from({ length: count }, () => v() * 60 - 120);
}

function expectEqualTruth(
  got: { ids: Uint32Array; dists: Float32Array | null; k: number },
  want: { ids: number[][]; dists: number[][] },
  relTol: number,
): void {
  const nq = want.ids.length;
  for (let q = 0; q < nq; q++) {
    expect(Array.from(got.ids.subarray(q * got.k, (q + 1) * got.k))).toEqual(want.ids[q]!);
    const d = got.dists!.subarray(q * got.k, (q + 1) * got.k);
    want.dists[q]!.forEach((w, i) =>
      expect(Math.abs(d[i]! - w)).toBeLessThanOrEqual(relTol * Math.max(1, Math.abs(w))),
    );
  }
}

describe("exact ground truth equals naive brute force, ties included", () => {
  const cases: Array<[VectorType, Metric]> = [
    ["uint8", "l2"],
    ["int8", "l2"],
    ["float32", "l2"],
    ["uint8", "ip"],
    ["float32", "ip"],
    ["int8", "cosine"],
    ["float32", "cosine"],
  ];
  for (const [type, metric] of cases) {
    test(`${type} ${metric}: several chunks, 2 workers`, async () => {
      const dim = 11,
        n = 700,
        nq = 23,
        k = 25;
      const base = seeded(type, n * dim, 1, 3);
      const queries = seeded(type, nq * dim, 2, 3);
      const truth = await computeGroundTruth(
        memoryRows({ npts: n, dim, type, data: base }),
        { npts: nq, dim, type, data: queries },
        // ~97 rows per chunk: 8 chunks with a ragged tail, and tiles/slices smaller than the chunk.
        { k, metric, threads: 2, chunkBytes: 97 * dim * (type === "float32" || metric === "cosine" ? 4 : 1) },
      );
      expect(truth.nq).toBe(nq);
      expect(truth.k).toBe(k);
      const want = naiveTruth(base, queries, dim, k, metric);
      // Ties must exist for this test to mean anything.
      const tied = want.dists.some((row) => row.some((d, i) => i > 0 && d === row[i - 1]));
      expect(tied).toBe(true);
      expectEqualTruth(truth, want, metric === "cosine" ? 1e-6 : 0);
    });
  }

  test("one thread, one chunk, k = n, and more threads than queries", async () => {
    const dim = 4,
      n = 30;
    const base = seeded("uint8", n * dim, 5, 4);
    const queries = seeded("uint8", 2 * dim, 6, 4);
    const want = naiveTruth(base, queries, dim, n, "l2");
    for (const threads of [1, 5]) {
      const truth = await computeGroundTruth(
        memoryRows({ npts: n, dim, type: "uint8", data: base }),
        { npts: 2, dim, type: "uint8", data: queries },
        { k: n, metric: "l2", threads },
      );
      expectEqualTruth(truth, want, 0);
    }
  });

  test("uint8 base with float32 queries is compared in float", async () => {
    const dim = 6,
      n = 200;
    const base = seeded("uint8", n * dim, 8, 5);
    const queries = Float32Array.from(seeded("uint8", 5 * dim, 9, 5), (x) => x + 0.25);
    const truth = await computeGroundTruth(
      memoryRows({ npts: n, dim, type: "uint8", data: base }),
      { npts: 5, dim, type: "float32", data: queries },
      { k: 10, metric: "l2", threads: 2, chunkBytes: 50 * dim * 4 },
    );
    expectEqualTruth(truth, naiveTruth(base, queries, dim, 10, "l2"), 1e-7);
  });

  const fixture = PIPEANN.dir;
  test("matches the ground truth PipeANN wrote for its syn10k fixture", async () => {
    const base = readBin(`${fixture}/base.fbin`);
    const queries = readBin(`${fixture}/query.fbin`);
    const theirs = readTruth(`${fixture}/gt100.bin`);
    const ours = await computeGroundTruth(memoryRows(base), queries, { k: theirs.k, metric: "l2", threads: 2 });
    let sameIds = 0;
    for (let i = 0; i < ours.ids.length; i++) if (ours.ids[i] === theirs.ids[i]) sameIds++;
    expect(sameIds).toBe(theirs.ids.length);
    for (let i = 0; i < ours.ids.length; i++) {
      expect(Math.abs(ours.dists![i]! - theirs.dists![i]!)).toBeLessThanOrEqual(1e-4 * Math.max(1, theirs.dists![i]!));
    }
  });
});
