// `ringann search`: run queries against a disk index with beam and/or pipelined search and print,
// per mode, width and L: recall@k, QPS, mean/p50/p99/p99.9 latency, mean reads, hops, cache hits
// and I/O occupancy (or the same as JSON rows with --json).
import { UsageError } from "../errors.ts";
import { readTruth } from "../format/truth.ts";
import { openVectorFile } from "../format/vector-file.ts";
import type { Vectors } from "../format/vector-type.ts";
import { DiskIndex, type SearchMode } from "../search/disk-index.ts";
import { toSearchRow, type RunSummary } from "../search/stats.ts";
import { runSweep } from "../search/sweep.ts";
import { flagBool, flagNumber, flagNumberList, flagString, parseArgs, renderHelp, requireString, type FlagSpec } from "./args.ts";
import { EXIT_OK, type Command } from "./command.ts";
import { parseMetric, parseVectorType } from "./cmd-gt.ts";
import { Progress } from "../progress/progress.ts";

const FLAGS: Record<string, FlagSpec> = {
  index: { type: "string", help: "index prefix (<prefix>_disk.index, _pq_pivots.bin, _pq_compressed.bin, [_mem.index])" },
  queries: { type: "string", help: "query vectors (.fbin/.u8bin/.i8bin, .fvecs/.bvecs)" },
  gt: { type: "string", help: "ground truth (DiskANN format) for recall; omit to skip recall" },
  k: { type: "string", help: "neighbours per query", default: "10" },
  L: { type: "string", help: "search list sizes, comma-separated", default: "10,20,50,100" },
  mode: { type: "string", help: "beam, pipe or beam,pipe", default: "beam,pipe" },
  width: { type: "string", help: "beam width / most reads in flight, comma-separated", default: "4" },
  "cache-nodes": { type: "string", help: "cache this many nodes (BFS from the medoid)", default: "0" },
  "cache-bytes": { type: "string", help: "or cache as many nodes as fit in this many bytes" },
  "queries-limit": { type: "string", help: "use only the first N queries" },
  warmup: { type: "string", help: "untimed warm-up queries per combination", default: "50" },
  order: { type: "string", help: "interleaved (modes alternate per query) or sequential", default: "interleaved" },
  entry: { type: "string", help: "medoid or graph (default: beam medoid, pipe graph when _mem.index exists)" },
  "mem-l": { type: "string", help: "entry-graph search list size", default: "10" },
  "fixed-width": { type: "boolean", help: "pipe: keep W reads in flight from the start (no adaptive width)" },
  "pq-first": { type: "boolean", help: "pipe: build the PQ table before the first reads" },
  "drop-wasted": { type: "boolean", help: "pipe: drop reads whose node left the top L, as PipeANN does (default: rank them)" },
  "read-limit": { type: "string", help: "stop a query after this many reads" },
  metric: { type: "string", help: "override the index metric (l2|ip|cosine; default: sidecar, else l2)" },
  type: { type: "string", help: "override the vector type (float32|uint8|int8; default: sidecar, else float32)" },
  backend: { type: "string", help: "auto, uring or pread", default: "auto" },
  buffered: { type: "boolean", help: "read through the page cache (default O_DIRECT)" },
  spin: { type: "boolean", help: "poll the completion queue instead of sleeping in the kernel (lower latency, burns the core)" },
  sqpoll: { type: "boolean", help: "a kernel thread submits reads (no submit system call per read; costs a core)" },
  json: { type: "boolean", help: "print {\"rows\": [...]} instead of a table" },
  quiet: { type: "boolean", help: "no progress bar" },
};

function parseModes(raw: string): SearchMode[] {
  const modes = raw.split(",").map((m) => m.trim());
  for (const m of modes) if (m !== "beam" && m !== "pipe") throw new UsageError(`--mode takes beam, pipe or beam,pipe; got '${m}'`);
  return modes as SearchMode[];
}

function fmt(x: number, digits: number): string {
  return Number.isFinite(x) ? x.toFixed(digits) : "-";
}

export function renderTable(rows: readonly RunSummary[], k: number): string {
  const head = ["mode", "W", "L", `recall@${k}`, "QPS", "mean_us", "p50_us", "p99_us", "p99.9_us", "reads", "hops", "cache%", "occup", "cpu_us", "iowait_us"];
  const lines = [head];
  for (const r of rows) {
    lines.push([
      r.mode, String(r.width), String(r.L), fmt(r.recall, 4), fmt(r.qps, 0), fmt(r.meanUs, 0), fmt(r.p50Us, 0), fmt(r.p99Us, 0),
      fmt(r.p999Us, 0), fmt(r.reads, 2), fmt(r.hops, 2), fmt(100 * r.cacheHitRate, 1), fmt(r.occupancy, 3), fmt(r.cpuUs, 0), fmt(r.ioWaitUs, 0),
    ]);
  }
  const widths = head.map((_, c) => Math.max(...lines.map((l) => l[c]!.length)));
  return lines.map((l) => l.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join("  ")).join("\n");
}

export const command: Command = {
  name: "search",
  summary: "search a disk index with beam and/or pipelined search; recall, QPS, latency",
  help: renderHelp(
    "ringann search --index P --queries Q [--gt G] [--k 10] [--L 10,20,50,100] [--mode beam,pipe] [--width 4] [--json]",
    "Runs every query at every L, mode and width on one thread (io_uring, O_DIRECT) and prints recall@k,\n" +
      "QPS, mean/p50/p99/p99.9 latency (µs), mean reads and hops per query, cache hit %, and I/O occupancy\n" +
      "(share of a query's time with at least one read in flight). Beam = DiskANN (W reads per round,\n" +
      "wait for all); pipe = PipeANN (up to W reads always in flight, adaptive width, entry graph).",
    FLAGS,
    [
      "ringann search --index idx/fmnist --queries data/fmnist/queries.u8bin --gt data/fmnist/gt100.bin --L 10,20,50,100",
      "ringann search --index idx/glove --queries q.fbin --gt gt.bin --mode pipe --width 4,8 --cache-nodes 10000 --json",
    ],
  ),
  async run(argv: string[]): Promise<number> {
    const args = parseArgs(argv, FLAGS);
    if (args.positionals.length > 0) throw new UsageError(`unexpected argument '${args.positionals[0]}'`);
    const k = flagNumber(args, "k", { integer: true, min: 1 })!;
    const Ls = flagNumberList(args, "L", { integer: true, min: 1 })!;
    const widths = flagNumberList(args, "width", { integer: true, min: 1, max: 256 })!;
    const modes = parseModes(requireString(args, "mode"));
    const order = requireString(args, "order");
    if (order !== "interleaved" && order !== "sequential") throw new UsageError(`--order takes interleaved or sequential, got '${order}'`);
    const backend = requireString(args, "backend");
    if (backend !== "auto" && backend !== "uring" && backend !== "pread") throw new UsageError(`--backend takes auto, uring or pread, got '${backend}'`);
    const entry = flagString(args, "entry");
    if (entry !== undefined && entry !== "medoid" && entry !== "graph") throw new UsageError(`--entry takes medoid or graph, got '${entry}'`);
    for (const L of Ls) if (L < k) throw new UsageError(`every L must be ≥ k (${k}); got ${L}`);
    const metricRaw = flagString(args, "metric");

    const qFile = openVectorFile(requireString(args, "queries"), { type: parseVectorType(flagString(args, "type")) });
    if (qFile.type === "int32") throw new UsageError(`${qFile.file} holds int32 vectors; queries must be float32, uint8 or int8`);
    const count = Math.min(qFile.npts, flagNumber(args, "queries-limit", { integer: true, min: 1 }) ?? qFile.npts);
    const data = qFile.readRows(0, count) as Vectors;
    qFile.close();
    const gtFile = flagString(args, "gt");
    const truth = gtFile ? readTruth(gtFile) : null;
    if (truth && truth.k < k) throw new UsageError(`${gtFile} holds ${truth.k} neighbours per query, fewer than --k ${k}`);
    if (truth && truth.nq < count) throw new UsageError(`${gtFile} covers ${truth.nq} queries, fewer than the ${count} searched`);

    const index = await DiskIndex.open(requireString(args, "index"), {
      metric: metricRaw ? parseMetric(metricRaw) : undefined,
      type: parseVectorType(flagString(args, "type")),
      backend, direct: !flagBool(args, "buffered"), spin: flagBool(args, "spin"), sqpoll: flagBool(args, "sqpoll"),
      cacheNodes: flagNumber(args, "cache-nodes", { integer: true, min: 0 }),
      cacheBytes: flagNumber(args, "cache-bytes", { min: 0 }),
      maxL: Math.max(...Ls), maxWidth: Math.max(...widths),
    });
    try {
      if (qFile.dim !== index.dim) throw new UsageError(`queries have ${qFile.dim} dimensions, the index ${index.dim}`);
      const progress = new Progress("search", Ls.length * count, { quiet: flagBool(args, "quiet") || flagBool(args, "json") });
      const rows = runSweep(index, { data, dim: qFile.dim, count }, truth, {
        k, Ls, modes, widths, order,
        warmup: flagNumber(args, "warmup", { integer: true, min: 0 }),
        search: {
          entry: entry as "medoid" | "graph" | undefined,
          memL: flagNumber(args, "mem-l", { integer: true, min: 0 }),
          adaptiveWidth: !flagBool(args, "fixed-width"),
          pqWhileReading: !flagBool(args, "pq-first"),
          rankWasted: !flagBool(args, "drop-wasted"),
          readLimit: flagNumber(args, "read-limit", { integer: true, min: 1 }),
        },
        onProgress: (done) => progress.update(done),
      });
      progress.finish();
      if (flagBool(args, "json")) {
        console.log(JSON.stringify({ rows: rows.map(toSearchRow) }));
      } else {
        console.log(`${index.prefix}: ${index.meta.npts} × ${index.dim} ${index.meta.type}, ${index.metric}, R ${index.meta.R}, ` +
          `PQ ${index.files.pivots.M} B, reader ${index.reader.backend}, cache ${index.cache?.count ?? 0} nodes, ` +
          `entry graph ${index.entryGraph ? index.entryGraph.npts + " points" : "none"}; ${count} queries, order ${order}`);
        console.log(renderTable(rows, k));
      }
    } finally {
      index.close();
    }
    return EXIT_OK;
  },
};
