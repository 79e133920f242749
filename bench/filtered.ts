// Filtered search side by side in one run (issue 12): for each query with its filter, every strategy
// (none = unfiltered search against unfiltered truth, post = naive post-filtering as DiskANN's plain
// graph search does, in, label, pre, auto) at every L, interleaved per query, O_DIRECT, one thread.
// Queries are grouped by their filter's selectivity (50%, 10%, 1%, 0.1%, ...); the filtered exact
// truth is computed here (brute force over each filter's matches).
// Run (labels attached to the index: ringann build --labels, or ringann labels):
//   node_modules/.bin/bun bench/filtered.ts --index idx/fmnist --base data/fmnist/base.u8bin \
//     --queries data/fmnist/queries.u8bin --query-filters data/fmnist/query_filters.txt --gt data/fmnist/gt100.bin \
//     [--L 10,20,50,100] [--strategies none,post,in,label,pre,auto] [--queries-limit 400] [--mode pipe] [--width 4] [--target-recall 0.95]
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { metricAtRecall } from "../src/data/at-recall.ts";
import { computeFilteredTruth } from "../src/data/filtered-truth.ts";
import { parseFilterText } from "../src/filter/predicate.ts";
import { readTruth } from "../src/format/truth.ts";
import { openVectorFile } from "../src/format/vector-file.ts";
import type { VectorType, Vectors } from "../src/format/vector-type.ts";
import type { SearchMode } from "../src/search/disk-index.ts";
import { FilteredIndex } from "../src/search/filtered-index.ts";
import { type FilteredRow, type SweepStrategy, runFilteredSweep } from "../src/search/filtered-sweep.ts";

const { values } = parseArgs({
  options: {
    index: { type: "string" },
    base: { type: "string" },
    queries: { type: "string" },
    "query-filters": { type: "string" },
    gt: { type: "string" },
    L: { type: "string", default: "10,20,50,100" },
    strategies: { type: "string", default: "none,post,in,label,pre,auto" },
    "queries-limit": { type: "string", default: "400" },
    mode: { type: "string", default: "pipe" },
    width: { type: "string", default: "4" },
    warmup: { type: "string", default: "20" },
    "pre-max": { type: "string" },
    "max-l": { type: "string", default: "1024" },
    "target-recall": { type: "string", default: "0.95" },
  },
});
if (!values.index || !values.base || !values.queries || !values["query-filters"]) {
  console.error(
    "usage: bun bench/filtered.ts --index P --base B --queries Q --query-filters F [--gt G] [--L ...] [--strategies ...]",
  );
  process.exit(2);
}
const list = (s: string): number[] => s.split(",").map(Number);
const k = 10;
const qFile = openVectorFile(values.queries);
const nq = Math.min(qFile.npts, Number(values["queries-limit"]));
const qData = qFile.readRows(0, nq) as Vectors;
const dim = qFile.dim;
qFile.close();
const lines = readFileSync(values["query-filters"], "utf8").split("\n");
const filters = Array.from({ length: nq }, (_, q) =>
  parseFilterText(lines[q] ?? "", `${values["query-filters"]}:${q + 1}`),
);

const Ls = list(values.L!);
const f = await FilteredIndex.open(values.index, { maxL: Math.max(Number(values["max-l"]), ...Ls), maxWidth: 32 });
const matches = filters.map((flt, q) => f.match(flt, `query filter ${q + 1}`));

const baseFile = openVectorFile(values.base);
const base = {
  npts: baseFile.npts,
  dim: baseFile.dim,
  type: baseFile.type as VectorType,
  data: baseFile.readRows(0, baseFile.npts) as Vectors,
};
baseFile.close();
const t0 = performance.now();
const truth = computeFilteredTruth(base, { npts: nq, dim, type: base.type, data: qData }, (q) => matches[q]!.ids(), {
  k: 100,
  metric: f.index.metric,
});
console.error(`filtered truth: ${nq} queries in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
const plain = values.gt ? readTruth(values.gt) : null;

// Groups by selectivity (rounded to 2 significant digits).
const groups = new Map<string, number[]>();
matches.forEach((m, q) => {
  const key = `${(100 * m.selectivity).toPrecision(2)}%`;
  if (!groups.has(key)) groups.set(key, []);
  groups.get(key)!.push(q);
});
const strategies = values.strategies!.split(",") as SweepStrategy[];
const pct = (x: number): string => (100 * x).toFixed(1);
console.log(
  `${values.index}: ${f.index.meta.npts} points, ${f.labels.names.length} labels (${(f.labels.labelBytes / 1024).toFixed(0)} KiB of label sets), ` +
    `${values.mode} W=${values.width}, k=${k}, ${nq} queries`,
);
const head = [
  "selectivity",
  "queries",
  "strategy",
  "L",
  "L_eff",
  "recall@10",
  "mean_us",
  "p99_us",
  "reads",
  "hops",
  "found",
  "chosen",
];
console.log(head.join("\t"));
const all: FilteredRow[] = [];
const groupRows = new Map<string, FilteredRow[]>();
for (const [key, qs] of [...groups.entries()].sort((a, b) => parseFloat(b[0]) - parseFloat(a[0]))) {
  const rows = runFilteredSweep(f, { data: qData, dim, count: nq }, matches, truth, plain, {
    k,
    Ls,
    modes: [values.mode as SearchMode],
    widths: [Number(values.width)],
    strategies,
    subset: Uint32Array.from(qs),
    warmup: Number(values.warmup),
    auto: { preMaxPoints: values["pre-max"] ? Number(values["pre-max"]) : undefined },
  });
  groupRows.set(key, rows);
  for (const r of rows) {
    all.push(r);
    console.log(
      [
        key,
        qs.length,
        r.strategy,
        r.L,
        r.effectiveL.toFixed(0),
        r.recall.toFixed(4),
        r.mean_us.toFixed(0),
        r.p99_us.toFixed(0),
        r.reads.toFixed(1),
        r.hops.toFixed(1),
        r.found.toFixed(1),
        Object.entries(r.chosen)
          .map(([s, c]) => `${s} ${pct(c / r.queries)}%`)
          .join(" "),
      ].join("\t"),
    );
  }
}
f.close();

// The targets, read at equal recall: each strategy's mean latency and reads where its L curve first
// reaches the target recall, linearly interpolated between the two L that bracket it.
const target = Number(values["target-recall"]);
const atRecall = (rows: FilteredRow[], strategy: string, metric: (r: FilteredRow) => number): number | null =>
  metricAtRecall(
    rows.filter((r) => r.strategy === strategy).sort((a, b) => a.L - b.L),
    target,
    metric,
  );
console.log(`\nat recall@10 = ${target}, interpolated on each strategy's L curve (÷ none = ÷ unfiltered search):`);
for (const [key, rows] of groupRows) {
  const base = atRecall(rows, "none", (r) => r.mean_us);
  const cells = strategies.map((s) => {
    const us = atRecall(rows, s, (r) => r.mean_us);
    const reads = atRecall(rows, s, (r) => r.reads);
    if (us === null || reads === null) return `${s} not reached`;
    const ratio = base === null || s === "none" ? "" : ` (${(us / base).toFixed(2)}×)`;
    return `${s} ${us.toFixed(0)} µs${ratio}, ${reads.toFixed(1)} reads`;
  });
  console.log(`  ${key}: ${cells.join("; ")}`);
}
