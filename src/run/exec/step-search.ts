// Search and sweep steps: every combination of threads × mode × width × concurrency × L, each run
// over the same queries on a pool of Workers sharing one copy of the index parts. A row per run:
// recall against the ground truth, QPS over the wall time, latency percentiles, reads, hops...
// `ringann search` is a one-step plan of this same runner.
// Order "sequential" measures one combination after another (as a server would run it). Order
// "interleaved" runs, for each L, every mode × width on each query in turn (beam q0, pipe q0,
// beam q1, ...), so a noisy shared machine affects them alike; its QPS is over the summed time of
// that combination's searches, and the Workers' CPU time is shared out in proportion.
import { readManifest } from "../../data/manifest.ts";
import { recallAtK, recallAtKByDistance } from "../../data/recall.ts";
import { ConfigError, FormatError } from "../../errors.ts";
import { readSidecar, sidecarPath } from "../../format/index-sidecar.ts";
import { readTruth, type Truth } from "../../format/truth.ts";
import { allocElements, openVectorFile } from "../../format/vector-file.ts";
import type { Metric, VectorType, Vectors } from "../../format/vector-type.ts";
import type { SearchOptions } from "../../search/disk-index.ts";
import type { SubmitPolicy } from "../../search/driver.ts";
import { QueryStats, RunCollector, type RunFigures } from "../../search/stats.ts";
import type { SearchMode, WaitStrategy } from "../config/config-schema.ts";
import type { RunPlan, SearchStep } from "../config/plan.ts";
import { allocSharedResults, statsOffset, type RunCombo, type SharedResults } from "./pool-protocol.ts";
import { SearchPool, type PoolRun, type PoolTimes } from "./pool.ts";
import type { ResultRow } from "../report/result-row.ts";
import type { RunLog } from "../report/run-log.ts";
import { loadSharedIndex } from "./shared-index.ts";
import { availableCores } from "./os-thread.ts";
import { scaleThreadStats, sumWorkers, type RunThreadStats } from "./thread-stats.ts";
import { effectiveWait } from "./wait-strategy.ts";
import { filterFigures, loadRangeTruth, loadStepFilters, type FilterFigures } from "./step-filters.ts";
import type { SweepStrategy } from "../../search/filtered-sweep.ts";
import { pageLayoutOf } from "../../search/page-layout.ts";

interface SearchInputs {
  readonly queries: string;
  /** null: no recall (NaN in the rows). */
  readonly gt: string | null;
  /** Filtered steps: unfiltered truth for the strategy "none" (null: no recall for it). */
  readonly unfilteredGt: string | null;
  readonly metric: Metric | undefined;
  readonly type: VectorType | undefined;
}

interface RunSpec {
  readonly threads: number;
  readonly mode: SearchMode;
  readonly width: number;
  readonly concurrency: number;
  readonly L: number;
  /** Filtered search: the strategy (null: unfiltered search, or range search). */
  readonly strategy: SweepStrategy | null;
}

/**
 * Queries, ground truth, metric and type: from the step, else the dataset manifest; the index's
 * sidecar (written by ringann's builder) knows metric and type, DiskANN/PipeANN indexes have none.
 */
function searchInputs(step: SearchStep): SearchInputs {
  const manifest = step.dataset !== null ? readManifest(step.dataset) : null;
  const sidecar = readSidecar(step.index);
  if (sidecar !== null && step.expectType !== null && sidecar.type !== step.expectType) {
    throw new ConfigError(sidecarPath(step.index), [
      `${step.at}.content.source.data_type: expected the index's type "${sidecar.type}", found "${step.expectType}"`,
    ]);
  }
  // A filtered step's recall needs filtered truth: the manifest's (unfiltered) truth scores "none" only.
  const filtered = step.filters !== null;
  return {
    queries: step.queries ?? manifest!.queries,
    gt: filtered ? step.gt : (step.gt ?? manifest?.groundtruth ?? null),
    unfilteredGt: step.unfilteredGt ?? (filtered ? (manifest?.groundtruth ?? null) : null),
    metric: step.metric ?? manifest?.manifest.metric ?? (sidecar !== null ? undefined : "l2"),
    type: step.expectType ?? (sidecar !== null ? undefined : manifest?.manifest.type),
  };
}

/** Runs in the order they are measured: a pool per thread count, then mode, width, concurrency, L. */
function runSpecs(step: SearchStep): RunSpec[] {
  const specs: RunSpec[] = [];
  for (const threads of step.threads)
    for (const mode of step.modes)
      for (const width of step.widths) {
        for (const concurrency of step.concurrency)
          for (const L of step.Ls)
            for (const strategy of step.strategies.length > 0 ? step.strategies : [null])
              specs.push({ threads, mode, width, concurrency, L, strategy });
      }
  return specs;
}

/**
 * The runs measured together: one per spec in sequential order; in interleaved order, the specs
 * that differ only in mode and width (they run query by query in turn).
 */
function runGroups(step: SearchStep, specs: readonly RunSpec[]): number[][] {
  if (step.order === "sequential") return specs.map((_, i) => [i]);
  const groups = new Map<string, number[]>();
  specs.forEach((s, i) => {
    const key = `${s.threads}/${s.concurrency}/${s.L}`;
    groups.set(key, [...(groups.get(key) ?? []), i]);
  });
  return [...groups.values()];
}

function searchOptions(step: SearchStep, spec: RunSpec): SearchOptions {
  const entry = step.entry ?? (step.entryGraph ? null : "medoid");
  const pipe = spec.mode === "pipe";
  return {
    k: step.k,
    L: spec.L,
    mode: spec.mode,
    width: spec.width,
    ...(step.ioLimit !== null ? { readLimit: step.ioLimit } : {}),
    ...(step.adaptiveWidth !== null && pipe ? { adaptiveWidth: step.adaptiveWidth } : {}),
    ...(entry !== null ? { entry } : {}),
    ...(step.memL !== null ? { memL: step.memL } : {}),
    ...(step.pqWhileReading !== null && pipe ? { pqWhileReading: step.pqWhileReading } : {}),
    ...(step.rankWasted !== null && pipe ? { rankWasted: step.rankWasted } : {}),
    ...(step.pageExpand !== null ? { pageExpand: step.pageExpand } : {}),
  };
}

/** The first `limit` queries (all when null) in shared memory, for the Workers. */
function readQueries(path: string, type: VectorType | undefined, limit: number | null) {
  const file = openVectorFile(path, type !== undefined ? { type } : {});
  try {
    if (file.type === "int32") throw new FormatError(path, "type", "float32, uint8 or int8 queries", "int32");
    const npts = Math.min(file.npts, limit ?? file.npts);
    const data = allocElements(file.type, npts * file.dim, true) as Vectors;
    file.readRowsInto(0, npts, data);
    return { npts, dim: file.dim, data };
  } finally {
    file.close();
  }
}

export async function runSearchStep(step: SearchStep, plan: RunPlan, log: RunLog): Promise<ResultRow[]> {
  const inputs = searchInputs(step);
  const queries = readQueries(inputs.queries, inputs.type, step.maxQueries);
  const range = step.radius !== null;
  const special = range || step.filters !== null;
  // Range truth is DiskANN's range format, read below; k-NN truth here.
  const truth = inputs.gt !== null && !range ? readTruth(inputs.gt) : null;
  const plainTruth = inputs.unfilteredGt !== null ? readTruth(inputs.unfilteredGt) : null;
  if (truth !== null && truth.k < step.k)
    throw new FormatError(inputs.gt!, "K", `≥ k (${step.k}) neighbours per query`, String(truth.k));
  const nq = Math.min(queries.npts, truth?.nq ?? Infinity);
  const specs = runSpecs(step);
  const groups = runGroups(step, specs);
  const maxL = Math.max(...step.Ls, special ? step.growMaxL : 0);
  const maxWidth = Math.max(...step.widths);
  const { parts, resolved } = await loadSharedIndex(
    step.index,
    {
      ...(inputs.metric ? { metric: inputs.metric } : {}),
      ...(inputs.type ? { type: inputs.type } : {}),
      backend: plan.io,
      cacheNodes: step.cacheNodes,
      entryGraph: step.entryGraph,
      maxL,
      maxWidth,
      ...(step.cacheBytes !== null ? { cacheBytes: step.cacheBytes } : {}),
    },
    (index) => specs.map((spec) => index.resolve(searchOptions(step, spec))),
  );
  if (queries.dim !== parts.meta.dim)
    throw new FormatError(inputs.queries, "dim", `${parts.meta.dim} (the index's ndims)`, String(queries.dim));
  if (step.filters !== null && pageLayoutOf(step.index, parts.meta, undefined).nodeTags !== null) {
    throw new ConfigError(step.filters.at, [
      `${step.index}: filtered search on a page-layout index is not supported yet (build with --layout id)`,
    ]);
  }
  const filters = loadStepFilters(step, parts.meta.npts, nq);
  const rangeTruth = range && inputs.gt !== null ? loadRangeTruth(inputs.gt, nq, `${step.at}.gt`) : null;
  log.info(
    `  ${parts.meta.npts.toLocaleString("en-US")} × ${parts.meta.dim} ${parts.meta.type} ${parts.metric}, R=${parts.meta.R}; ` +
      `${nq} queries; ${(parts.sharedBytes / 2 ** 20).toFixed(1)} MiB shared by the Workers${parts.cache ? `, ${parts.cache.ids.length} cached nodes` : ""}` +
      `${parts.entryGraph ? ", entry graph" : ""}`,
  );

  const results = allocSharedResults(nq, step.k, Math.max(...groups.map((g) => g.length)), special);
  const rows: ResultRow[] = [];
  const maxConcurrency = Math.max(...step.concurrency);
  for (const threads of step.threads) {
    const pool = await SearchPool.start({
      threads,
      pin: step.pin,
      index: parts,
      backend: plan.io,
      queries: queries.data,
      dim: queries.dim,
      k: step.k,
      maxL,
      maxWidth,
      maxConcurrency,
      results,
      direct: step.direct,
      sqpoll: step.sqpoll,
      ...(step.pageSearch !== null ? { pageSearch: step.pageSearch } : {}),
      filters,
      rangeTruth,
    });
    const waitNote = effectiveWait(step.wait, threads, availableCores()).note;
    if (waitNote !== null) log.info(`  note: ${waitNote}`);
    if (step.pin && !pool.pinned)
      log.info(
        `  note: pin: the system refused to pin the ${threads} Worker${threads === 1 ? "" : "s"}; the kernel places them`,
      );
    try {
      for (const group of groups) {
        const first = specs[group[0]!]!;
        if (first.threads !== threads) continue;
        const combos: RunCombo[] = group.map((i) => ({
          mode: specs[i]!.mode,
          params: resolved[i]!,
          ...(specs[i]!.strategy !== null ? { strategy: specs[i]!.strategy! } : {}),
          ...(step.radius !== null ? { radius: step.radius } : {}),
          ...(special ? { growMaxL: step.growMaxL } : {}),
          ...(step.preMax !== null ? { preMax: step.preMax } : {}),
        }));
        const run = { combos, concurrency: first.concurrency, wait: step.wait };
        if (step.warmupQueries > 0) await warmUp(pool, { ...run, count: Math.min(nq, step.warmupQueries) });
        const times = await runWithProgress(
          pool,
          group.map((i) => specs[i]!),
          { ...run, count: nq },
          log,
        );
        for (const [c, i] of group.entries()) {
          const spec = specs[i]!;
          const t = spec.strategy === "none" ? plainTruth : truth;
          const extra = special ? filterFigures(results, c, nq, range, rangeTruth !== null) : null;
          const measured = measure(results, c, t, nq, step.k);
          const m = range ? { ...measured, recall: extra!.rangeRecall, recallByDistance: null } : measured;
          const row = toRow(step, spec, m, share(times, c, threads, group.length), pool.submit, extra);
          rows.push(row);
          log.line(
            `  ${label(spec)}: recall@${step.k} ${row.recall.toFixed(4)}, ` +
              `${row.qps.toFixed(0)} QPS, mean ${row.mean_us.toFixed(0)} µs, p99 ${row.p99_us.toFixed(0)} µs, ${row.reads.toFixed(1)} reads`,
          );
        }
      }
    } finally {
      await pool.close();
    }
  }
  return rows;
}

/** At most this many warm-up runs before a measured run. */
const MAX_WARMUPS = 4;
/** The JIT counts as quiet when its threads used less than this share of one core during a warm-up run. */
const JIT_QUIET = 0.02;

/**
 * Warm-up runs until the JIT compiler is quiet (or MAX_WARMUPS): a new pool's Workers compile their
 * search code again, and compiler threads still busy in the measured run take cores from the
 * Workers — a 2-thread run's tail would then measure the JIT (seen: 6–12% of a core in the first
 * run of a pool after 300 warm-up queries).
 */
async function warmUp(pool: SearchPool, run: PoolRun): Promise<void> {
  for (let i = 0; i < MAX_WARMUPS; i++) {
    const t = await pool.run(run);
    if (t.threads.jit.cpuNs < JIT_QUIET * t.wallMs * 1e6) return;
  }
}

function label(spec: RunSpec): string {
  const s = spec.strategy !== null ? ` ${spec.strategy}` : "";
  return `${spec.mode}${s} L=${spec.L} W=${spec.width} T=${spec.threads} C=${spec.concurrency}`;
}

/**
 * The main thread only sleeps while the Workers search (answers and statistics arrive in shared
 * memory): it wakes to redraw the bar on a terminal, and not at all otherwise.
 */
async function runWithProgress(
  pool: SearchPool,
  specs: readonly RunSpec[],
  run: PoolRun,
  log: RunLog,
): Promise<PoolTimes> {
  if (log.quiet || !process.stderr.isTTY) return pool.run(run);
  const name =
    specs.length === 1
      ? label(specs[0]!)
      : `${specs.map((s) => `${s.mode}/W=${s.width}`).join(" + ")} L=${specs[0]!.L}`;
  const progress = log.progress(`  ${name}`, run.count * specs.length, { ttyOnly: true });
  const timer = setInterval(() => progress.update(pool.finished), 250);
  try {
    return await pool.run(run);
  } finally {
    clearInterval(timer);
  }
}

interface RunTimes {
  /** The run's wall time: first start to last end; an interleaved combo's summed search time / threads. */
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly runQueueMs: number;
  /** Every thread's scheduler counters (an interleaved combo: its share). */
  readonly threads: RunThreadStats;
  readonly wait: WaitStrategy;
}

/** Combo c's times: the pool's own when it ran alone, else its share of an interleaved run. */
function share(times: PoolTimes, c: number, threads: number, combos: number): RunTimes {
  if (combos === 1) return times;
  const total = times.comboMs.reduce((a, b) => a + b, 0);
  const part = total > 0 ? times.comboMs[c]! / total : 1 / combos;
  return {
    wallMs: times.comboMs[c]! / threads,
    cpuMs: times.cpuMs * part,
    runQueueMs: times.runQueueMs * part,
    threads: scaleThreadStats(times.threads, part),
    wait: times.wait,
  };
}

interface Measured {
  readonly recall: number;
  readonly recallByDistance: number | null;
  readonly figures: RunFigures;
}

function measure(results: SharedResults, combo: number, truth: Truth | null, nq: number, k: number): Measured {
  const at = combo * results.capacity * k;
  const table = {
    nq,
    stride: k,
    ids: results.ids.subarray(at, at + nq * k),
    dists: results.dists.subarray(at, at + nq * k),
  };
  const recall = truth !== null ? recallAtK(table, truth, k) : Number.NaN;
  const recallByDistance = truth?.dists ? recallAtKByDistance(table, truth, k) : null;
  const collector = new RunCollector(nq);
  const stats = new QueryStats();
  for (let q = 0; q < nq; q++) collector.add(stats.readFrom(results.stats, statsOffset(results, combo, q)));
  return { recall, recallByDistance, figures: collector.summarize() };
}

function toRow(
  step: SearchStep,
  spec: RunSpec,
  m: Measured,
  times: RunTimes,
  submit: SubmitPolicy,
  x: FilterFigures | null,
): ResultRow {
  const f = m.figures;
  const wallMs = times.wallMs;
  const t = times.threads;
  const workers = sumWorkers(t);
  const wallNs = wallMs * 1e6;
  const queries = Math.max(1, f.queries);
  return {
    job: step.label,
    index: step.index,
    mode: spec.mode,
    L: spec.L,
    width: spec.width,
    threads: spec.threads,
    concurrency: spec.concurrency,
    wait: times.wait,
    submit,
    k: step.k,
    recall: m.recall,
    recall_by_distance: m.recallByDistance,
    qps: wallMs > 0 ? (f.queries * 1000) / wallMs : 0,
    ...f,
    io_calls_per_read: f.reads > 0 ? f.io_calls / f.reads : 0,
    cpu_us: (times.cpuMs * 1000) / Math.max(1, f.queries),
    cpu_util: times.cpuMs / (spec.threads * wallMs),
    runq_util: times.runQueueMs / (spec.threads * wallMs),
    wall_s: wallMs / 1000,
    runq_max_util: Math.max(0, ...t.workers.map((w) => w.runQueueNs)) / wallNs,
    vcs_per_query: workers.voluntary / queries,
    ivcs_per_query: workers.involuntary / queries,
    main_cpu_util: t.main.cpuNs / wallNs,
    jit_cpu_util: t.jit.cpuNs / wallNs,
    gc_cpu_util: t.gc.cpuNs / wallNs,
    other_cpu_util: t.other.cpuNs / wallNs,
    strategy: x === null ? null : (spec.strategy ?? (step.filters !== null ? "in" : "none")),
    chosen: x?.chosen ?? null,
    selectivity: x?.selectivity ?? null,
    effective_l: x?.effectiveL ?? null,
    found: x?.found ?? null,
    radius: step.radius,
    range_rounds: x?.rangeRounds ?? null,
  };
}
