// The native PQ table builder (c/kernels.c rk_pq_table) against the TypeScript one: the same table
// within float rounding for l2 and ip, with and without a rearrangement and a centroid, for uneven
// chunks; and beam searches through either table return the same neighbours on real indexes.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { PqPivots } from "../../src/format/pq-files.ts";
import { readBin } from "../../src/format/bin.ts";
import { loadNativeKernels, type NativeKernels } from "../../src/math/native-kernels.ts";
import { PqTable, pqDistances } from "../../src/math/pq-table.ts";
import { DiskIndex } from "../../src/search/disk-index.ts";
import { GatheredCodes } from "../../src/search/gathered-codes.ts";
import { rng } from "../search/tiny-index.ts";
import { PIPEANN, smallFmnistIndex } from "../fixtures.ts";

let kernels: NativeKernels;
beforeAll(async () => {
  const k = await loadNativeKernels();
  if (k === null) throw new Error("native kernels unavailable: run scripts/build-native.sh");
  kernels = k;
});

function pivotsOf(dim: number, M: number, seed: number, withPerm: boolean, withCentroid: boolean): PqPivots {
  const r = rng(seed);
  const perm = new Uint32Array(dim).map((_, j) => j);
  for (let j = dim - 1; j > 0; j--) {
    const k = Math.floor(r() * (j + 1));
    [perm[j], perm[k]] = [perm[k]!, perm[j]!];
  }
  const chunkOffsets = new Uint32Array(M + 1);
  for (let m = 0; m <= M; m++) chunkOffsets[m] = Math.floor((m * dim) / M); // uneven when M ∤ dim
  return {
    dim,
    M,
    chunkOffsets,
    offsetCount: withPerm ? 5 : 4,
    perm: withPerm ? perm : null,
    pivots: new Float32Array(256 * dim).map(() => r() * 2 - 1),
    centroid: new Float32Array(dim).map(() => (withCentroid ? r() : 0)),
  };
}

describe("native PQ table", () => {
  for (const [dim, M] of [
    [13, 4],
    [8, 8],
    [100, 32],
    [784, 32],
  ] as const) {
    for (const metric of ["l2", "ip"] as const) {
      for (const [withPerm, withCentroid] of [
        [true, true],
        [false, false],
        [true, false],
        [false, true],
      ] as const) {
        test(`dim ${dim}, M ${M}, ${metric}, perm ${withPerm}, centroid ${withCentroid}: equals the TypeScript table`, () => {
          const p = pivotsOf(dim, M, dim * 31 + M, withPerm, withCentroid);
          const ts = new PqTable(p, metric, null);
          const nat = new PqTable(p, metric, kernels);
          expect(ts.kernel).toBe("ts");
          expect(nat.kernel).toBe("native");
          const r = rng(dim + 1);
          const q = new Float32Array(3 * dim).map(() => r() * 2 - 1);
          const a = new Float32Array(M * 256);
          const b = new Float32Array(M * 256).fill(NaN);
          for (const qOffset of [0, dim + 1]) {
            ts.populate(q, qOffset, a);
            nat.populate(q, qOffset, b);
            // Absolute tolerance scaled by the chunk's magnitude (ip sums cancel).
            const w = Math.ceil(dim / M);
            for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThanOrEqual(1e-5 * w * 4);
          }
        });
      }
    }
  }

  test("a table too small or a query too short is refused, not overrun", () => {
    const nat = new PqTable(pivotsOf(16, 4, 1, true, true), "l2", kernels);
    expect(() => nat.populate(new Float32Array(16), 0, new Float32Array(4 * 256 - 1))).toThrow(RangeError);
    expect(() => nat.populate(new Float32Array(16), 1, new Float32Array(4 * 256))).toThrow(RangeError);
  });
});

// Beam search is deterministic: the same table gives the same hops, so the same answers.
const INDEXES = [
  {
    name: "PipeANN fixture (128-d float32, nr=5 pivots)",
    files: async () => ({ prefix: PIPEANN.prefix, queries: PIPEANN.queries }),
  },
  { name: "Fashion-MNIST 2,000 rows built in the suite (784-d uint8)", files: smallFmnistIndex },
];
for (const ix of INDEXES) {
  describe(`searches through the native table: ${ix.name}`, () => {
    let native: DiskIndex;
    let ts: DiskIndex;
    let queriesFile = "";
    beforeAll(async () => {
      const f = await ix.files();
      queriesFile = f.queries;
      native = await DiskIndex.open(f.prefix);
      ts = await DiskIndex.open(f.prefix, { pqKernel: "ts" });
    }, 300_000);
    afterAll(() => {
      native?.close();
      ts?.close();
    });

    test("beam returns the same ids and distances as through the TypeScript table (L 10, 50)", () => {
      expect(native.context.pq.kernel).toBe("native");
      expect(ts.context.pq.kernel).toBe("ts");
      const q = readBin(queriesFile);
      const nq = Math.min(200, q.npts);
      const a = new Uint32Array(10),
        b = new Uint32Array(10);
      const da = new Float32Array(10),
        db = new Float32Array(10);
      let same = 0;
      for (const L of [10, 50]) {
        const pa = native.resolve({ mode: "beam", L, k: 10, width: 4 });
        const pb = ts.resolve({ mode: "beam", L, k: 10, width: 4 });
        for (let i = 0; i < nq; i++) {
          native.searchInto(q.data, i * q.dim, pa, a, da, 0);
          ts.searchInto(q.data, i * q.dim, pb, b, db, 0);
          expect([...a]).toEqual([...b]);
          expect([...da]).toEqual([...db]);
          same++;
        }
      }
      expect(same).toBe(2 * nq);
    }, 300_000);
  });
}

describe("native PQ scan (pre-filtering)", () => {
  test("scanBest keeps the same best L as pqDistances + sort, ascending; a bad id is refused", () => {
    const dim = 24;
    const M = 6;
    const pivots = pivotsOf(dim, M, 11, true, true);
    const pq = new PqTable(pivots, "l2", kernels);
    expect(pq.scanBest).not.toBeNull();
    const r = rng(5);
    const npts = 5000;
    const codes = new Uint8Array(npts * M).map(() => Math.floor(r() * 256));
    const table = new Float32Array(M * 256);
    pq.populate(
      new Float32Array(dim).map(() => r()),
      0,
      table,
    );
    // Scattered ids, as a label's matches are; duplicates are allowed and kept.
    const ids = new Uint32Array(1200).map(() => Math.floor(r() * npts));
    const dists = new Float32Array(ids.length);
    pqDistances(table, codes, M, ids, ids.length, dists);
    const order = [...ids.keys()].sort((a, b) => dists[a]! - dists[b]! || ids[a]! - ids[b]!);
    for (const L of [1, 7, 100, 1200, 2000]) {
      const outIds = new Uint32Array(L);
      const outDists = new Float32Array(L);
      const n = pq.scanBest!(table, codes, ids, ids.length, L, outIds, outDists);
      expect(n).toBe(Math.min(L, ids.length));
      for (let i = 0; i < n; i++) {
        expect(outDists[i]).toBe(dists[order[i]!]!); // same sums, same order of the lanes
        if (i > 0) expect(outDists[i]!).toBeGreaterThanOrEqual(outDists[i - 1]!);
        expect(dists[ids.indexOf(outIds[i]!)]).toBe(outDists[i]!);
      }
    }
    expect(pq.scanBest!(table, codes, ids, 0, 10, new Uint32Array(10), new Float32Array(10))).toBe(0);
    const bad = Uint32Array.of(3, npts);
    expect(() => pq.scanBest!(table, codes, bad, 2, 2, new Uint32Array(2), new Float32Array(2))).toThrow(
      "an id has no PQ code",
    );
  });

  test("scanRows over gathered rows equals scanBest in place; GatheredCodes keeps a budget, least recently used out", () => {
    const dim = 16;
    const M = 8;
    const pq = new PqTable(pivotsOf(dim, M, 13, false, true), "l2", kernels);
    expect(pq.scanRows).not.toBeNull();
    expect(pq.gather).not.toBeNull();
    const r = rng(9);
    const npts = 20000;
    const codes = new Uint8Array(npts * M).map(() => Math.floor(r() * 256));
    const table = new Float32Array(M * 256);
    pq.populate(
      new Float32Array(dim).map(() => r()),
      0,
      table,
    );
    const ids = Uint32Array.from([...Array(npts).keys()].filter(() => r() < 0.3));
    const rows = new Uint8Array(ids.length * M);
    pq.gather!(codes, ids, ids.length, rows);
    for (const i of [0, 17, ids.length - 1])
      expect([...rows.subarray(i * M, i * M + M)]).toEqual([...codes.subarray(ids[i]! * M, ids[i]! * M + M)]);
    for (const L of [1, 10, 300]) {
      const a = [new Uint32Array(L), new Float32Array(L)] as const;
      const b = [new Uint32Array(L), new Float32Array(L)] as const;
      const n = pq.scanBest!(table, codes, ids, ids.length, L, a[0], a[1]);
      expect(pq.scanRows!(table, rows, ids, ids.length, L, b[0], b[1])).toBe(n);
      expect([...b[0]]).toEqual([...a[0]]);
      expect([...b[1]]).toEqual([...a[1]]);
    }
    expect(() => pq.gather!(codes, Uint32Array.of(1, npts), 2, new Uint8Array(2 * M))).toThrow("an id has no PQ code");
    expect(() => pq.scanRows!(table, rows, ids, ids.length + 1, 1, new Uint32Array(1), new Float32Array(1))).toThrow(
      "PqTable.scanRows",
    );

    // Two filters' blocks fit the budget, a third pushes out the least recently used; few matches are not gathered.
    const bytes = ids.length * M;
    const cache = new GatheredCodes(pq, codes, { budgetBytes: 2 * bytes + 1, minMatches: 100 });
    const keys = [{}, {}, {}];
    const first = cache.rowsFor(keys[0]!, ids);
    expect([...first!]).toEqual([...rows]);
    expect(cache.rowsFor(keys[0]!, ids)).toBe(first); // kept: the same block
    cache.rowsFor(keys[1]!, ids);
    cache.rowsFor(keys[0]!, ids); // key 0 used last: key 1 goes first
    cache.rowsFor(keys[2]!, ids);
    expect(cache.heldBytes).toBe(2 * bytes);
    expect(cache.rowsFor(keys[0]!, ids)).toBe(first);
    expect(cache.rowsFor({}, ids.subarray(0, 99))).toBeNull();
    expect(new GatheredCodes(pq, codes, { budgetBytes: bytes - 1 }).rowsFor({}, ids)).toBeNull();
  });
});
