// Page layout and page search on real io_uring with O_DIRECT: an index built here by ringann's
// builder is relayouted; the renumbered file holds exactly the same records (ids mapped), searches
// report original ids, page search needs fewer reads at no loss of recall, and every search option
// (cache, entry graph, read limit, interleaved queries, each expansion policy) works on it. The
// PipeANN-written fixture is relayouted too; bad layouts fail with a clear error.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { buildIndex } from "../../src/build/build-index.ts";
import { relayoutIndex, type RelayoutResult } from "../../src/build/relayout.ts";
import { makeSynthetic } from "../../src/data/synthetic.ts";
import { readBin } from "../../src/format/bin.ts";
import {
  decodeNodeCoords,
  decodeNodeNeighbors,
  nodeReadBytes,
  nodeSectorIndex,
  parseDiskIndexHeader,
} from "../../src/format/disk-index.ts";
import { readNodeTags, readPageMeta } from "../../src/format/page-layout.ts";
import { readTruth } from "../../src/format/truth.ts";
import { ConfigError, FormatError } from "../../src/errors.ts";
import { computeGroundTruth, memoryRows } from "../../src/data/index.ts";
import { DiskIndex, type SearchOptions } from "../../src/search/disk-index.ts";
import { SECTOR_BYTES } from "../../src/format/sector.ts";
import { makeTempDir } from "../format/tmp.ts";
import { allocSharedResults, statsOffset } from "../../src/run/exec/pool-protocol.ts";
import { QueryStats } from "../../src/search/stats.ts";
import { SearchPool } from "../../src/run/exec/pool.ts";
import { loadSharedIndex } from "../../src/run/exec/shared-index.ts";
import { writeTinyIndex } from "./tiny-index.ts";
import { PIPEANN } from "../fixtures.ts";

setDefaultTimeout(120_000); // real io_uring on a shared machine: seconds per test

const tmp = makeTempDir("page");
const dim = 48;
const nq = 150;
const data = makeSynthetic({ n: 6000, dim, queries: nq, seed: 11, clusters: 24 });
let idPrefix = "";
let pagePrefix = "";
let relayout: RelayoutResult;
let truth: Uint32Array;

beforeAll(async () => {
  idPrefix = tmp.path("syn");
  pagePrefix = tmp.path("syn-page");
  await buildIndex({ data: data.base, dim, outPrefix: idPrefix, metric: "l2", R: 24, L: 48, threads: 1, seed: 3 });
  relayout = relayoutIndex({ src: idPrefix, out: pagePrefix });
  const gt = await computeGroundTruth(
    memoryRows({ npts: data.n, dim, type: "float32", data: data.base }),
    { npts: data.nq, dim, type: "float32", data: data.queries },
    { k: 10, metric: "l2", threads: 1 },
  );
  truth = gt.ids;
}, 120_000);
afterAll(() => tmp.cleanup());

/** recall@10 and mean reads / page hops of one configuration over the queries. */
function measure(
  index: DiskIndex,
  opts: SearchOptions,
): { recall: number; reads: number; pageHops: number; pageNodes: number; ids: Uint32Array } {
  const params = index.resolve({ k: 10, ...opts });
  const ids = new Uint32Array(nq * 10);
  const dists = new Float32Array(nq * 10);
  let hits = 0;
  let reads = 0;
  let pageHops = 0;
  let pageNodes = 0;
  for (let q = 0; q < nq; q++) {
    const n = index.searchInto(data.queries, q * dim, params, ids, dists, q * 10);
    expect(n).toBe(10);
    const s = index.machineFor(params.mode).stats;
    reads += s.reads;
    pageHops += s.pageHops;
    pageNodes += s.pageNodes;
    const want = new Set(truth.subarray(q * 10, q * 10 + 10));
    const got = new Set(ids.subarray(q * 10, q * 10 + 10));
    expect(got.size).toBe(10); // each node reported once
    for (const id of got) if (want.has(id)) hits++;
  }
  return { recall: hits / (nq * 10), reads: reads / nq, pageHops: pageHops / nq, pageNodes: pageNodes / nq, ids };
}

describe("relayout", () => {
  test("renumbers every record exactly: same coordinates, neighbours mapped through the permutation", () => {
    const type = "float32";
    const oldBytes = new Uint8Array(readFileSync(`${idPrefix}_disk.index`));
    const newBytes = new Uint8Array(readFileSync(`${pagePrefix}_disk.index`));
    const oldMeta = parseDiskIndexHeader(oldBytes.subarray(0, SECTOR_BYTES), "old", oldBytes.length, type);
    const newMeta = parseDiskIndexHeader(newBytes.subarray(0, SECTOR_BYTES), "new", newBytes.length, type);
    expect(newMeta.headerVariant).toBe("diskann-cpp");
    expect(newBytes.length).toBe(oldBytes.length);
    const tags = readNodeTags(pagePrefix, newMeta.npts)!;
    expect(tags).not.toBeNull();
    const newOfOld = new Uint32Array(tags.length);
    for (let p = 0; p < tags.length; p++) newOfOld[tags[p]!] = p;
    expect(newMeta.medoid).toBe(newOfOld[oldMeta.medoid]!);
    const sector = (bytes: Uint8Array, meta: typeof oldMeta, id: number): Uint8Array =>
      bytes.subarray(
        nodeSectorIndex(meta, id) * SECTOR_BYTES,
        nodeSectorIndex(meta, id) * SECTOR_BYTES + nodeReadBytes(meta),
      );
    const a = new Uint32Array(oldMeta.R);
    const b = new Uint32Array(oldMeta.R);
    const ca = new Float32Array(dim);
    const cb = new Float32Array(dim);
    for (let p = 0; p < newMeta.npts; p++) {
      const old = tags[p]!;
      const na = decodeNodeNeighbors(oldMeta, sector(oldBytes, oldMeta, old), old, a);
      const nb = decodeNodeNeighbors(newMeta, sector(newBytes, newMeta, p), p, b);
      expect(nb).toBe(na);
      for (let k = 0; k < na; k++)
        if (b[k] !== newOfOld[a[k]!]) expect(`node ${p} nbr ${k}: ${b[k]}`).toBe(`${newOfOld[a[k]!]}`);
      decodeNodeCoords(oldMeta, sector(oldBytes, oldMeta, old), old, ca, 0);
      decodeNodeCoords(newMeta, sector(newBytes, newMeta, p), p, cb, 0);
      if (!ca.every((v, j) => v === cb[j])) expect(`coords of node ${p}`).toBe(`those of original ${old}`);
    }
  });

  test("puts neighbours into shared sectors (overlap far above id order) and records it in _page.json", () => {
    const meta = readPageMeta(pagePrefix)!;
    expect(meta.nodesPerSector).toBe(relayout.nodesPerSector);
    expect(relayout.nodesPerSector).toBeGreaterThanOrEqual(2);
    expect(relayout.overlapBefore.sectorMates).toBeLessThan(0.05);
    expect(relayout.overlap.sectorMates).toBeGreaterThan(0.2);
    expect(relayout.overlap.sectorMates).toBeGreaterThan(5 * relayout.overlapBefore.sectorMates);
    expect(relayout.overlap.outNeighbours).toBeGreaterThan(5 * relayout.overlapBefore.outNeighbours);
    expect(meta.overlap).toEqual(relayout.overlap);
  });

  test("an in-place relayout of a relayouted index composes the original ids", async () => {
    const again = tmp.path("syn-again");
    relayoutIndex({ src: pagePrefix, out: again });
    relayoutIndex({ src: again, out: again });
    const index = await DiskIndex.open(again, { backend: "uring" });
    try {
      const base = await DiskIndex.open(pagePrefix, { backend: "uring" });
      try {
        expect(measure(index, { mode: "beam", L: 40 }).recall).toBeCloseTo(
          measure(base, { mode: "beam", L: 40 }).recall,
          1,
        );
      } finally {
        base.close();
      }
    } finally {
      index.close();
    }
  });

  test("refuses an index whose nodes do not share sectors", () => {
    const t = writeTinyIndex({ n: 40, dim: 1100, R: 8, M: 8 }); // 4,400-byte coordinates: a node spans 2 sectors
    try {
      const err = (() => {
        try {
          relayoutIndex({ src: t.prefix, out: t.prefix + "-page" });
        } catch (e) {
          return e;
        }
        return null;
      })();
      expect(err).toBeInstanceOf(ConfigError);
      expect(String(err)).toContain("≥ 2 nodes per 4 KiB sector");
    } finally {
      t.cleanup();
    }
  });
});

describe("page search on real io_uring", () => {
  let idIndex: DiskIndex;
  let pageIndex: DiskIndex;
  let plainOnPage: DiskIndex;
  beforeAll(async () => {
    idIndex = await DiskIndex.open(idPrefix, { backend: "uring" });
    pageIndex = await DiskIndex.open(pagePrefix, { backend: "uring" });
    plainOnPage = await DiskIndex.open(pagePrefix, { backend: "uring", pageSearch: false });
  });
  afterAll(() => {
    idIndex.close();
    pageIndex.close();
    plainOnPage.close();
  });

  test("is chosen at open from _page.json; reports original ids", () => {
    expect(pageIndex.page.search).toBe(true);
    expect(idIndex.page.search).toBe(false);
    expect(plainOnPage.page.search).toBe(false);
    expect(pageIndex.reader.backend).toBe("uring");
  });

  for (const mode of ["beam", "pipe"] as const) {
    test(`${mode}: the renumbered graph searched node by node finds what the id-order index finds`, () => {
      const a = measure(idIndex, { mode, L: 30, adaptiveWidth: false });
      const b = measure(plainOnPage, { mode, L: 30, adaptiveWidth: false });
      expect(Math.abs(a.recall - b.recall)).toBeLessThanOrEqual(0.01);
      expect(b.pageNodes).toBe(0);
    });

    test(`${mode}: page search reads less at no loss of recall, using several nodes per read`, () => {
      for (const L of [20, 50]) {
        const id = measure(idIndex, { mode, L });
        const page = measure(pageIndex, { mode, L });
        expect(page.recall).toBeGreaterThanOrEqual(id.recall - 0.005);
        expect(page.reads).toBeLessThan(0.8 * id.reads);
        expect(page.pageHops).toBeGreaterThan(0);
        expect(page.pageNodes).toBeGreaterThan(page.reads); // more than one extra node scored per read
      }
    });

    test(`${mode}: every expansion policy, the node cache, the entry graph and the read limit work`, () => {
      const base = measure(pageIndex, { mode, L: 40 });
      for (const pageExpand of ["all", "none"] as const) {
        const r = measure(pageIndex, { mode, L: 40, pageExpand });
        expect(r.recall).toBeGreaterThan(base.recall - 0.05);
        if (pageExpand === "none") expect(r.pageHops).toBe(0);
      }
      expect(measure(pageIndex, { mode, L: 40, entry: "medoid" }).recall).toBeGreaterThan(base.recall - 0.05);
      expect(measure(pageIndex, { mode, L: 40, entry: "graph" }).recall).toBeGreaterThan(base.recall - 0.05);
      const limited = measure(pageIndex, { mode, L: 40, readLimit: 5 });
      expect(limited.reads).toBeLessThanOrEqual(5);
    });
  }

  test("a node cache serves page search (hits, same recall, fewer reads)", async () => {
    const cached = await DiskIndex.open(pagePrefix, { backend: "uring", cacheNodes: 600 });
    try {
      for (const mode of ["beam", "pipe"] as const) {
        const plain = measure(pageIndex, { mode, L: 40 });
        const r = measure(cached, { mode, L: 40 });
        expect(r.recall).toBeGreaterThanOrEqual(plain.recall - 0.01);
        expect(r.reads).toBeLessThan(plain.reads);
      }
    } finally {
      cached.close();
    }
  });

  test("interleaved queries on one ring (concurrency 4) give the one-at-a-time answers' recall", async () => {
    const index = await DiskIndex.open(pagePrefix, { backend: "uring", concurrency: 4 });
    try {
      for (const mode of ["beam", "pipe"] as const) {
        const params = index.resolve({ mode, L: 40, k: 10 });
        const ids = new Uint32Array(nq * 10);
        const dists = new Float32Array(nq * 10);
        index.driver.runInterleaved(index.machinesFor(mode), data.queries, dim, nq, params, (q, m) => {
          m.topK(10, ids, dists, q * 10);
        });
        let hits = 0;
        for (let q = 0; q < nq; q++) {
          const want = new Set(truth.subarray(q * 10, q * 10 + 10));
          for (let j = 0; j < 10; j++) if (want.has(ids[q * 10 + j]!)) hits++;
        }
        const one = measure(pageIndex, { mode, L: 40 }).recall;
        expect(Math.abs(hits / (nq * 10) - one)).toBeLessThanOrEqual(0.03);
      }
    } finally {
      index.close();
    }
  });
});

describe("ringann run's search Workers", () => {
  test("search a page layout by page and report original ids: beam answers equal the library's", async () => {
    const shared = new Float32Array(new SharedArrayBuffer(data.queries.byteLength));
    shared.set(data.queries);
    const loaded = await loadSharedIndex(
      pagePrefix,
      { backend: "uring", cacheNodes: 0, entryGraph: true, maxL: 64, maxWidth: 8 },
      (i) => i.resolve({ k: 10, L: 40, mode: "beam", width: 4 }),
    );
    const index = await DiskIndex.open(pagePrefix, { backend: "uring", maxL: 64, maxWidth: 8 });
    const want = new Uint32Array(nq * 10);
    try {
      const d = new Float32Array(nq * 10);
      for (let q = 0; q < nq; q++) index.searchInto(data.queries, q * dim, loaded.resolved, want, d, q * 10);
    } finally {
      index.close();
    }
    const results = allocSharedResults(nq, 10);
    const pool = await SearchPool.start({
      threads: 2,
      index: loaded.parts,
      backend: "uring",
      queries: shared,
      dim,
      k: 10,
      maxL: 64,
      maxWidth: 8,
      maxConcurrency: 1,
      results,
    });
    try {
      await pool.run({ combos: [{ mode: "beam", params: loaded.resolved }], concurrency: 1, count: nq });
    } finally {
      await pool.close();
    }
    expect(Array.from(results.ids)).toEqual(Array.from(want));
    // Page search's statistics cross the Worker boundary.
    const stats = Array.from({ length: nq }, (_, q) =>
      new QueryStats().readFrom(results.stats, statsOffset(results, 0, q)),
    );
    expect(stats.reduce((a, s) => a + s.pageNodes, 0)).toBeGreaterThan(0);
    expect(stats.reduce((a, s) => a + s.pageHops, 0)).toBeGreaterThan(0);
  });
});

describe("page layout of other writers' indexes", () => {
  test("the PipeANN fixture relayouts (float32, 6 per sector); page search keeps its recall with fewer reads", async () => {
    const out = tmp.path("fixture-page");
    const r = relayoutIndex({ src: PIPEANN.prefix, out, type: "float32" });
    expect(r.nodesPerSector).toBe(6);
    const q = readBin(PIPEANN.queries);
    const gt = readTruth(PIPEANN.gt);
    const orig = await DiskIndex.open(PIPEANN.prefix, { backend: "uring" });
    const page = await DiskIndex.open(out, { backend: "uring" });
    try {
      for (const mode of ["beam", "pipe"] as const) {
        const run = (index: DiskIndex): { recall: number; reads: number } => {
          const params = index.resolve({ mode, L: 50, k: 10 });
          const ids = new Uint32Array(10);
          const d = new Float32Array(10);
          let hits = 0;
          let reads = 0;
          for (let i = 0; i < q.npts; i++) {
            index.searchInto(q.data, i * q.dim, params, ids, d, 0);
            reads += index.machineFor(mode).stats.reads;
            const want = new Set(gt.ids.subarray(i * gt.k, i * gt.k + 10));
            for (let j = 0; j < 10; j++) if (want.has(ids[j]!)) hits++;
          }
          return { recall: hits / (q.npts * 10), reads: reads / q.npts };
        };
        const a = run(orig);
        const b = run(page);
        expect(b.recall).toBeGreaterThanOrEqual(a.recall - 0.005);
        expect(b.reads).toBeLessThan(0.7 * a.reads);
      }
    } finally {
      orig.close();
      page.close();
    }
  });

  test("uint8 records that are not 4-byte aligned and a frozen point search correctly on a page layout", async () => {
    const t = writeTinyIndex({ n: 900, dim: 30, R: 12, M: 10, type: "uint8", frozen: true, entryGraph: true, seed: 5 });
    try {
      const out = t.prefix + "-page";
      relayoutIndex({ src: t.prefix, out });
      const index = await DiskIndex.open(out, { backend: "uring" });
      try {
        for (const mode of ["beam", "pipe"] as const) {
          let hits = 0;
          for (let s = 0; s < 30; s++) {
            const query = t.randomQuery(100 + s);
            const r = index.search(query, { mode, L: 60, k: 5 });
            const want = new Set(t.exact(query, 5).ids);
            for (const id of r.ids) if (want.has(id)) hits++;
            expect(new Set(r.ids).size).toBe(r.ids.length);
          }
          expect(hits / (30 * 5)).toBeGreaterThan(0.9);
        }
      } finally {
        index.close();
      }
    } finally {
      t.cleanup();
    }
  });

  test("a node tags file that is not a permutation is refused at open, naming the file", async () => {
    const out = tmp.path("bad-tags");
    relayoutIndex({ src: idPrefix, out });
    const file = `${out}_disk.index.tags`;
    const bytes = new Uint8Array(readFileSync(file));
    bytes.set(bytes.subarray(8, 12), 12); // tags[1] = tags[0]
    writeFileSync(file, bytes);
    let err: unknown = null;
    try {
      (await DiskIndex.open(out, { backend: "uring" })).close();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(FormatError);
    expect(String(err)).toContain(file);
    expect(String(err)).toContain("permutation");
  });
});
