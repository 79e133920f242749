// Beam vs pipelined search side by side in one run (issue 5's benchmark): same index, O_DIRECT,
// one thread, queries interleaved (beam q0, pipe q0, beam q1, …) so a noisy shared machine hits
// both modes alike. Prints the table of `ringann search`, then per (W, L) the ratio of pipe's mean
// latency to beam's, the recall difference and pipe's I/O occupancy against the targets:
//   pipe mean ≤ 0.7 × beam mean, pipe recall@10 ≥ beam recall@10 − 0.002, pipe occupancy ≥ 0.9.
// Run:
//   node_modules/.bin/bun bench/search.ts --index $DATA/idx/fmnist --queries $DATA/fmnist/queries.u8bin \
//     --gt $DATA/fmnist/gt100.bin [--widths 4,8] [--L 10,20,50,100] [--queries-limit 1000] [--cache-nodes 0]
import { parseArgs } from "node:util";
import { renderTable } from "../src/cli/cmd-search.ts";
import { readTruth } from "../src/format/truth.ts";
import { openVectorFile } from "../src/format/vector-file.ts";
import type { Vectors } from "../src/format/vector-type.ts";
import { DiskIndex } from "../src/search/disk-index.ts";
import type { RunSummary } from "../src/search/stats.ts";
import { runSweep } from "../src/search/sweep.ts";

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
  console.error("usage: bun bench/search.ts --index PREFIX --queries Q --gt GT [--widths 4,8] [--L 10,20,50,100] [--queries-limit N]");
  process.exit(2);
}
const list = (s: string): number[] => s.split(",").map(Number);
const widths = list(values.widths!);
const Ls = list(values.L!);

const qFile = openVectorFile(values.queries);
const count = Math.min(qFile.npts, Number(values["queries-limit"]));
const data = qFile.readRows(0, count) as Vectors;
qFile.close();
const truth = readTruth(values.gt);

const index = await DiskIndex.open(values.index, {
  cacheNodes: Number(values["cache-nodes"]), maxL: Math.max(...Ls), maxWidth: Math.max(...widths), spin: values.spin, sqpoll: values.sqpoll,
});
const started = performance.now();
const rows = runSweep(index, { data, dim: qFile.dim, count }, truth, {
  k: 10, Ls, modes: ["beam", "pipe"], widths, warmup: Number(values.warmup),
  order: values.order === "sequential" ? "sequential" : "interleaved",
});
const seconds = (performance.now() - started) / 1000;
console.log(`# ${values.index}: ${index.meta.npts} × ${index.dim} ${index.meta.type} ${index.metric}, R ${index.meta.R}, ` +
  `PQ ${index.files.pivots.M} B, ${index.reader.backend}${values.spin ? " (spin)" : ""}${values.sqpoll ? " (sqpoll)" : ""}, cache ${index.cache?.count ?? 0}, ` +
  `entry graph ${index.entryGraph?.npts ?? 0} pts; ${count} queries, ${seconds.toFixed(0)} s`);
console.log(renderTable(rows, 10));
console.log("");
console.log("W    L  pipe/beam mean  Δrecall(pipe−beam)  pipe occupancy  beam occupancy  targets (≤0.70, ≥−0.002, ≥0.9)");
const find = (mode: string, w: number, L: number): RunSummary => rows.find((r) => r.mode === mode && r.width === w && r.L === L)!;
let allMet = true;
for (const w of widths) {
  for (const L of Ls) {
    const b = find("beam", w, L);
    const p = find("pipe", w, L);
    const ratio = p.meanUs / b.meanUs;
    const dRecall = p.recall - b.recall;
    const met = ratio <= 0.7 && dRecall >= -0.002 && p.occupancy >= 0.9;
    allMet &&= met;
    console.log(`${String(w).padStart(2)} ${String(L).padStart(4)}  ${ratio.toFixed(3).padStart(14)}  ${dRecall.toFixed(4).padStart(18)}  ` +
      `${p.occupancy.toFixed(3).padStart(14)}  ${b.occupancy.toFixed(3).padStart(14)}  ${met ? "met" : "NOT met"}`);
  }
}
console.log(allMet ? "all targets met" : "some targets not met");
index.close();
