// Filtered and range search on a real index: 4,000 synthetic 32-d points built by ringann, labels
// attached through the DiskANN label files, searched through real io_uring. Every strategy returns
// only matching points; recall is measured against filtered exact truth; range search against exact
// range truth; an index without labels searches exactly as DiskIndex does.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { copyFileSync, existsSync, writeFileSync } from "node:fs";
import { attachLabels } from "../../src/build/attach-labels.ts";
import { buildIndex } from "../../src/build/index.ts";
import { computeFilteredTruth, radiusForMeanCount, rangeFromTopK, rangeRecall } from "../../src/data/filtered-truth.ts";
import { computeGroundTruth, memoryRows } from "../../src/data/ground-truth.ts";
import { recallAtK } from "../../src/data/recall.ts";
import { makeSynthetic } from "../../src/data/synthetic.ts";
import { ConfigError } from "../../src/errors.ts";
import { writeBin } from "../../src/format/bin.ts";
import type { Filter } from "../../src/filter/predicate.ts";
import { DiskIndex } from "../../src/search/disk-index.ts";
import { type FilterStrategy, FilteredIndex } from "../../src/search/filtered-index.ts";
import { rangeSearch } from "../../src/search/range-index.ts";
import { caught, makeTempDir } from "../format/tmp.ts";

const N = 4000;
const DIM = 32;
const NQ = 30;
const tmp = makeTempDir("filtered");
const data = makeSynthetic({ n: N, dim: DIM, queries: NQ, seed: 11, clusters: 8 });
let f: FilteredIndex;
let plain: DiskIndex;

// Labels: "even" (50%), "ten" (10%), "rare" (1%: 40 points), by id so that they cut across clusters.
const labelRows = Array.from({ length: N }, (_, i) =>
  [i % 2 === 0 ? "even" : "", i % 10 === 3 ? "ten" : "", i % 100 === 7 ? "rare" : ""].filter(Boolean).join(","),
);

beforeAll(async () => {
  await buildIndex({
    data: data.base,
    dim: DIM,
    outPrefix: tmp.path("syn"),
    metric: "l2",
    R: 24,
    L: 48,
    pqBytes: 16,
    threads: 2,
  });
  plain = await DiskIndex.open(tmp.path("syn"), { backend: "uring" });
  writeBin(tmp.path("base.fbin"), "float32", data.base, DIM);
  writeFileSync(tmp.path("labels.txt"), labelRows.join("\n") + "\n");
  writeFileSync(
    tmp.path("attrs.jsonl"),
    Array.from({ length: N }, (_, i) => JSON.stringify({ price: i % 100 })).join("\n") + "\n",
  );
  // The same index files, with labels beside them under a second prefix.
  for (const s of [
    "_disk.index",
    "_pq_pivots.bin",
    "_pq_compressed.bin",
    "_ringann.json",
    "_mem.index",
    "_mem.index.data",
    "_mem.index.tags",
  ]) {
    if (existsSync(tmp.path("syn" + s))) copyFileSync(tmp.path("syn" + s), tmp.path("lab" + s));
  }
  attachLabels(tmp.path("lab"), {
    labels: tmp.path("labels.txt"),
    attributes: tmp.path("attrs.jsonl"),
    data: tmp.path("base.fbin"),
  });
  f = await FilteredIndex.open(tmp.path("lab"), { backend: "uring", maxL: 1024 });
}, 120_000);

afterAll(() => {
  f?.close();
  plain?.close();
  tmp.cleanup();
});

function run(
  filter: Filter,
  strategy: FilterStrategy,
  L: number,
  mode: "beam" | "pipe" = "pipe",
): { recall: number; allMatch: boolean; chosen: Set<string> } {
  const m = f.match(filter);
  const truth = computeFilteredTruth(
    { npts: N, dim: DIM, type: "float32", data: data.base },
    { npts: NQ, dim: DIM, type: "float32", data: data.queries },
    () => m.ids(),
    { k: 10, metric: "l2" },
  );
  const ids = new Uint32Array(NQ * 10).fill(0xffffffff);
  let allMatch = true;
  const chosen = new Set<string>();
  for (let q = 0; q < NQ; q++) {
    const r = f.search(data.queries, { k: 10, L, mode, filter, strategy }, q * DIM);
    ids.set(r.ids, q * 10);
    for (const id of r.ids) if (!m.bits.has(id)) allMatch = false;
    chosen.add(r.strategy);
  }
  return { recall: recallAtK({ nq: NQ, stride: 10, ids }, truth, 10), allMatch, chosen };
}

describe("filtered search", () => {
  test("every strategy returns only matching points, in beam and pipe", () => {
    for (const strategy of ["pre", "in", "label", "post", "auto"] as const) {
      for (const mode of ["beam", "pipe"] as const)
        expect(run({ label: "ten" }, strategy, 30, mode).allMatch).toBe(true);
    }
  }, 60_000);

  test("pre-filtering and in-filter traversal reach high recall at 50%, 10% and 1%", () => {
    for (const label of ["even", "ten", "rare"]) {
      expect(run({ label }, "pre", 40).recall).toBeGreaterThan(0.9);
      expect(run({ label }, "auto", 40).recall).toBeGreaterThan(0.9);
    }
    expect(run({ label: "even" }, "in", 40).recall).toBeGreaterThan(0.9);
    expect(run({ label: "ten" }, "in", 40).recall).toBeGreaterThan(0.9);
  }, 60_000);

  test("pre-filtering over gathered code rows returns exactly what the in-place scan returns", () => {
    const gathered = f.engine.gathered;
    const saved = gathered.minMatches;
    const answers = (minMatches: number): string => {
      gathered.minMatches = minMatches;
      const out: string[] = [];
      for (let q = 0; q < NQ; q++) {
        const r = f.search(
          data.queries,
          { k: 10, L: 40, mode: "pipe", filter: { label: "even" }, strategy: "pre" },
          q * DIM,
        );
        out.push(`${[...r.ids]}:${[...r.distances]}`);
      }
      return out.join("\n");
    };
    try {
      const inPlace = answers(Number.POSITIVE_INFINITY);
      expect(gathered.heldBytes).toBe(0);
      const fromRows = answers(1);
      expect(gathered.heldBytes).toBe((N / 2) * f.index.context.pq.M); // "even": one block, gathered once
      expect(fromRows).toBe(inPlace);
    } finally {
      gathered.minMatches = saved;
    }
  }, 30_000);

  test("naive post-filtering collapses on a rare label; auto pre-filters it", () => {
    const post = run({ label: "rare" }, "post", 40);
    const auto = run({ label: "rare" }, "auto", 40);
    expect(post.recall).toBeLessThan(0.5);
    expect(auto.chosen).toEqual(new Set(["pre"]));
    expect(auto.recall).toBeGreaterThan(0.95);
  }, 30_000);

  test("compound filters and numeric ranges", () => {
    const r = run(
      { and: [{ label: "even" }, { range: { price: { lt: 30 } } }, { not: { label: "ten" } }] },
      "auto",
      40,
    );
    expect(r.allMatch).toBe(true);
    expect(r.recall).toBeGreaterThan(0.9);
  });

  test("an index without labels: unfiltered search is DiskIndex's, a filter is refused by name", async () => {
    const g = await FilteredIndex.open(tmp.path("syn"), { backend: "uring" });
    try {
      for (let q = 0; q < 5; q++) {
        const a = g.search(data.queries, { k: 10, L: 30, mode: "beam" }, q * DIM);
        const b = plain.search(data.queries, { k: 10, L: 30, mode: "beam" }, q * DIM);
        expect(Array.from(a.ids)).toEqual(Array.from(b.ids));
        expect(a.stats.reads).toBe(b.stats.reads);
      }
      const err = caught(() => g.search(data.queries, { filter: { label: "even" } })) as ConfigError;
      expect(err.code).toBe("E_NO_LABELS");
      expect(err.path).toBe("filter.label");
    } finally {
      g.close();
    }
  });
});

describe("range search", () => {
  test("recall ≥ 0.95 against exact range truth at radii holding ~10 and ~100 points", async () => {
    const top = await computeGroundTruth(
      memoryRows({ npts: N, dim: DIM, type: "float32", data: data.base }),
      { npts: NQ, dim: DIM, type: "float32", data: data.queries },
      { k: 1000, metric: "l2", threads: 2 },
    );
    for (const target of [10, 100]) {
      const radius = radiusForMeanCount(top, target);
      const { range, saturated } = rangeFromTopK(top, radius);
      expect(saturated).toBe(0);
      const found: Uint32Array[] = [];
      for (let q = 0; q < NQ; q++) {
        const r = rangeSearch(plain, data.queries, { radius, L: 10, mode: "pipe" }, q * DIM);
        for (const d of r.distances) expect(d).toBeLessThanOrEqual(radius);
        found.push(r.ids);
      }
      expect(rangeRecall(found, range)).toBeGreaterThan(0.95);
    }
  }, 60_000);
});
