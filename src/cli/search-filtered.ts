// `ringann search` with filters or a radius (issue 12): filtered search through FilteredIndex, every
// strategy asked for side by side (interleaved per query), or range search with DiskANN's doubling rule.
// Runs in this process on one thread (the runner's Workers do not carry filters yet).
import { UsageError } from "../errors.ts";
import { readRangeTruth } from "../format/range-truth.ts";
import { readTruth } from "../format/truth.ts";
import { openVectorFile } from "../format/vector-file.ts";
import type { Vectors } from "../format/vector-type.ts";
import { Progress } from "../progress/progress.ts";
import { FILTER_STRATEGIES, FilteredIndex } from "../search/filtered-index.ts";
import { type SweepStrategy, runFilteredSweep } from "../search/filtered-sweep.ts";
import { runRangeQueries } from "../search/range-sweep.ts";
import type { SearchMode } from "../search/disk-index.ts";
import {
  type FlagSpec,
  type ParsedArgs,
  flagBool,
  flagNumber,
  flagNumberList,
  flagString,
  requireString,
} from "./args.ts";
import { parseMetric, parseVectorType } from "./cmd-gt.ts";
import { EXIT_OK } from "./command.ts";
import { FILTER_FLAGS, readQueryFilters } from "./query-filters.ts";

export const FILTERED_SEARCH_FLAGS: Record<string, FlagSpec> = {
  ...FILTER_FLAGS,
  strategy: {
    type: "string",
    help: "filtered: auto, pre, in, label, post (naive), none (unfiltered), comma-separated",
    default: "auto",
  },
  "pre-max": {
    type: "string",
    help: "filtered auto: pre-filter when at most this many points match (default: a cost estimate)",
  },
  radius: {
    type: "string",
    help: "range search: every point within this distance (doubles L from --L while ≥ half are inside)",
  },
  "range-gt": { type: "string", help: "range search: DiskANN range truth for recall (ringann gt --radius)" },
  "max-l": { type: "string", help: "largest L a filtered or range search may grow to", default: "1024" },
};

/** True when the arguments ask for a filtered or range search. */
export function wantsFilteredSearch(args: ParsedArgs): boolean {
  return ["filter", "query-filters", "radius"].some((f) => flagString(args, f) !== undefined);
}

/** A plain aligned table of objects with the same keys (numbers: up to 4 decimals). */
function renderRows(rows: readonly Record<string, string | number>[]): string {
  if (rows.length === 0) return "(no rows)";
  const head = Object.keys(rows[0]!);
  const cell = (v: string | number): string =>
    typeof v === "number" ? (Number.isInteger(v) ? String(v) : v.toFixed(Math.abs(v) < 10 ? 4 : 0)) : v;
  const lines = [head, ...rows.map((r) => head.map((h) => cell(r[h]!)))];
  const widths = head.map((_, c) => Math.max(...lines.map((l) => l[c]!.length)));
  return lines
    .map((l) => l.map((x, c) => (c < 2 ? x.padEnd(widths[c]!) : x.padStart(widths[c]!))).join("  "))
    .join("\n");
}

export async function runFilteredSearch(args: ParsedArgs): Promise<number> {
  const k = flagNumber(args, "k", { integer: true, min: 1 })!;
  const Ls = flagNumberList(args, "L", { integer: true, min: 1 })!;
  const widths = flagNumberList(args, "width", { integer: true, min: 1, max: 256 })!;
  const modes = requireString(args, "mode")
    .split(",")
    .map((m) => m.trim());
  for (const m of modes)
    if (m !== "beam" && m !== "pipe") throw new UsageError(`--mode takes beam, pipe or beam,pipe; got '${m}'`);
  const backend = requireString(args, "backend");
  if (backend !== "auto" && backend !== "uring" && backend !== "pread")
    throw new UsageError(`--backend takes auto, uring or pread, got '${backend}'`);
  for (const L of Ls) if (L < k) throw new UsageError(`every L must be ≥ k (${k}); got ${L}`);
  const metricRaw = flagString(args, "metric");
  const qFile = openVectorFile(requireString(args, "queries"), { type: parseVectorType(flagString(args, "type")) });
  if (qFile.type === "int32")
    throw new UsageError(`${qFile.file} holds int32 vectors; queries must be float32, uint8 or int8`);
  const count = Math.min(qFile.npts, flagNumber(args, "queries-limit", { integer: true, min: 1 }) ?? qFile.npts);
  const data = qFile.readRows(0, count) as Vectors;
  qFile.close();
  const gtFile = flagString(args, "gt");
  const truth = gtFile ? readTruth(gtFile) : null;
  if (truth && truth.k < k)
    throw new UsageError(`${gtFile} holds ${truth.k} neighbours per query, fewer than --k ${k}`);
  if (truth && truth.nq < count)
    throw new UsageError(`${gtFile} covers ${truth.nq} queries, fewer than the ${count} searched`);
  const filters = readQueryFilters(args, count);
  const radius = flagNumber(args, "radius", { min: 0 });
  const maxL = Math.max(flagNumber(args, "max-l", { integer: true, min: 1 })!, ...Ls);
  if (filters !== null || radius !== undefined) {
    if (filters !== null && radius !== undefined) throw new UsageError("--radius does not combine with filters yet");
    const f = await FilteredIndex.open(requireString(args, "index"), {
      metric: metricRaw ? parseMetric(metricRaw) : undefined,
      type: parseVectorType(flagString(args, "type")),
      backend,
      direct: !flagBool(args, "buffered"),
      spin: flagBool(args, "spin"),
      sqpoll: flagBool(args, "sqpoll"),
      cacheNodes: flagNumber(args, "cache-nodes", { integer: true, min: 0 }),
      cacheBytes: flagNumber(args, "cache-bytes", { min: 0 }),
      maxL,
      maxWidth: Math.max(32, ...widths),
    });
    try {
      if (qFile.dim !== f.index.dim)
        throw new UsageError(`queries have ${qFile.dim} dimensions, the index ${f.index.dim}`);
      if (radius !== undefined) {
        const rangeGt = flagString(args, "range-gt");
        const rows = runRangeQueries(
          f.index,
          { data, dim: qFile.dim, count },
          rangeGt ? readRangeTruth(rangeGt) : null,
          { radius, Ls, modes: modes as SearchMode[], widths, maxL },
        );
        if (flagBool(args, "json")) console.log(JSON.stringify({ rows }));
        else console.log(renderRows(rows.map((r) => ({ ...r }))));
        return EXIT_OK;
      }
      const strategies = requireString(args, "strategy")
        .split(",")
        .map((x) => x.trim());
      for (const st of strategies) {
        if (st !== "none" && !(FILTER_STRATEGIES as readonly string[]).includes(st))
          throw new UsageError(`--strategy takes ${FILTER_STRATEGIES.join(", ")} or none; got '${st}'`);
      }
      const matches = filters!.map((flt, q) =>
        f.match(
          flt,
          flagString(args, "filter") !== undefined ? "--filter" : `${flagString(args, "query-filters")}:${q + 1}`,
        ),
      );
      const progress = new Progress("search", Ls.length * count, {
        quiet: flagBool(args, "quiet") || flagBool(args, "json"),
      });
      const rows = runFilteredSweep(f, { data, dim: qFile.dim, count }, matches, truth, null, {
        k,
        Ls,
        modes: modes as SearchMode[],
        widths,
        strategies: strategies as SweepStrategy[],
        warmup: flagNumber(args, "warmup", { integer: true, min: 0 }),
        auto: { preMaxPoints: flagNumber(args, "pre-max", { integer: true, min: 0 }) },
        onProgress: (done) => progress.update(done),
      });
      progress.finish();
      const out = rows.map((r) => ({
        mode: r.mode,
        strategy: r.strategy,
        W: r.width,
        L: r.L,
        L_eff: r.effectiveL,
        [`recall@${k}`]: r.recall,
        mean_us: r.mean_us,
        p99_us: r.p99_us,
        reads: r.reads,
        hops: r.hops,
        found: r.found,
        chosen: Object.entries(r.chosen)
          .map(([s2, c]) => `${s2} ${((100 * c) / r.queries).toFixed(0)}%`)
          .join(" "),
      }));
      if (flagBool(args, "json")) {
        console.log(JSON.stringify({ rows: out }));
      } else {
        const mean = matches.reduce((acc, m) => acc + m.selectivity, 0) / count;
        console.log(
          `${f.index.prefix}: ${f.index.meta.npts} points, ${f.labels.names.length} labels; ${count} queries, ` +
            `mean selectivity ${(100 * mean).toFixed(2)}%`,
        );
        console.log(renderRows(out));
      }
    } finally {
      f.close();
    }
  }
  return EXIT_OK;
}
