// One named index as the server holds it on one thread: the DiskIndex (its own ring), the async
// query engine's limits, the optional dataset for the page, and what GET /v1/indexes says about it.
import { basename } from "node:path";
import { QueryRejectedError } from "../errors.ts";
import { DiskIndex } from "../search/disk-index.ts";
import { type IndexFiles, loadIndexFiles, shareIndexFiles } from "../search/index-files.ts";
import type { Vectors } from "../format/vector-type.ts";
import type { AsyncQueryOptions, AsyncSearchResult } from "../search/async-index.ts";
import type { QueryStats } from "../search/stats.ts";
import { DatasetView } from "./dataset-view.ts";
import { HttpError } from "./http-error.ts";
import type { ServeMetrics } from "./metrics.ts";
import { RingPool } from "./ring-pool.ts";
import { ServedFilters } from "./served-filters.ts";
import type { SearchRequest } from "./search-request.ts";
import type { IndexServeConfig } from "./serve-config.ts";

const NO_EXTRA_STATS: Readonly<Record<string, unknown>> = {};

/** What runs a served index's k-NN queries: its own ring's scheduler, or a pool of search Workers. */
export interface QueryEngine {
  query(vector: Vectors, opts: AsyncQueryOptions, offset: number): Promise<AsyncSearchResult>;
  readonly queued: number;
  readonly running: number;
  /** Refuses new queries; resolves when the running and queued ones have finished. */
  drain(): Promise<void>;
}

export class ServedIndex {
  readonly config: IndexServeConfig;
  readonly index: DiskIndex;
  readonly dataset: DatasetView | null;
  /** Runs the k-NN queries (filtered and range ones run on `index` on this thread). */
  readonly engine: QueryEngine;
  /** Filtered and range queries (a second ring and the labels), opened by the first such request. */
  private filters: ServedFilters | null = null;

  private constructor(config: IndexServeConfig, index: DiskIndex, dataset: DatasetView | null, engine: QueryEngine) {
    this.config = config;
    this.index = index;
    this.dataset = dataset;
    this.engine = engine;
  }

  /**
   * Opens the index on this thread. `searchWorkers` > 0: its k-NN queries run on that many search
   * Workers (each its own ring, fed through shared memory: ring-pool.ts); 0: on this thread's ring.
   */
  static async open(
    config: IndexServeConfig,
    sliceMs?: number,
    searchWorkers = 0,
    sharedFiles?: IndexFiles,
  ): Promise<ServedIndex> {
    // With search Workers, this thread and every Worker hold one copy of the PQ codes between them.
    const files = sharedFiles ?? (searchWorkers > 0 ? loadSharedIndexFiles(config) : undefined);
    const index = await openServedDiskIndex(config, files);
    if (sliceMs !== undefined) index.scheduler.sliceMs = sliceMs;
    let pool: RingPool | null = null;
    try {
      const dataset =
        config.dataset === null ? null : DatasetView.open(config.dataset, index.dim, `indexes.${config.name}.dataset`);
      if (searchWorkers > 0 && files !== undefined) pool = await RingPool.open(config, searchWorkers, index, files);
      return new ServedIndex(config, index, dataset, pool ?? index.scheduler);
    } catch (err) {
      index.close();
      throw err;
    }
  }

  get name(): string {
    return this.config.name;
  }

  get dim(): number {
    return this.index.dim;
  }

  /** What GET /v1/indexes says (no file system paths: the index's file name only). */
  describe(): Record<string, unknown> {
    const m = this.index.meta;
    const d = this.dataset;
    return {
      name: this.name,
      file: basename(this.config.prefix),
      npts: m.npts,
      dim: m.dim,
      type: m.type,
      metric: this.index.metric,
      R: m.R,
      pq_bytes: this.index.context.pq.M,
      cache_nodes: this.index.cache?.count ?? 0,
      entry_graph: this.index.entryGraph !== null,
      concurrency: this.config.concurrency,
      max_queued: this.config.maxQueued,
      defaults: this.config.defaults,
      limits: {
        max_k: this.config.limits.maxK,
        max_L: this.config.limits.maxL,
        max_width: this.config.limits.maxWidth,
        max_batch: this.config.limits.maxBatch,
        deadline_ms: this.config.limits.deadlineMs,
      },
      dataset: d === null ? null : { name: d.name, kind: d.kind, queries: d.queryCount },
    };
  }

  /** Runs every vector of the request on this thread's ring; the JSON answer or an HttpError. */
  async search(req: SearchRequest, metrics: ServeMetrics): Promise<Record<string, unknown>> {
    if (req.filter !== null || req.radius !== null) return this.searchFiltered(req, metrics);
    const dim = this.dim;
    const opts = { k: req.k, L: req.L, mode: req.mode, width: req.width, deadlineMs: req.deadlineMs };
    const results: Record<string, unknown>[] = [];
    if (req.count === 1) {
      // One vector (the common request): no promise array to settle.
      let r: AsyncSearchResult;
      try {
        r = await this.engine.query(req.vectors, opts, 0);
      } catch (err) {
        throw this.httpError(err, "vector");
      }
      results.push(this.row(r, r.queuedUs, req, metrics));
    } else {
      const pending: Promise<AsyncSearchResult>[] = [];
      for (let i = 0; i < req.count; i++) pending.push(this.engine.query(req.vectors, opts, i * dim));
      const settled = await Promise.allSettled(pending);
      for (let i = 0; i < settled.length; i++) {
        const s = settled[i]!;
        if (s.status === "rejected") throw this.httpError(s.reason, `vectors[${i}]`);
        results.push(this.row(s.value, s.value.queuedUs, req, metrics));
      }
    }
    return {
      index: this.name,
      dim,
      metric: this.index.metric,
      k: req.k,
      L: req.L,
      mode: req.mode,
      width: req.width,
      results,
    };
  }

  /**
   * One query's answer as the JSON row; counts it in the metrics. `extraStats` (filtered and range
   * queries: the strategy that ran) joins the row's stats.
   */
  private row(
    r: { ids: Uint32Array; distances: Float32Array; stats: QueryStats },
    queuedUs: number,
    req: SearchRequest,
    metrics: ServeMetrics,
    extraStats: Readonly<Record<string, unknown>> = NO_EXTRA_STATS,
  ): Record<string, unknown> {
    const st = r.stats;
    metrics.query(st.reads, st.hops, st.occupancy, st.latencyUs);
    const row: Record<string, unknown> = {
      ids: Array.from(r.ids),
      distances: Array.from(r.distances),
      stats: {
        latency_us: round(st.latencyUs),
        queued_us: round(queuedUs),
        reads: st.reads,
        hops: st.hops,
        cache_hits: st.cacheHits,
        io_occupancy: Math.round(st.occupancy * 1000) / 1000,
        wasted_reads: st.wastedReads,
        io_wait_us: round(st.ioWaitUs),
        ...extraStats,
      },
    };
    if (req.include.length > 0 && this.dataset !== null) {
      if (req.include.includes("vectors")) row.vectors = this.dataset.baseVectors(r.ids);
      if (req.include.includes("words")) row.words = this.dataset.baseWordsOf(r.ids);
    }
    return row;
  }

  /**
   * Filtered and range queries (served-filters.ts): each runs to its answer on this thread, the event
   * loop turning between the vectors of a batch. Per-query stats add the strategy that ran.
   */
  private async searchFiltered(req: SearchRequest, metrics: ServeMetrics): Promise<Record<string, unknown>> {
    this.filters ??= new ServedFilters(this.index);
    const f = this.filters;
    const m = f.match(req);
    const results: Record<string, unknown>[] = [];
    for (let i = 0; i < req.count; i++) {
      if (i > 0) await new Promise((resolve) => setImmediate(resolve));
      let r: ReturnType<ServedFilters["search"]>;
      try {
        r = f.search(req, m, i);
      } catch (err) {
        throw this.httpError(err, req.count > 1 ? `vectors[${i}]` : "vector");
      }
      results.push(
        this.row(r, 0, req, metrics, {
          strategy: r.strategy,
          selectivity: r.selectivity,
          effective_L: r.effectiveL,
          ...(r.rounds !== null ? { rounds: r.rounds } : {}),
        }),
      );
    }
    return {
      index: this.name,
      dim: this.dim,
      metric: this.index.metric,
      k: req.k,
      L: req.L,
      mode: req.radius !== null ? "range" : req.mode,
      width: req.width,
      ...(req.radius !== null ? { radius: req.radius } : {}),
      ...(req.filter !== null ? { filter: req.filter, strategy: req.strategy } : {}),
      results,
    };
  }

  /** A query's failure as the HTTP answer; the index is named as in URLs, never by its path on this machine. */
  private httpError(err: unknown, path: string): HttpError {
    const e = asHttpError(err, path);
    if (!e.message.includes(this.config.prefix)) return e;
    return new HttpError(e.status, e.code, e.message.replaceAll(this.config.prefix, this.name), e.path, e.headers);
  }

  /** Stops taking queries, lets the running and queued ones finish, closes the files. */
  async drainAndClose(): Promise<void> {
    await this.engine.drain();
    this.filters?.close();
    this.index.close();
    this.dataset?.close();
  }
}

/** The index's in-memory parts, the PQ codes in shared memory: threads given them hold one copy. */
export function loadSharedIndexFiles(config: IndexServeConfig): IndexFiles {
  return shareIndexFiles(
    loadIndexFiles(config.prefix, {
      ...(config.metric ? { metric: config.metric } : {}),
      ...(config.type ? { type: config.type } : {}),
    }),
  );
}

/** An index with the options a serving thread (or search Worker) gives it. */
export async function openServedDiskIndex(config: IndexServeConfig, files?: IndexFiles): Promise<DiskIndex> {
  const index = await DiskIndex.open(config.prefix, {
    ...(files !== undefined ? { files } : {}),
    ...(config.metric ? { metric: config.metric } : {}),
    ...(config.type ? { type: config.type } : {}),
    concurrency: config.concurrency,
    cacheNodes: config.cacheNodes,
    maxL: Math.max(config.limits.maxL, config.defaults.L),
    maxWidth: Math.max(config.limits.maxWidth, config.defaults.width),
  });
  index.scheduler.maxQueued = config.maxQueued;
  return index;
}

function round(us: number): number {
  return Math.round(us * 10) / 10;
}

function asHttpError(err: unknown, path: string): HttpError {
  if (err instanceof HttpError) return err;
  if (err instanceof QueryRejectedError) {
    if (err.reason === "queue-full")
      return new HttpError(429, err.code, `${err.message}; retry shortly`, path, { "Retry-After": "1" });
    if (err.reason === "deadline") return new HttpError(504, err.code, err.message, path);
    return new HttpError(503, err.code, err.message, path, { "Retry-After": "1" });
  }
  const e = err instanceof Error ? err : new Error(String(err));
  return new HttpError(500, (e as { code?: string }).code ?? "E_INTERNAL", `Cannot search: ${e.message}`, path);
}
