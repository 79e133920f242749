// End-to-end sweep benchmark of `ringann run` (issue 6): on one index, one search mode at fixed W
// and L, QPS with 1 and 2 threads, and on one thread with concurrency 1, 2, 4, 8 — run as a real
// config through the same code as `ringann run` (Workers, shared index parts, io_uring, O_DIRECT).
// The machine is shared and noisy, so every round runs all configurations back to back and each
// speed-up is taken against the baseline of its own round; the table reports medians over rounds.
// Prints a markdown block ready for docs/benchmarks.md.
//
//   node_modules/.bin/bun bench/run-sweep.ts --index $DATA/idx/fmnist_R64_L100 --dataset $DATA/fmnist \
//       [--L 50] [--width 4] [--mode pipe] [--rounds 5] [--queries 2000] [--warmup 300] [--spin] [--cache-nodes N]
import { resolve } from "node:path";
import { release } from "node:os";
import { flagBool, flagNumber, flagString, parseArgs, requireString } from "../src/cli/args.ts";
import { planFromJson } from "../src/run/config/config.ts";
import { runPlan } from "../src/run/exec/jobs.ts";
import type { ResultRow } from "../src/run/report/result-row.ts";
import { RunLog } from "../src/run/report/run-log.ts";

const args = parseArgs(process.argv.slice(2), {
  index: { type: "string", help: "index prefix" },
  dataset: { type: "string", help: "dataset folder with manifest.json" },
  L: { type: "string", help: "search list size", default: "50" },
  width: { type: "string", help: "W", default: "4" },
  mode: { type: "string", help: "beam | pipe", default: "pipe" },
  rounds: { type: "string", help: "rounds (medians reported)", default: "5" },
  queries: { type: "string", help: "queries per run (default: all)" },
  warmup: { type: "string", help: "warm-up queries before each run", default: "300" },
  spin: { type: "boolean", help: "busy-poll completions" },
  "cache-nodes": {
    type: "string",
    help: "nodes cached in memory (the whole index: no I/O, CPU scaling only)",
    default: "0",
  },
  out: { type: "string", help: "results folder", default: "results/bench-run-sweep" },
});
const rounds = flagNumber(args, "rounds", { integer: true, min: 1 })!;
const maxQueries = flagNumber(args, "queries", { integer: true, min: 1 });
const common = {
  index: resolve(requireString(args, "index")),
  dataset: resolve(requireString(args, "dataset")),
  k: 10,
  L: flagNumber(args, "L", { integer: true, min: 1 })!,
  mode: flagString(args, "mode")!,
  width: flagNumber(args, "width", { integer: true, min: 1 })!,
  warmup_queries: flagNumber(args, "warmup", { integer: true, min: 0 }),
  spin: flagBool(args, "spin"),
  cache_nodes: flagNumber(args, "cache-nodes", { integer: true, min: 0 })!,
  ...(maxQueries !== undefined ? { max_queries: maxQueries } : {}),
};
const CONFIGS = [
  [1, 1],
  [2, 1],
  [1, 2],
  [1, 4],
  [1, 8],
] as const; // [threads, concurrency]
const config = {
  name: "bench-run-sweep",
  jobs: [
    { type: "sweep", name: "threads", ...common, threads: [1, 2] },
    { type: "sweep", name: "concurrency", ...common, concurrency: [2, 4, 8] },
  ],
};

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const perRound: Map<string, ResultRow>[] = [];
const key = (threads: number, concurrency: number) => `${threads}/${concurrency}`;
for (let r = 0; r < rounds; r++) {
  const plan = planFromJson(config, {
    source: "bench/run-sweep.ts",
    baseDir: process.cwd(),
    defaultName: "bench-run-sweep",
    outputDir: resolve(flagString(args, "out")!),
  });
  const outcome = await runPlan(plan, { log: new RunLog(true), charts: r === rounds - 1 });
  perRound.push(new Map(outcome.rows.map((row) => [key(row.threads, row.concurrency), row])));
  process.stderr.write(
    `round ${r + 1}/${rounds}: ${outcome.rows.map((row) => `T=${row.threads} C=${row.concurrency} ${row.qps.toFixed(0)}`).join(", ")} QPS\n`,
  );
}

const at = (m: Map<string, ResultRow>, t: number, c: number) => m.get(key(t, c))!;
const lines = [
  `${common.index}, ${common.mode} W=${common.width} L=${common.L} k=10, ${at(perRound[0]!, 1, 1).queries} queries per run, ` +
    `${rounds} rounds${common.spin ? ", spin" : ""}${common.cache_nodes > 0 ? `, ${common.cache_nodes} nodes cached` : ""}; ` +
    `${navigator.hardwareConcurrency} cores, kernel ${release()}`,
  "",
  "| threads | concurrency | QPS (median) | speed-up vs 1×1, same round (median) | recall@10 | mean µs | p99 µs | reads/query | occupancy | CPU µs/query | CPU busy | waiting for a CPU |",
  "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
];
const speedups = new Map<string, number>();
for (const [t, c] of CONFIGS) {
  const rows = perRound.map((m) => at(m, t, c));
  const speedup = median(perRound.map((m) => at(m, t, c).qps / at(m, 1, 1).qps));
  speedups.set(key(t, c), speedup);
  const med = (f: (r: ResultRow) => number) => median(rows.map(f));
  lines.push(
    `| ${t} | ${c} | ${med((r) => r.qps).toFixed(0)} | ${speedup.toFixed(2)}× | ${med((r) => r.recall).toFixed(4)} | ` +
      `${med((r) => r.mean_us).toFixed(0)} | ${med((r) => r.p99_us).toFixed(0)} | ${med((r) => r.reads).toFixed(1)} | ${med((r) => r.occupancy).toFixed(2)} | ` +
      `${med((r) => r.cpu_us).toFixed(0)} | ${(100 * med((r) => r.cpu_util)).toFixed(0)}% | ${(100 * med((r) => r.runq_util)).toFixed(0)}% |`,
  );
}
const recall1 = median(perRound.map((m) => at(m, 1, 1).recall));
const recall4 = median(perRound.map((m) => at(m, 1, 4).recall));
lines.push(
  "",
  `threads 2 vs 1: ${speedups.get(key(2, 1))!.toFixed(2)}× QPS (target ≥ 1.7×); concurrency 4 vs 1: ` +
    `${speedups.get(key(1, 4))!.toFixed(2)}× QPS (target ≥ 1.5×), recall@10 ${recall1.toFixed(4)} → ${recall4.toFixed(4)}`,
);
console.log(lines.join("\n"));
