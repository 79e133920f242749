// Search and sweep steps: every combination of threads × mode × width × concurrency × L, each run
// over the same queries on a pool of Workers sharing one copy of the index parts. A row per run:
// recall against the ground truth, QPS over the wall time, latency percentiles, reads, hops...
import { readManifest } from "../../data/manifest.ts";
import { recallAtK, recallAtKByDistance } from "../../data/recall.ts";
import { ConfigError, FormatError } from "../../errors.ts";
import { readBin } from "../../format/bin.ts";
import { readSidecar, sidecarPath } from "../../format/index-sidecar.ts";
import { readTruth, type Truth } from "../../format/truth.ts";
import type { Metric, VectorType } from "../../format/vector-type.ts";
import type { SearchOptions } from "../../search/disk-index.ts";
import { QueryStats, RunCollector } from "../../search/stats.ts";
import type { SearchMode } from "../config/config-schema.ts";
import type { RunPlan, SearchStep } from "../config/plan.ts";
import { allocSharedResults, statsFromRow, type SharedResults } from "./pool-protocol.ts";
import { SearchPool, type PoolRun, type PoolTimes } from "./pool.ts";
import type { ResultRow } from "../report/result-row.ts";
import type { RunLog } from "../report/run-log.ts";
import { loadSharedIndex } from "./shared-index.ts";

interface SearchInputs {
  readonly queries: string;
  readonly gt: string;
  readonly metric: Metric | undefined;
  readonly type: VectorType | undefined;
}

interface RunSpec {
  readonly threads: number;
  readonly mode: SearchMode;
  readonly width: number;
  readonly concurrency: number;
  readonly L: number;
}

/**
 * Queries, ground truth, metric and type: from the step, else the dataset manifest; the index's
 * sidecar (written by ringann's builder) knows metric and type, DiskANN/PipeANN indexes have none.
 */
function searchInputs(step: SearchStep): SearchInputs {
  const manifest = step.dataset !== null ? readManifest(step.dataset) : null;
  const sidecar = readSidecar(step.index);
  if (sidecar !== null && step.expectType !== null && sidecar.type !== step.expectType) {
    throw new ConfigError(sidecarPath(step.index), [`${step.at}.content.source.data_type: expected the index's type "${sidecar.type}", found "${step.expectType}"`]);
  }
  return {
    queries: step.queries ?? manifest!.queries,
    gt: step.gt ?? manifest!.groundtruth,
    metric: step.metric ?? manifest?.manifest.metric ?? (sidecar !== null ? undefined : "l2"),
    type: step.expectType ?? (sidecar !== null ? undefined : manifest?.manifest.type),
  };
}

/** Runs in the order they are measured: a pool per thread count, then mode, width, concurrency, L. */
function runSpecs(step: SearchStep): RunSpec[] {
  const specs: RunSpec[] = [];
  for (const threads of step.threads) for (const mode of step.modes) for (const width of step.widths) {
    for (const concurrency of step.concurrency) for (const L of step.Ls) specs.push({ threads, mode, width, concurrency, L });
  }
  return specs;
}

function searchOptions(step: SearchStep, spec: RunSpec): SearchOptions {
  return {
    k: step.k, L: spec.L, mode: spec.mode, width: spec.width,
    ...(step.ioLimit !== null ? { readLimit: step.ioLimit } : {}),
    ...(step.adaptiveWidth !== null && spec.mode === "pipe" ? { adaptiveWidth: step.adaptiveWidth } : {}),
    ...(step.entryGraph ? {} : { entry: "medoid" as const }),
  };
}

export async function runSearchStep(step: SearchStep, plan: RunPlan, log: RunLog): Promise<ResultRow[]> {
  const inputs = searchInputs(step);
  const queries = readBin(inputs.queries, undefined, { shared: true });
  const truth = readTruth(inputs.gt);
  if (truth.k < step.k) throw new FormatError(inputs.gt, "K", `≥ k (${step.k}) neighbours per query`, String(truth.k));
  const nq = Math.min(queries.npts, truth.nq, step.maxQueries ?? Infinity);
  const specs = runSpecs(step);
  const maxL = Math.max(...step.Ls);
  const maxWidth = Math.max(...step.widths);
  const { parts, resolved } = await loadSharedIndex(step.index, {
    ...(inputs.metric ? { metric: inputs.metric } : {}),
    ...(inputs.type ? { type: inputs.type } : {}),
    backend: plan.io, cacheNodes: step.cacheNodes, entryGraph: step.entryGraph, maxL, maxWidth,
  }, (index) => specs.map((spec) => index.resolve(searchOptions(step, spec))));
  if (queries.dim !== parts.meta.dim) throw new FormatError(inputs.queries, "dim", `${parts.meta.dim} (the index's ndims)`, String(queries.dim));
  log.info(`  ${parts.meta.npts.toLocaleString("en-US")} × ${parts.meta.dim} ${parts.meta.type} ${parts.metric}, R=${parts.meta.R}; ` +
    `${nq} queries; ${(parts.sharedBytes / 2 ** 20).toFixed(1)} MiB shared by the Workers${parts.cache ? `, ${parts.cache.ids.length} cached nodes` : ""}` +
    `${parts.entryGraph ? ", entry graph" : ""}`);

  const results = allocSharedResults(nq, step.k);
  const rows: ResultRow[] = [];
  const maxConcurrency = Math.max(...step.concurrency);
  for (const threads of step.threads) {
    const pool = await SearchPool.start({
      threads, index: parts, backend: plan.io, queries: queries.data, dim: queries.dim, k: step.k, maxL, maxWidth, maxConcurrency, results,
    });
    try {
      for (const [i, spec] of specs.entries()) {
        if (spec.threads !== threads) continue;
        const params = resolved[i]!;
        const run = { mode: spec.mode, params, concurrency: spec.concurrency, spin: step.spin };
        if (step.warmupQueries > 0) await pool.run({ ...run, count: Math.min(nq, step.warmupQueries) });
        const times = await runWithProgress(pool, spec, { ...run, count: nq }, log);
        const row = toRow(step, spec, summarize(results, truth, nq, step.k, spec, times.wallMs), times);
        rows.push(row);
        log.line(`  ${spec.mode} L=${spec.L} W=${spec.width} T=${threads} C=${spec.concurrency}: recall@${step.k} ${row.recall.toFixed(4)}, ` +
          `${row.qps.toFixed(0)} QPS, mean ${row.mean_us.toFixed(0)} µs, p99 ${row.p99_us.toFixed(0)} µs, ${row.reads.toFixed(1)} reads`);
      }
    } finally {
      await pool.close();
    }
  }
  return rows;
}

async function runWithProgress(pool: SearchPool, spec: RunSpec, run: PoolRun, log: RunLog): Promise<PoolTimes> {
  const progress = log.progress(`  ${spec.mode} L=${spec.L} W=${spec.width} T=${spec.threads} C=${spec.concurrency}`, run.count, { ttyOnly: true });
  const timer = setInterval(() => progress.update(pool.finished), 100);
  try {
    return await pool.run(run);
  } finally {
    clearInterval(timer);
  }
}

interface Summary {
  readonly recall: number;
  readonly recallByDistance: number | null;
  readonly collector: ReturnType<RunCollector["summarize"]>;
}

function summarize(results: SharedResults, truth: Truth, nq: number, k: number, spec: RunSpec, wallMs: number): Summary {
  const table = { nq, stride: k, ids: results.ids, dists: results.dists };
  const recall = recallAtK(table, truth, k);
  const recallByDistance = truth.dists ? recallAtKByDistance(table, truth, k) : null;
  const collector = new RunCollector(nq);
  const stats = new QueryStats();
  for (let q = 0; q < nq; q++) collector.add(statsFromRow(results.stats, q, stats));
  return { recall, recallByDistance, collector: collector.summarize({ mode: spec.mode, L: spec.L, width: spec.width, recall, wallMs }) };
}

function toRow(step: SearchStep, spec: RunSpec, s: Summary, times: PoolTimes): ResultRow {
  const c = s.collector;
  return {
    job: step.label, index: step.index, mode: spec.mode, L: spec.L, width: spec.width, threads: spec.threads, concurrency: spec.concurrency,
    k: step.k, queries: c.queries, recall: s.recall, recall_by_distance: s.recallByDistance, qps: c.qps, mean_us: c.meanUs, p50_us: c.p50Us,
    p95_us: c.p95Us, p99_us: c.p99Us, p999_us: c.p999Us, reads: c.reads, hops: c.hops, cache_hit: c.cacheHitRate, occupancy: c.occupancy,
    cpu_us: (times.cpuMs * 1000) / Math.max(1, c.queries), cpu_util: times.cpuMs / (spec.threads * c.wallMs),
    runq_util: times.runQueueMs / (spec.threads * c.wallMs), wall_s: c.wallMs / 1000,
  };
}
