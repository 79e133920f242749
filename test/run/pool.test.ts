// Threads and concurrency must not change answers: N Workers sharing one copy of the index parts,
// and C queries interleaved on one Worker's ring, give beam search exactly the ids of the library's
// one-query-at-a-time search; pipelined search (whose expansion order follows completion order)
// reaches the same recall.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import { recallAtK } from "../../src/data/recall.ts";
import { readBin } from "../../src/format/bin.ts";
import { readTruth, type Truth } from "../../src/format/truth.ts";
import { DiskIndex } from "../../src/search/disk-index.ts";
import type { SearchParams } from "../../src/search/machine.ts";
import { allocSharedResults } from "../../src/run/exec/pool-protocol.ts";
import { SearchPool, type PoolTimes } from "../../src/run/exec/pool.ts";
import type { WaitStrategy } from "../../src/run/config/config-schema.ts";
import { loadSharedIndex, type SharedIndexParts } from "../../src/run/exec/shared-index.ts";
import { makeRunFixture, type RunFixture } from "./fixture.ts";

const K = 10;
let fx: RunFixture;
let queries: ReturnType<typeof readBin>;
let truth: Truth;
let parts: SharedIndexParts;
let params: { beam: SearchParams; pipe: SearchParams };
const reference = { beam: new Uint32Array(0), pipe: new Uint32Array(0) };

beforeAll(async () => {
  fx = await makeRunFixture({ n: 6000, queries: 240 });
  queries = readBin(join(fx.dataDir, "queries.fbin"), undefined, { shared: true });
  truth = readTruth(join(fx.dataDir, "gt20.bin"));
  // The library's single-threaded search is the reference.
  const index = await DiskIndex.open(fx.prefix, { maxL: 64, maxWidth: 8 });
  try {
    for (const mode of ["beam", "pipe"] as const) {
      const p = index.resolve({ k: K, L: 40, mode, width: 4 });
      const ids = new Uint32Array(queries.npts * K);
      const dists = new Float32Array(queries.npts * K);
      for (let q = 0; q < queries.npts; q++) index.searchInto(queries.data, q * queries.dim, p, ids, dists, q * K);
      reference[mode] = ids;
    }
  } finally {
    index.close();
  }
  const loaded = await loadSharedIndex(
    fx.prefix,
    { backend: "auto", cacheNodes: 50, entryGraph: true, maxL: 64, maxWidth: 8 },
    (i) => ({
      beam: i.resolve({ k: K, L: 40, mode: "beam", width: 4 }),
      pipe: i.resolve({ k: K, L: 40, mode: "pipe", width: 4 }),
    }),
  );
  parts = loaded.parts;
  params = loaded.resolved;
}, 120_000); // builds a small index: slow on a loaded machine
afterAll(() => fx?.cleanup());

async function poolRun(
  threads: number,
  concurrency: number,
  mode: "beam" | "pipe",
  wait: WaitStrategy = "block",
): Promise<{ ids: Uint32Array; wallMs: number; workers: string; times: PoolTimes }> {
  const results = allocSharedResults(queries.npts, K);
  const pool = await SearchPool.start({
    threads,
    index: parts,
    backend: "auto",
    queries: queries.data,
    dim: queries.dim,
    k: K,
    maxL: 64,
    maxWidth: 8,
    maxConcurrency: concurrency,
    results,
  });
  try {
    const times = await pool.run({ combos: [{ mode, params: params[mode] }], concurrency, count: queries.npts, wait });
    expect(pool.finished).toBe(queries.npts);
    return { ids: results.ids.slice(), wallMs: times.wallMs, workers: pool.backend, times };
  } finally {
    await pool.close();
  }
}

function recall(ids: Uint32Array): number {
  return recallAtK({ nq: queries.npts, stride: K, ids }, truth, K);
}

test("the shared parts are one copy in SharedArrayBuffers", () => {
  expect(parts.codes.buffer).toBeInstanceOf(SharedArrayBuffer);
  expect(parts.cache!.bytes.buffer).toBeInstanceOf(SharedArrayBuffer);
  expect(parts.cache!.ids.length).toBe(50);
  expect(parts.entryGraph!.vectors.buffer).toBeInstanceOf(SharedArrayBuffer);
  expect(parts.entryGraph!.neighbors.buffer).toBeInstanceOf(SharedArrayBuffer);
  expect(queries.data.buffer).toBeInstanceOf(SharedArrayBuffer);
});

test("beam search: every thread count and concurrency returns the single-threaded ids", async () => {
  const base = recall(reference.beam);
  expect(base).toBeGreaterThan(0.9);
  for (const [threads, concurrency] of [
    [1, 1],
    [2, 1],
    [1, 4],
    [2, 3],
  ] as const) {
    const { ids, workers } = await poolRun(threads, concurrency, "beam");
    expect(workers).toBe("uring");
    const differing: number[] = [];
    for (let q = 0; q < queries.npts; q++) {
      for (let i = 0; i < K; i++) {
        if (ids[q * K + i] !== reference.beam[q * K + i]) {
          differing.push(q);
          break;
        }
      }
    }
    expect({ threads, concurrency, differing }).toEqual({ threads, concurrency, differing: [] });
  }
}, 60_000);

test("pipelined search: threads and concurrency keep the recall", async () => {
  const base = recall(reference.pipe);
  expect(base).toBeGreaterThan(0.9);
  for (const [threads, concurrency] of [
    [1, 1],
    [2, 1],
    [1, 4],
    [2, 3],
  ] as const) {
    const { ids } = await poolRun(threads, concurrency, "pipe");
    expect(Math.abs(recall(ids) - base)).toBeLessThanOrEqual(0.01);
  }
}, 60_000);

test("every wait strategy gives the same answers; a run reports each Worker's scheduler counters", async () => {
  for (const wait of ["spin", "yield"] as const) {
    const { ids, times } = await poolRun(2, 2, "beam", wait);
    expect(ids).toEqual(reference.beam);
    // Two Workers fill the cores of a 2-core machine: there spin becomes yield.
    expect(times.wait).toBe(wait === "spin" && navigator.hardwareConcurrency <= 2 ? "yield" : wait);
    expect(times.threads.workers.length).toBe(2);
    for (const w of times.threads.workers) expect(w.cpuNs).toBeGreaterThan(0);
    expect(times.threads.main.cpuNs).toBeGreaterThanOrEqual(0);
  }
}, 60_000);

test("a worker's failure reaches the caller with its message", async () => {
  const results = allocSharedResults(queries.npts, K);
  const broken: SharedIndexParts = { ...parts, diskFile: join(fx.dir, "no-such_disk.index") };
  let caught: unknown = null;
  try {
    await SearchPool.start({
      threads: 2,
      index: broken,
      backend: "auto",
      queries: queries.data,
      dim: queries.dim,
      k: K,
      maxL: 64,
      maxWidth: 8,
      maxConcurrency: 1,
      results,
    });
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(Error);
  expect((caught as Error).message).toContain("no-such_disk.index");
});
