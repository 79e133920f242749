// `ringann search`: run queries against a disk index with beam and/or pipelined search and print,
// per mode, width and L: recall@k, QPS, mean/p50/p99/p99.9 latency, mean reads, hops, cache hits
// and I/O occupancy (or the same as JSON rows with --json). It is a one-job plan of `ringann run`'s
// runner (run/exec): the same Workers, the same rows, the same table, results files with --out.
import { PAGE_EXPAND_POLICIES, type PageExpand } from "../search/page-machine.ts";
import { resolve } from "node:path";
import { UsageError } from "../errors.ts";
import { WAIT_STRATEGIES, type SearchMode, type WaitStrategy } from "../run/config/config-schema.ts";
import { SEARCH_STEP_DEFAULTS, type RunPlan, type SearchStep } from "../run/config/plan.ts";
import { runPlan, runStep } from "../run/exec/jobs.ts";
import type { ResultRow } from "../run/report/result-row.ts";
import { RunLog } from "../run/report/run-log.ts";
import { formatTable } from "../run/report/table.ts";
import {
  flagBool,
  flagNumber,
  flagNumberList,
  flagString,
  parseArgs,
  renderHelp,
  requireString,
  type FlagSpec,
} from "./args.ts";
import { EXIT_OK, type Command } from "./command.ts";
import { parseMetric, parseVectorType } from "./cmd-gt.ts";
import { FILTERED_SEARCH_FLAGS, filteredStepFields } from "./search-filtered.ts";

const FLAGS: Record<string, FlagSpec> = {
  index: {
    type: "string",
    help: "index prefix (<prefix>_disk.index, _pq_pivots.bin, _pq_compressed.bin, [_mem.index])",
  },
  queries: { type: "string", help: "query vectors (.fbin/.u8bin/.i8bin, .fvecs/.bvecs)" },
  gt: { type: "string", help: "ground truth (DiskANN format) for recall; omit to skip recall" },
  k: { type: "string", help: "neighbours per query", default: "10" },
  L: { type: "string", help: "search list sizes, comma-separated", default: "10,20,50,100" },
  mode: { type: "string", help: "beam, pipe or beam,pipe", default: "beam,pipe" },
  width: { type: "string", help: "beam width / most reads in flight, comma-separated", default: "4" },
  threads: {
    type: "string",
    help: "search threads (Workers sharing one copy of the index), comma-separated",
    default: "1",
  },
  concurrency: {
    type: "string",
    help: "queries interleaved on one thread's ring, comma-separated (order sequential)",
    default: "1",
  },
  "cache-nodes": { type: "string", help: "cache this many nodes (BFS from the medoid)", default: "0" },
  "cache-bytes": { type: "string", help: "or cache as many nodes as fit in this many bytes" },
  "queries-limit": { type: "string", help: "use only the first N queries" },
  warmup: { type: "string", help: "untimed warm-up queries per combination", default: "50" },
  order: { type: "string", help: "interleaved (modes alternate per query) or sequential", default: "interleaved" },
  entry: { type: "string", help: "medoid or graph (default: graph when _mem.index exists, else medoid)" },
  "mem-l": { type: "string", help: "entry-graph search list size", default: "10" },
  "fixed-width": { type: "boolean", help: "pipe: keep W reads in flight from the start (no adaptive width)" },
  "pq-first": { type: "boolean", help: "pipe: build the PQ table before the first reads" },
  "no-page-search": {
    type: "boolean",
    help: "on a page-layout index (ringann relayout), search node by node instead of using every node of a fetched sector",
  },
  "page-expand": {
    type: "string",
    help: "page search: co-located nodes expanded without a read: queued (in the candidate list), all, or none",
  },
  "drop-wasted": {
    type: "boolean",
    help: "pipe: drop reads whose node left the top L, as PipeANN does (default: rank them)",
  },
  "read-limit": { type: "string", help: "stop a query after this many reads" },
  metric: { type: "string", help: "override the index metric (l2|ip|cosine; default: sidecar, else l2)" },
  type: { type: "string", help: "override the vector type (float32|uint8|int8; default: sidecar, else float32)" },
  backend: { type: "string", help: "auto, uring or pread", default: "auto" },
  buffered: { type: "boolean", help: "read through the page cache (default O_DIRECT)" },
  spin: {
    type: "boolean",
    help: "poll the completion queue instead of sleeping in the kernel (lower latency, burns the core)",
  },
  wait: {
    type: "string",
    help: "block, spin, or yield (spin, giving the CPU to any waiting thread); spin = yield when threads fill the cores",
  },
  sqpoll: { type: "boolean", help: "a kernel thread submits reads (no submit system call per read; costs a core)" },
  out: { type: "string", help: "also write results.json, results.csv and SVG charts into this folder" },
  json: { type: "boolean", help: 'print {"rows": [...]} instead of a table' },
  quiet: { type: "boolean", help: "no progress bar" },
  ...FILTERED_SEARCH_FLAGS,
};

function unique<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}

function parseWait(raw: string | undefined, spin: boolean): WaitStrategy {
  if (raw === undefined) return spin ? "spin" : "block";
  if (!(WAIT_STRATEGIES as readonly string[]).includes(raw))
    throw new UsageError(`--wait takes ${WAIT_STRATEGIES.join(", ")}; got '${raw}'`);
  if (spin && raw !== "spin")
    throw new UsageError(`--spin asks for --wait spin, but --wait is '${raw}'; give one of them`);
  return raw as WaitStrategy;
}

function parseModes(raw: string): SearchMode[] {
  const modes = raw.split(",").map((m) => m.trim());
  for (const m of modes)
    if (m !== "beam" && m !== "pipe") throw new UsageError(`--mode takes beam, pipe or beam,pipe; got '${m}'`);
  return modes as SearchMode[];
}

export const command: Command = {
  name: "search",
  summary: "search a disk index with beam and/or pipelined search; recall, QPS, latency",
  help: renderHelp(
    "ringann search --index P --queries Q [--gt G] [--k 10] [--L 10,20,50,100] [--mode beam,pipe] [--width 4] [--json]",
    "Runs every query at every L, mode and width (io_uring, O_DIRECT; one Worker thread unless --threads)\n" +
      "and prints recall@k, QPS, mean/p50/p99/p99.9 latency (µs), mean reads and hops per query, cache\n" +
      "hit %, and I/O occupancy (share of a query's time with at least one read in flight). Beam = DiskANN\n" +
      "(W reads per round, wait for all); pipe = PipeANN (up to W reads always in flight, adaptive width,\n" +
      "entry graph). The same runner as `ringann run`: --json prints its rows (every per-query stat's\n" +
      "mean, in µs where timed), --out writes results.json, results.csv and charts.\n" +
      "Filtered (--filter / --query-filters, labels beside the index) and range (--radius) searches run on the\n" +
      "same Workers (--threads), every --strategy side by side, interleaved per query; rows add the strategy,\n" +
      "what auto chose, the filter's selectivity, the traversal L and the results found (range: the points\n" +
      "inside the radius, recall against --range-gt).",
    FLAGS,
    [
      "ringann search --index idx/fmnist --queries data/fmnist/queries.u8bin --gt data/fmnist/gt100.bin --L 10,20,50,100",
      "ringann search --index idx/glove --queries q.fbin --gt gt.bin --mode pipe --width 4,8 --cache-nodes 10000 --json",
      "ringann search --index idx/fmnist --queries data/fmnist/queries.u8bin --query-filters data/fmnist/query_filters.txt \\\n" +
        "    --gt data/fmnist/gt_filtered.bin --strategy auto,post --L 20,50",
      'ringann search --index idx/fmnist --queries data/fmnist/queries.u8bin --filter \'{"or":[{"label":"bag"},{"label":"boot"}]}\'',
      "ringann search --index idx/fmnist --queries data/fmnist/queries.u8bin --radius 2e6 --range-gt data/fmnist/range.bin --L 10",
    ],
  ),
  async run(argv: string[]): Promise<number> {
    const args = parseArgs(argv, FLAGS);
    if (args.positionals.length > 0) throw new UsageError(`unexpected argument '${args.positionals[0]}'`);
    const filtered = filteredStepFields(args); // issue 12: filters or a radius
    const special = filtered.filters !== null || filtered.radius !== null;
    const k = flagNumber(args, "k", { integer: true, min: 1 })!;
    const Ls = flagNumberList(args, "L", { integer: true, min: 1 })!;
    const widths = flagNumberList(args, "width", { integer: true, min: 1, max: 256 })!;
    const modes = parseModes(requireString(args, "mode"));
    // Filtered and range searches interleave their strategies per query (the runner's interleaved order).
    const order = special ? "interleaved" : requireString(args, "order");
    if (order !== "interleaved" && order !== "sequential")
      throw new UsageError(`--order takes interleaved or sequential, got '${order}'`);
    const backend = requireString(args, "backend");
    if (backend !== "auto" && backend !== "uring" && backend !== "pread")
      throw new UsageError(`--backend takes auto, uring or pread, got '${backend}'`);
    const entry = flagString(args, "entry");
    if (entry !== undefined && entry !== "medoid" && entry !== "graph")
      throw new UsageError(`--entry takes medoid or graph, got '${entry}'`);
    for (const L of Ls) if (L < k) throw new UsageError(`every L must be ≥ k (${k}); got ${L}`);
    const threads = flagNumberList(args, "threads", { integer: true, min: 1, max: 256 })!;
    const concurrency = flagNumberList(args, "concurrency", { integer: true, min: 1, max: 1024 })!;
    if (special && concurrency.some((c) => c > 1))
      throw new UsageError("filtered and range searches run one query at a time per thread; give --concurrency 1");
    if (order === "interleaved" && concurrency.some((c) => c > 1)) {
      throw new UsageError(
        "--concurrency above 1 needs --order sequential (interleaved runs one query at a time per thread)",
      );
    }
    const metricRaw = flagString(args, "metric");
    const type = parseVectorType(flagString(args, "type"));
    const index = resolve(requireString(args, "index"));
    const gt = filtered.radius !== null ? (filtered.rangeGt ?? undefined) : flagString(args, "gt");
    if (filtered.radius !== null && flagString(args, "gt") !== undefined)
      throw new UsageError("range search takes its truth from --range-gt (DiskANN's range format), not --gt");
    const step: SearchStep = {
      kind: "search",
      at: "ringann search",
      label: "search",
      reuse: false,
      index,
      dataset: null,
      queries: resolve(requireString(args, "queries")),
      gt: gt !== undefined ? resolve(gt) : null,
      metric: metricRaw ? parseMetric(metricRaw) : null,
      k,
      Ls: unique(Ls),
      modes: unique(modes),
      widths: unique(widths),
      threads: unique(threads),
      concurrency: unique(concurrency),
      cacheNodes: flagNumber(args, "cache-nodes", { integer: true, min: 0 }) ?? 0,
      ioLimit: flagNumber(args, "read-limit", { integer: true, min: 1 }) ?? null,
      adaptiveWidth: flagBool(args, "fixed-width") ? false : null,
      entryGraph: entry !== "medoid",
      maxQueries: flagNumber(args, "queries-limit", { integer: true, min: 1 }) ?? null,
      warmupQueries: flagNumber(args, "warmup", { integer: true, min: 0 }) ?? 0,
      expectType: type ?? null,
      ...SEARCH_STEP_DEFAULTS,
      wait: parseWait(flagString(args, "wait"), flagBool(args, "spin")),
      order,
      cacheBytes: flagNumber(args, "cache-bytes", { min: 0 }) ?? null,
      entry: (entry as "medoid" | "graph" | undefined) ?? null,
      memL: flagNumber(args, "mem-l", { integer: true, min: 0 }) ?? null,
      pqWhileReading: flagBool(args, "pq-first") ? false : null,
      rankWasted: flagBool(args, "drop-wasted") ? false : null,
      pageSearch: flagBool(args, "no-page-search") ? false : null,
      pageExpand: parsePageExpand(flagString(args, "page-expand")),
      direct: !flagBool(args, "buffered"),
      sqpoll: flagBool(args, "sqpoll"),
      filters: filtered.filters,
      strategies: filtered.strategies,
      radius: filtered.radius,
      growMaxL: filtered.growMaxL,
      unfilteredGt: filtered.unfilteredGt,
      preMax: filtered.preMax,
    };
    const out = flagString(args, "out");
    const plan: RunPlan = {
      source: "(ringann search)",
      name: "search",
      baseDir: process.cwd(),
      outputDir: resolve(out ?? "."),
      io: backend,
      steps: [step],
      notes: [],
    };
    const json = flagBool(args, "json");
    const log = new RunLog(flagBool(args, "quiet") || json);
    let rows: ResultRow[];
    if (out !== undefined) {
      const outcome = await runPlan(plan, { log });
      rows = outcome.rows;
      log.info(
        `results: ${outcome.files.json}, ${outcome.files.csv}${outcome.charts.length > 0 ? `; charts: ${outcome.charts.join(", ")}` : ""}`,
      );
    } else {
      rows = (await runStep(step, plan, log)).rows ?? [];
    }
    if (json) console.log(JSON.stringify({ rows }));
    else console.log(formatTable(rows));
    return EXIT_OK;
  },
};

function parsePageExpand(v: string | undefined): PageExpand | null {
  if (v === undefined) return null;
  if (!(PAGE_EXPAND_POLICIES as readonly string[]).includes(v))
    throw new UsageError(`--page-expand: expected one of ${PAGE_EXPAND_POLICIES.join(", ")}, got '${v}'`);
  return v as PageExpand;
}
