// Beam and pipelined search on small exact indexes, through real io_uring and through the
// in-memory reader that completes reads out of order (seeded, so a failure replays).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { SimReader } from "../../src/io/sim-reader.ts";
import { DiskIndex, type DiskIndexOptions, type SearchMode } from "../../src/search/disk-index.ts";
import { type TinyIndex, type TinyIndexSpec, writeTinyIndex } from "./tiny-index.ts";

const MODES: SearchMode[] = ["beam", "pipe"];

function simOptions(t: TinyIndex, seed: number, extra: DiskIndexOptions = {}): DiskIndexOptions {
  return {
    maxL: t.n,
    ...extra,
    openReader: (file, g) => new SimReader(t.diskBytes, { ...g, file, seed, minDelayTicks: 1, maxDelayTicks: 9 }),
  };
}

/** Equal up to float32 rounding (results are stored as float32). */
function expectNear(got: number, want: number): void {
  expect(Math.abs(got - want)).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(want)));
}

/** Every returned distance is the exact distance of that id, ids are distinct, order ascending. */
function expectWellFormed(t: TinyIndex, q: Float32Array, ids: Uint32Array, dists: Float32Array): void {
  expect(new Set(ids).size).toBe(ids.length);
  for (let i = 0; i < ids.length; i++) {
    const exact = t.exact(q, t.n);
    const at = exact.ids.indexOf(ids[i]!);
    expectNear(dists[i]!, exact.dists[at]!);
    if (i > 0) expect(dists[i]!).toBeGreaterThanOrEqual(dists[i - 1]!);
  }
}

/** The answer is exact: its distances are the k smallest (ids may differ only among ties). */
function expectExact(t: TinyIndex, q: Float32Array, ids: Uint32Array, dists: Float32Array, k: number): void {
  const want = t.exact(q, k);
  expect(ids.length).toBe(k);
  for (let i = 0; i < k; i++) expectNear(dists[i]!, want.dists[i]!);
  expectWellFormed(t, q, ids, dists);
}

const SPECS: { name: string; spec: TinyIndexSpec }[] = [
  { name: "float32 l2", spec: { n: 260, dim: 16, R: 10, M: 4 } },
  { name: "uint8 l2, dim 13 (unaligned records)", spec: { n: 240, dim: 13, R: 9, M: 5, type: "uint8" } },
  { name: "int8 l2", spec: { n: 200, dim: 12, R: 8, M: 4, type: "int8" } },
  { name: "float32 ip", spec: { n: 220, dim: 10, R: 10, M: 5, metric: "ip" } },
  { name: "float32 cosine", spec: { n: 220, dim: 10, R: 10, M: 5, metric: "cosine" } },
];

describe("with L ≥ n both searches return the exact neighbours", () => {
  for (const { name, spec } of SPECS) {
    test(name, async () => {
      const t = writeTinyIndex(spec);
      try {
        for (const backend of ["uring", "sim"] as const) {
          const opts = backend === "sim" ? simOptions(t, 5) : { maxL: t.n, backend: "uring" as const };
          const index = await DiskIndex.open(t.prefix, opts);
          try {
            expect(index.metric).toBe(t.metric);
            for (let s = 0; s < 4; s++) {
              const q = t.randomQuery(100 + s);
              for (const mode of MODES) {
                const r = index.search(q, { k: 10, L: t.n, mode, width: 4 });
                expectExact(t, q, r.ids, r.distances, 10);
                expect(r.stats.hops).toBe(t.n); // the whole graph is reachable and gets expanded
              }
            }
          } finally {
            index.close();
          }
        }
      } finally {
        t.cleanup();
      }
    });
  }
});

test("DiskANN's frozen point is expanded but never returned", async () => {
  const t = writeTinyIndex({ n: 150, dim: 8, R: 8, M: 4, seed: 5, frozen: true });
  try {
    const index = await DiskIndex.open(t.prefix, { maxL: t.n });
    expect(index.meta.numFrozen).toBe(1);
    // The query is the frozen point's own vector: it would be the nearest result otherwise.
    const q = new Float32Array(t.dim);
    for (let j = 0; j < t.dim; j++) q[j] = t.vectors[t.medoid * t.dim + j]!;
    for (const mode of MODES) {
      const r = index.search(q, { k: 5, L: t.n, mode });
      expect(Array.from(r.ids)).not.toContain(t.medoid);
      const want = t
        .exact(q, 6)
        .ids.filter((id) => id !== t.medoid)
        .slice(0, 5);
      expect(Array.from(r.ids)).toEqual(want);
    }
    index.close();
  } finally {
    t.cleanup();
  }
});

describe("search behaviour", () => {
  let t: TinyIndex;
  beforeAll(() => {
    t = writeTinyIndex({ n: 400, dim: 16, R: 12, M: 8, seed: 21, entryGraph: true });
  });
  afterAll(() => t.cleanup());

  test("pipelined search stays correct when reads complete out of order (many seeds)", async () => {
    for (let seed = 1; seed <= 12; seed++) {
      const index = await DiskIndex.open(t.prefix, simOptions(t, seed));
      try {
        for (let s = 0; s < 5; s++) {
          const q = t.randomQuery(seed * 31 + s);
          for (const width of [1, 3, 8]) {
            const small = index.search(q, { k: 10, L: 20, mode: "pipe", width });
            expectWellFormed(t, q, small.ids, small.distances);
            expect(small.ids.length).toBe(10);
            const full = index.search(q, { k: 10, L: t.n, mode: "pipe", width, adaptiveWidth: seed % 2 === 0 });
            expectExact(t, q, full.ids, full.distances, 10);
          }
        }
        expect(index.reader.inFlight).toBeGreaterThanOrEqual(0);
      } finally {
        index.close();
      }
    }
  });

  test("beam search does not depend on completion order, and io_uring gives the same answer", async () => {
    const answers: string[] = [];
    for (const opts of [
      simOptions(t, 1),
      simOptions(t, 2),
      simOptions(t, 3),
      { maxL: t.n, backend: "uring" as const },
    ]) {
      const index = await DiskIndex.open(t.prefix, opts);
      const parts: string[] = [];
      for (let s = 0; s < 8; s++) {
        const r = index.search(t.randomQuery(500 + s), { k: 10, L: 24, mode: "beam", width: 4 });
        parts.push(`${Array.from(r.ids)}|${r.stats.reads}`);
      }
      index.close();
      answers.push(parts.join(";"));
    }
    for (const a of answers) expect(a).toBe(answers[0]!);
  });

  test("the node cache spares reads without changing beam's answer", async () => {
    const plain = await DiskIndex.open(t.prefix, { maxL: t.n });
    const cached = await DiskIndex.open(t.prefix, { maxL: t.n, cacheNodes: 60 });
    expect(cached.cache?.count).toBe(60);
    expect(cached.cache?.ids[0]).toBe(t.medoid);
    let hits = 0;
    for (let s = 0; s < 10; s++) {
      const q = t.randomQuery(700 + s);
      const a = plain.search(q, { k: 10, L: 30, mode: "beam" });
      const b = cached.search(q, { k: 10, L: 30, mode: "beam" });
      expect(Array.from(b.ids)).toEqual(Array.from(a.ids));
      expect(b.stats.reads + b.stats.cacheHits).toBe(a.stats.reads);
      expect(b.stats.hops).toBe(a.stats.hops);
      hits += b.stats.cacheHits;
      const p = cached.search(q, { k: 10, L: t.n, mode: "pipe" });
      expectExact(t, q, p.ids, p.distances, 10);
    }
    expect(hits).toBeGreaterThan(0);
    plain.close();
    cached.close();
  });

  test("a cache given in bytes holds as many records as fit", async () => {
    const index = await DiskIndex.open(t.prefix, { maxL: t.n, cacheBytes: 10_000 });
    const stride = (index.meta.maxNodeBytes + 3) & ~3;
    expect(index.cache?.count).toBe(Math.floor(10_000 / stride));
    index.close();
  });

  test("interleaved queries on one ring: beam answers equal one-at-a-time, pipe stays exact", async () => {
    const index = await DiskIndex.open(t.prefix, { ...simOptions(t, 9), concurrency: 3 });
    const nq = 10;
    const queries = new Float32Array(nq * t.dim);
    for (let s = 0; s < nq; s++) queries.set(t.randomQuery(900 + s), s * t.dim);
    const beamP = index.resolve({ k: 10, L: 24, mode: "beam" });
    const seq: string[] = [];
    for (let s = 0; s < nq; s++)
      seq.push(Array.from(index.search(queries, { k: 10, L: 24, mode: "beam" }, s * t.dim).ids).join(","));
    const beams = index.machinesFor("beam");
    expect(beams.length).toBe(3);
    const got: string[] = new Array(nq);
    const users = new Set<unknown>();
    index.driver.runInterleaved(beams, queries, t.dim, nq, beamP, (q, m) => {
      users.add(m);
      const ids = new Uint32Array(10);
      m.topK(10, ids, new Float32Array(10));
      got[q] = Array.from(ids).join(",");
    });
    expect(got).toEqual(seq);
    expect(users.size).toBe(3);
    const pipeP = index.resolve({ k: 10, L: t.n, mode: "pipe" });
    let done = 0;
    index.driver.runInterleaved(index.machinesFor("pipe"), queries, t.dim, nq, pipeP, (q, m) => {
      const ids = new Uint32Array(10);
      const dists = new Float32Array(10);
      m.topK(10, ids, dists);
      expectExact(t, queries.subarray(q * t.dim, (q + 1) * t.dim), ids, dists, 10);
      done++;
    });
    expect(done).toBe(nq);
    index.close();
  });

  test("a read limit caps the reads of both searches", async () => {
    const index = await DiskIndex.open(t.prefix, simOptions(t, 4));
    for (const mode of MODES) {
      const r = index.search(t.randomQuery(1), { k: 5, L: 40, mode, width: 4, readLimit: 7 });
      expect(r.stats.reads).toBeLessThanOrEqual(7);
      expect(r.ids.length).toBeGreaterThan(0);
    }
    index.close();
  });

  test("entry points from the in-memory graph: loaded, used by both modes by default, exact at L ≥ n", async () => {
    const index = await DiskIndex.open(t.prefix, { maxL: t.n });
    expect(index.entryGraph?.npts).toBe(40);
    expect(index.resolve({ mode: "pipe" }).entry).toBe("graph");
    expect(index.resolve({ mode: "beam" }).entry).toBe("graph");
    for (let s = 0; s < 5; s++) {
      const q = t.randomQuery(40 + s);
      for (const mode of MODES) {
        const r = index.search(q, { k: 10, L: t.n, mode, entry: "graph", memL: 8 });
        expectExact(t, q, r.ids, r.distances, 10);
      }
    }
    index.close();
  });

  test("statistics add up", async () => {
    const index = await DiskIndex.open(t.prefix, { maxL: t.n, cacheNodes: 20 });
    for (const mode of MODES) {
      const r = index.search(t.randomQuery(77), { k: 10, L: 32, mode, width: 4 });
      const s = r.stats;
      expect(s.hops).toBeGreaterThan(1);
      expect(s.hops).toBeLessThanOrEqual(s.reads + s.cacheHits);
      if (mode === "beam") {
        expect(s.reads + s.cacheHits).toBe(s.hops);
        expect(s.rounds).toBeGreaterThan(0);
      } else {
        expect(s.finalWidth).toBeGreaterThanOrEqual(4);
      }
      expect(s.pqDistances).toBeGreaterThan(s.hops);
      expect(s.latencyUs).toBeGreaterThan(0);
      expect(s.cpuUs + s.ioWaitUs).toBeCloseTo(s.latencyUs, 0);
      expect(s.occupancy).toBeGreaterThan(0);
      expect(s.occupancy).toBeLessThanOrEqual(1);
      expect(s.pqTableUs).toBeGreaterThan(0);
    }
    index.close();
  });

  test("bad search options are reported together", async () => {
    const index = await DiskIndex.open(t.prefix, { maxL: 64, maxWidth: 8 });
    expect(() => index.search(t.randomQuery(1), { k: 10, L: 5, width: 9 })).toThrow(/L must be.*\n.*width must be/s);
    expect(() => index.search(new Float32Array(3))).toThrow(/expected 16 values/);
    index.close();
    expect(() => index.search(t.randomQuery(1))).toThrow(/closed/);
  });
});
