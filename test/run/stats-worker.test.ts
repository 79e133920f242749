// Every per-query stat crosses the Worker boundary: a search Worker writes QueryStats into shared
// memory (QueryStats.writeTo, the layout of search/stat-fields.ts) and the main thread reads them
// back. The Worker's mean counts must match the library's own single-threaded search of the same
// queries (within a few percent: completion order can change a beam round's expansions), and
// every stat, timings included (entryUs was once lost), must come back non-zero where measured.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readBin } from "../../src/format/bin.ts";
import { DiskIndex } from "../../src/search/disk-index.ts";
import type { SearchParams } from "../../src/search/machine.ts";
import { STAT_COUNT, STAT_FIELDS, STAT_NAMES } from "../../src/search/stat-fields.ts";
import { QueryStats } from "../../src/search/stats.ts";
import { allocSharedResults, statsOffset } from "../../src/run/exec/pool-protocol.ts";
import { SearchPool } from "../../src/run/exec/pool.ts";
import { loadSharedIndex, type SharedIndexParts } from "../../src/run/exec/shared-index.ts";
import { PIPEANN } from "../fixtures.ts";

const PREFIX = PIPEANN.prefix;
const K = 10;
const NQ = 60;
const COUNTS = ["reads", "cacheHits", "hops", "rounds", "pqDistances", "wastedReads", "finalWidth"] as const;

let queries: ReturnType<typeof readBin>;
let parts: SharedIndexParts;
let params: { beam: SearchParams; pipe: SearchParams };
const reference: QueryStats[] = [];

beforeAll(async () => {
  const all = readBin(PIPEANN.queries);
  const data = new Float32Array(new SharedArrayBuffer(NQ * all.dim * 4));
  data.set((all.data as Float32Array).subarray(0, NQ * all.dim));
  queries = { ...all, npts: NQ, data };
  const options = { k: K, L: 30, width: 4 };
  const index = await DiskIndex.open(PREFIX, { maxL: 64, maxWidth: 8, cacheNodes: 50 });
  try {
    const p = index.resolve({ ...options, mode: "beam" });
    const ids = new Uint32Array(K);
    const dists = new Float32Array(K);
    for (let q = 0; q < NQ; q++) {
      index.searchInto(queries.data, q * queries.dim, p, ids, dists, 0);
      reference.push(index.machineFor("beam").stats.clone());
    }
  } finally {
    index.close();
  }
  const loaded = await loadSharedIndex(
    PREFIX,
    { backend: "auto", cacheNodes: 50, entryGraph: true, maxL: 64, maxWidth: 8 },
    (i) => ({
      beam: i.resolve({ ...options, mode: "beam" }),
      pipe: i.resolve({ ...options, mode: "pipe" }),
    }),
  );
  parts = loaded.parts;
  params = loaded.resolved;
});

/** One Worker runs every query in beam then pipe, interleaved; the stats come back per combo. */
async function workerStats(): Promise<{ beam: QueryStats[]; pipe: QueryStats[] }> {
  const results = allocSharedResults(NQ, K, 2);
  const pool = await SearchPool.start({
    threads: 1,
    index: parts,
    backend: "auto",
    queries: queries.data,
    dim: queries.dim,
    k: K,
    maxL: 64,
    maxWidth: 8,
    maxConcurrency: 1,
    results,
  });
  try {
    const combos = [
      { mode: "beam" as const, params: params.beam },
      { mode: "pipe" as const, params: params.pipe },
    ];
    const times = await pool.run({ combos, concurrency: 1, count: NQ });
    expect(times.comboMs.length).toBe(2);
    expect(times.comboMs.every((ms) => ms > 0)).toBe(true);
  } finally {
    await pool.close();
  }
  const read = (combo: number) =>
    Array.from({ length: NQ }, (_, q) => new QueryStats().readFrom(results.stats, statsOffset(results, combo, q)));
  return { beam: read(0), pipe: read(1) };
}

let fromWorker: { beam: QueryStats[]; pipe: QueryStats[] };
beforeAll(async () => {
  fromWorker = await workerStats();
});
afterAll(() => {});

describe("per-query stats through a search Worker", () => {
  test("the schema is the stats: QueryStats holds exactly the declared fields, each with a unit and a column", () => {
    expect(Object.keys(new QueryStats())).toEqual([...STAT_NAMES]);
    expect(STAT_COUNT).toBe(STAT_FIELDS.length);
    expect(new Set(STAT_FIELDS.map((f) => f.column)).size).toBe(STAT_COUNT);
    const s = new QueryStats();
    STAT_NAMES.forEach((name, i) => {
      s[name] = i + 0.5;
    });
    const flat = new Float64Array(STAT_COUNT + 3);
    s.writeTo(flat, 3);
    expect(new QueryStats().readFrom(flat, 3)).toEqual(s);
  });

  test("beam: the Worker's mean counts match the library's single-threaded search", () => {
    const mean = (list: QueryStats[], name: (typeof COUNTS)[number]) =>
      list.reduce((a, s) => a + s[name], 0) / list.length;
    for (const name of COUNTS) {
      const want = mean(reference, name);
      const got = mean(fromWorker.beam, name);
      expect([name, Math.abs(got - want) <= 0.05 * want + 0.05]).toEqual([name, true]);
    }
    expect(mean(reference, "reads")).toBeGreaterThan(10);
  });

  test("every stat arrives: each is non-zero in beam or pipe (entryUs: pipe starts from the entry graph)", () => {
    const total = (list: QueryStats[], name: (typeof STAT_NAMES)[number]) => list.reduce((a, s) => a + s[name], 0);
    // Page search's stats are 0 on this id-order index (test/search/page.test.ts checks them through Workers).
    const missing = STAT_NAMES.filter(
      (name) => name !== "wastedReads" && name !== "pageNodes" && name !== "pageHops",
    ).filter((name) => total(fromWorker.beam, name) === 0 && total(fromWorker.pipe, name) === 0);
    expect(missing).toEqual([]);
    expect(fromWorker.pipe.every((s) => s.entryUs > 0)).toBe(true);
    expect(fromWorker.beam.every((s) => s.rounds > 0 && s.latencyUs > 0)).toBe(true);
    expect(fromWorker.pipe.every((s) => s.finalWidth > 0 && s.ioBusyUs > 0)).toBe(true);
  });
});
