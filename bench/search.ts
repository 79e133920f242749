// Beam vs pipelined search side by side in one run (issue 5's benchmark): same index, O_DIRECT,
// one thread, queries interleaved (beam q0, pipe q0, beam q1, …) so a noisy shared machine hits
// both modes alike. Prints the table of `ringann search`, then per (W, L) the ratio of pipe's mean
// latency to beam's, the recall difference and pipe's I/O occupancy against the targets:
//   pipe mean ≤ 0.7 × beam mean, pipe recall@10 ≥ beam recall@10 − 0.002, pipe occupancy ≥ 0.9.
// It runs on the same runner as `ringann search` and `ringann run` (a one-step plan, one Worker).
// Run:
//   node_modules/.bin/bun bench/search.ts --index $DATA/idx/fmnist --queries $DATA/fmnist/queries.u8bin \
//     --gt $DATA/fmnist/gt100.bin [--widths 4,8] [--L 10,20,50,100] [--queries-limit 1000] [--cache-nodes 0]
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { SEARCH_STEP_DEFAULTS, type RunPlan, type SearchStep } from "../src/run/config/plan.ts";
import { runStep } from "../src/run/exec/jobs.ts";
import type { ResultRow } from "../src/run/report/result-row.ts";
import { RunLog } from "../src/run/report/run-log.ts";
import { formatTable } from "../src/run/report/table.ts";

const { values } = parseArgs({
  options: {
    index: { type: "string" },
    queries: { type: "string" },
    gt: { type: "string" },
    widths: { type: "string", default: "4,8" },
    L: { type: "string", default: "10,20,50,100" },
    "queries-limit": { type: "string", default: "1000" },
    "cache-nodes": { type: "string", default: "0" },
    warmup: { type: "string", default: "50" },
    spin: { type: "boolean", default: false },
    sqpoll: { type: "boolean", default: false },
    order: { type: "string", default: "interleaved" },
  },
});
if (!values.index || !values.queries || !values.gt) {
  console.error(
    "usage: bun bench/search.ts --index PREFIX --queries Q --gt GT [--widths 4,8] [--L 10,20,50,100] [--queries-limit N]",
  );
  process.exit(2);
}
const list = (s: string): number[] => s.split(",").map(Number);
const widths = list(values.widths!);
const Ls = list(values.L!);

const step: SearchStep = {
  kind: "search",
  at: "bench/search.ts",
  label: "bench",
  reuse: false,
  index: resolve(values.index),
  dataset: null,
  queries: resolve(values.queries),
  gt: resolve(values.gt),
  metric: null,
  k: 10,
  Ls,
  modes: ["beam", "pipe"],
  widths,
  threads: [1],
  concurrency: [1],
  cacheNodes: Number(values["cache-nodes"]),
  ioLimit: null,
  adaptiveWidth: null,
  entryGraph: true,
  maxQueries: Number(values["queries-limit"]),
  warmupQueries: Number(values.warmup),
  expectType: null,
  ...SEARCH_STEP_DEFAULTS,
  wait: values.spin ? "spin" : "block",
  order: values.order === "sequential" ? "sequential" : "interleaved",
  sqpoll: values.sqpoll ?? false,
};
const plan: RunPlan = {
  source: "bench/search.ts",
  name: "bench",
  baseDir: process.cwd(),
  outputDir: process.cwd(),
  io: "auto",
  steps: [step],
  notes: [],
};
const started = performance.now();
const rows = (await runStep(step, plan, new RunLog(false))).rows ?? [];
const seconds = (performance.now() - started) / 1000;
console.log(
  `# ${values.index}: ${rows[0]?.queries ?? 0} queries, order ${step.order}${values.spin ? ", spin" : ""}` +
    `${values.sqpoll ? ", sqpoll" : ""}, cache ${step.cacheNodes} nodes, ${seconds.toFixed(0)} s`,
);
console.log(formatTable(rows));
console.log("");
console.log(
  "W    L  pipe/beam mean  Δrecall(pipe−beam)  pipe occupancy  beam occupancy  targets (≤0.70, ≥−0.002, ≥0.9)",
);
const find = (mode: string, w: number, L: number): ResultRow =>
  rows.find((r) => r.mode === mode && r.width === w && r.L === L)!;
let allMet = true;
for (const w of widths) {
  for (const L of Ls) {
    const b = find("beam", w, L);
    const p = find("pipe", w, L);
    const ratio = p.mean_us / b.mean_us;
    const dRecall = p.recall - b.recall;
    const met = ratio <= 0.7 && dRecall >= -0.002 && p.occupancy >= 0.9;
    allMet &&= met;
    console.log(
      `${String(w).padStart(2)} ${String(L).padStart(4)}  ${ratio.toFixed(3).padStart(14)}  ${dRecall.toFixed(4).padStart(18)}  ` +
        `${p.occupancy.toFixed(3).padStart(14)}  ${b.occupancy.toFixed(3).padStart(14)}  ${met ? "met" : "NOT met"}`,
    );
  }
}
console.log(allMet ? "all targets met" : "some targets not met");
