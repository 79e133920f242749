// Filtered and range search in `ringann run` configs (issue 12): search jobs with `filter`,
// `query_filters`, `strategy`, `mode: "range"` + `radius`, and DiskANN's `vector_filters_file`, run on
// the Worker pool (2 threads) over PipeANN's fixture index with labels attached (by id, so they cut
// across the data's clusters). Recall is against exact filtered / range truth computed here; every bad
// input is a ConfigError naming its JSON path.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { copyFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { attachLabels } from "../../src/build/attach-labels.ts";
import { computeFilteredTruth, radiusForMeanCount, rangeFromTopK } from "../../src/data/filtered-truth.ts";
import { ConfigError } from "../../src/errors.ts";
import { readBin } from "../../src/format/bin.ts";
import { type RangeTruth, writeRangeTruth } from "../../src/format/range-truth.ts";
import { readTruth, writeTruth } from "../../src/format/truth.ts";
import type { Vectors } from "../../src/format/vector-type.ts";
import { planFromJson } from "../../src/run/config/config.ts";
import { runStep } from "../../src/run/exec/jobs.ts";
import type { ResultRow } from "../../src/run/report/result-row.ts";
import { RunLog } from "../../src/run/report/run-log.ts";
import { PIPEANN } from "../fixtures.ts";
import { tempDir } from "../io/helpers.ts";

const NQ = 40;
let tmp: { dir: string; cleanup: () => void };
const at = (name: string): string => join(tmp.dir, name);
const base = readBin(PIPEANN.base, "float32");
const queries = readBin(PIPEANN.queries, "float32");
const N = base.npts;
const DIM = base.dim;

// "even" 50%, "ten" 10%, "rare" 1% (100 points), by id.
const labelOf = (i: number): string[] =>
  [i % 2 === 0 ? "even" : "", i % 10 === 3 ? "ten" : "", i % 100 === 7 ? "rare" : ""].filter(Boolean);
const matching = (label: string): Uint32Array =>
  Uint32Array.from({ length: N }, (_, i) => i).filter((i) => labelOf(i).includes(label));
const queryLabel = (q: number): string => ["even", "ten", "rare"][q % 3]!;

beforeAll(() => {
  tmp = tempDir("ringann-filtered-config-");
  for (const s of [
    "_disk.index",
    "_pq_pivots.bin",
    "_pq_compressed.bin",
    "_mem.index",
    "_mem.index.data",
    "_mem.index.tags",
  ]) {
    copyFileSync(`${PIPEANN.prefix}${s}`, at(`lab${s}`));
    copyFileSync(`${PIPEANN.prefix}${s}`, at(`plain${s}`));
  }
  writeFileSync(at("labels.txt"), Array.from({ length: N }, (_, i) => labelOf(i).join(",")).join("\n") + "\n");
  attachLabels(at("lab"), { labels: at("labels.txt"), data: PIPEANN.base });
  writeFileSync(at("qf.txt"), Array.from({ length: NQ }, (_, q) => queryLabel(q)).join("\n") + "\n");
  const ids = { even: matching("even"), ten: matching("ten"), rare: matching("rare") } as Record<string, Uint32Array>;
  const b = { npts: N, dim: DIM, type: "float32" as const, data: base.data as Vectors };
  const qs = {
    npts: NQ,
    dim: DIM,
    type: "float32" as const,
    data: (queries.data as Float32Array).subarray(0, NQ * DIM),
  };
  writeTruth(
    at("gt_filtered.bin"),
    computeFilteredTruth(b, qs, (q) => ids[queryLabel(q)]!, { k: 10, metric: "l2" }),
  );
  writeTruth(
    at("gt_ten.bin"),
    computeFilteredTruth(b, qs, () => ids.ten!, { k: 10, metric: "l2" }),
  );
  // DiskANN's vector filters: per query the ids of "ten" (range-truth layout), for all 200 queries
  // (DiskANN's job has no query limit) and for 40 (too few: an error).
  const allQ = { npts: queries.npts, dim: DIM, type: "float32" as const, data: queries.data as Vectors };
  writeTruth(
    at("gt_ten_all.bin"),
    computeFilteredTruth(b, allQ, () => ids.ten!, { k: 10, metric: "l2" }),
  );
  for (const [name, nq] of [
    ["vector_filters.bin", queries.npts],
    ["vector_filters40.bin", NQ],
  ] as const) {
    const offsets = Uint32Array.from({ length: nq + 1 }, (_, q) => q * ids.ten!.length);
    const all = new Uint32Array(nq * ids.ten!.length);
    for (let q = 0; q < nq; q++) all.set(ids.ten!, q * ids.ten!.length);
    writeRangeTruth(at(name), { nq, offsets, ids: all, dists: null });
  }
  // Range truth at a radius holding ~20 points per query; its "even" half for the filtered range search.
  const top = readTruth(PIPEANN.gt);
  const radius = radiusForMeanCount(top, 20);
  const { range } = rangeFromTopK(top, radius);
  writeRangeTruth(at("range.bin"), range);
  writeRangeTruth(at("range_even.bin"), keepEven(range));
  writeFileSync(at("radius.txt"), String(radius));
});
afterAll(() => tmp.cleanup());

function keepEven(t: RangeTruth): RangeTruth {
  const offsets = new Uint32Array(t.nq + 1);
  const ids: number[] = [];
  for (let q = 0; q < t.nq; q++) {
    for (let i = t.offsets[q]!; i < t.offsets[q + 1]!; i++) if (t.ids[i]! % 2 === 0) ids.push(t.ids[i]!);
    offsets[q + 1] = ids.length;
  }
  return { nq: t.nq, offsets, ids: Uint32Array.from(ids), dists: null };
}

const searchJob = (extra: Record<string, unknown>): Record<string, unknown> => ({
  type: "search",
  index: "lab",
  queries: PIPEANN.queries,
  gt: "gt_filtered.bin",
  metric: "l2",
  max_queries: NQ,
  threads: 2,
  ...extra,
});

async function run(json: unknown): Promise<ResultRow[]> {
  const plan = planFromJson(json, { source: "test.json", baseDir: tmp.dir, defaultName: "t" });
  const rows: ResultRow[] = [];
  for (const step of plan.steps) rows.push(...((await runStep(step, plan, new RunLog(true))).rows ?? []));
  return rows;
}

function problemsOf(json: unknown): string[] {
  try {
    planFromJson(json, { source: "test.json", baseDir: tmp.dir, defaultName: "t" });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return [...(err as ConfigError).problems];
  }
  throw new Error("expected a ConfigError");
}

async function runError(json: unknown): Promise<ConfigError> {
  try {
    await run(json);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error("expected a ConfigError");
}

describe("filtered search jobs", () => {
  test("query_filters on 2 threads: strategies side by side, recall against filtered truth, auto's choice", async () => {
    const rows = await run({
      jobs: [
        searchJob({
          query_filters: "qf.txt",
          unfiltered_gt: PIPEANN.gt,
          strategy: ["auto", "pre", "post", "none"],
          L: [20, 50],
          mode: ["beam", "pipe"],
          order: "interleaved",
        }),
      ],
    });
    expect(rows.length).toBe(2 * 2 * 4);
    const row = (s: string, mode: string, L: number) =>
      rows.find((r) => r.strategy === s && r.mode === mode && r.L === L)!;
    for (const mode of ["beam", "pipe"]) {
      const auto = row("auto", mode, 50);
      expect(auto.threads).toBe(2);
      expect(auto.recall).toBeGreaterThan(0.9);
      expect(auto.chosen).toContain("pre"); // the 1% queries are pre-filtered
      expect(auto.selectivity).toBeCloseTo((0.5 + 0.1 + 0.01) / 3, 1);
      expect(auto.found).toBe(10);
      expect(row("pre", mode, 50).recall).toBeGreaterThan(0.9);
      // Naive post-filtering keeps few of 10 on the rare label: lower recall, fewer found.
      expect(row("post", mode, 50).recall).toBeLessThan(auto.recall - 0.1);
      expect(row("post", mode, 50).found!).toBeLessThan(10);
      // "none" is unfiltered search, scored against the unfiltered truth.
      expect(row("none", mode, 50).recall).toBeGreaterThan(0.9);
      expect(row("none", mode, 50).chosen).toBe("none 100%");
      expect(auto.reads).toBeGreaterThan(0);
    }
  }, 120_000);

  test("one filter for every query (JSON predicate), in-filter traversal", async () => {
    const rows = await run({
      jobs: [
        searchJob({ filter: { or: [{ label: "ten" }, { label: "rare" }] }, gt: "gt_ten.bin", strategy: "in", L: 50 }),
        searchJob({ filter: "ten", gt: "gt_ten.bin", strategy: ["label", "auto"], L: 50, mode: "pipe" }),
      ],
    });
    // or(ten, rare): rare (i % 100 = 7) never overlaps ten (i % 10 = 3): 11% of the points.
    expect(rows[0]!.selectivity).toBeCloseTo(0.11, 5);
    expect(rows[0]!.effective_l!).toBeGreaterThan(50);
    expect(rows.find((r) => r.strategy === "auto")!.recall).toBeGreaterThan(0.9);
  }, 120_000);

  test("range search (mode range + radius) and range search with a filter, on 2 threads", async () => {
    const radius = Number(await Bun.file(at("radius.txt")).text());
    const rows = await run({
      jobs: [
        {
          type: "search",
          index: "lab",
          queries: PIPEANN.queries,
          gt: "range.bin",
          metric: "l2",
          max_queries: NQ,
          mode: "range",
          radius,
          L: 10,
          threads: 2,
        },
        {
          type: "search",
          index: "lab",
          queries: PIPEANN.queries,
          gt: "range_even.bin",
          metric: "l2",
          max_queries: NQ,
          mode: "range",
          radius,
          L: 10,
          filter: { label: "even" },
        },
      ],
    });
    const [plain, even] = rows;
    expect(plain!.radius).toBe(radius);
    expect(plain!.mode).toBe("pipe");
    expect(plain!.recall).toBeGreaterThan(0.9);
    expect(plain!.found!).toBeGreaterThan(5);
    expect(plain!.range_rounds!).toBeGreaterThanOrEqual(1);
    expect(even!.recall).toBeGreaterThan(0.85);
    expect(even!.selectivity).toBeCloseTo(0.5, 5);
  }, 120_000);

  test("DiskANN's disk-index job with vector_filters_file (per-query id sets)", async () => {
    const job = (filters: string) => ({
      type: "disk-index",
      content: {
        source: { "disk-index-source": "Load", data_type: "float32", load_path: "plain" },
        search_phase: {
          queries: PIPEANN.queries,
          groundtruth: "gt_ten_all.bin",
          search_list: [50],
          beam_width: 4,
          recall_at: 10,
          num_threads: 2,
          distance: "squared_l2",
          vector_filters_file: filters,
        },
      },
    });
    const rows = await run({ jobs: [job("vector_filters.bin")] });
    expect(rows.length).toBe(1);
    expect(rows[0]!.strategy).toBe("auto");
    expect(rows[0]!.selectivity).toBeCloseTo(0.1, 5);
    expect(rows[0]!.recall).toBeGreaterThan(0.9);
    const short = await runError({ jobs: [job("vector_filters40.bin")] });
    expect(short.path).toBe("jobs[0].content.search_phase.vector_filters_file");
    expect(short.problems[0]).toContain("holds filters for 40 queries, fewer than the 200 searched");
  }, 120_000);
});

describe("bad input names the field", () => {
  test("malformed filters, range without radius, strategy without filter, concurrency", () => {
    const problems = problemsOf({
      jobs: [
        searchJob({ filter: { and: [{ lable: "x" }] } }),
        searchJob({ filter: { range: { price: { below: 3 } } } }),
        searchJob({ mode: "range" }),
        searchJob({ strategy: "pre" }),
        searchJob({ filter: "ten", concurrency: 2, order: "sequential" }),
        searchJob({ filter: "ten", query_filters: "qf.txt" }),
      ],
    });
    expect(
      problems.some((p) => p.startsWith("jobs[0].filter.and[0]: expected exactly one of label, and, or, not, range")),
    ).toBe(true);
    expect(problems.some((p) => p.startsWith("jobs[1].filter.range.price: "))).toBe(true);
    expect(problems).toContain(
      'jobs[2].radius: missing; expected a number ≥ 0 (every point within this distance) with mode "range"',
    );
    expect(problems.some((p) => p.startsWith("jobs[3].strategy: only for a filtered search"))).toBe(true);
    expect(
      problems.some((p) => p.startsWith("jobs[4].concurrency: filtered and range searches run one query at a time")),
    ).toBe(true);
    expect(problems).toContain('jobs[5].query_filters: expected either "filter" or "query_filters", found both');
    // Schema problems come first (no cross-field checks until the shape is right).
    const typo = problemsOf({ jobs: [searchJob({ queryFilters: "qf.txt", radius: -1 })] });
    expect(typo.some((p) => p.includes("unknown field 'queryFilters' (did you mean 'query_filters'?)"))).toBe(true);
    expect(typo.some((p) => p.startsWith("jobs[0].radius: expected a number ≥ 0"))).toBe(true);
  });

  test("an unknown label, an index without labels, a bad query-filter line: errors name the field", async () => {
    const unknown = await runError({ jobs: [searchJob({ filter: { and: [{ label: "even" }, { label: "nope" }] } })] });
    expect(unknown.code).toBe("E_UNKNOWN_LABEL");
    expect(unknown.path).toBe("jobs[0].filter.and[1].label");
    const none = await runError({ jobs: [searchJob({ index: "plain", filter: "even" })] });
    expect(none.code).toBe("E_NO_LABELS");
    expect(none.path).toBe("jobs[0].filter.label");
    writeFileSync(at("qf_bad.txt"), 'even\nten\n{"label": \n');
    const bad = await runError({ jobs: [searchJob({ query_filters: "qf_bad.txt", max_queries: 3 })] });
    expect(bad.path).toBe(`jobs[0].query_filters (${at("qf_bad.txt")}:3)`);
    const short = await runError({ jobs: [searchJob({ query_filters: "qf_bad.txt", max_queries: 10 })] });
    expect(short.path).toBe("jobs[0].query_filters");
    expect(short.problems[0]).toContain("holds 3 filters, fewer than the 10 queries");
  }, 60_000);
});
