// One search Worker's engine: its own ring (SectorReader) and per-query scratch (query machines),
// around the index parts every Worker shares (PQ codes, node cache, entry graph). A run pulls
// chunks of queries from the shared counter and writes answers and statistics into shared memory.
// Concurrency C > 1 interleaves C queries on this Worker's ring (SearchDriver.runInterleaved):
// each completion goes to the query that owns its slot, so one core keeps several reads in flight
// for several queries at once.
// Bench: bench/run-sweep.ts
import { nodeReadBytes } from "../../format/disk-index.ts";
import type { Vectors } from "../../format/vector-type.ts";
import { openSectorReader } from "../../io/open-reader.ts";
import { chooseSubmitPolicy, measureSubmitCost } from "../../io/submit-cost.ts";
import type { SectorReader } from "../../io/reader.ts";
import { distanceFor } from "../../math/distance.ts";
import { loadNativeKernelsSync } from "../../math/native-kernels.ts";
import { PqTable } from "../../math/pq-table.ts";
import { nativeQueryDistance, nativeQueryRows, nativeStridedRows } from "../../math/query-distance.ts";
import { nativeLibraryPath } from "../../io/native.ts";
import { createQueryMachine, pageLayoutOf } from "../../search/page-layout.ts";
import { NodeCache } from "../../search/cache.ts";
import { CachePositions } from "../../search/cache-positions.ts";
import { SearchDriver, type SubmitPolicy } from "../../search/driver.ts";
import { EntryGraph } from "../../search/entry-graph.ts";
import type { QueryMachine, SearchContext } from "../../search/machine.ts";
import { NodeSource } from "../../search/node-source.ts";
import type { SearchMode } from "../config/config-schema.ts";
import { makeYield } from "./os-thread.ts";
import { statsOffset, type InitMessage, type RunMessage, type SharedResults } from "./pool-protocol.ts";
import { FilteredRunner } from "./worker-filtered.ts";

/** Entry-graph list size limit; matches DiskIndex's default maxMemL, which resolved the params. */
export const MAX_MEM_L = 64;
const NO_RESULT = 0xffffffff;

interface DriverSet {
  readonly driver: SearchDriver;
  readonly machines: readonly QueryMachine[];
}

export class WorkerEngine {
  readonly reader: SectorReader;
  private readonly ctx: SearchContext;
  private readonly drivers = new Map<string, DriverSet>();
  /** When reads go to the kernel (measured when the Worker opens the index: io/submit-cost.ts). */
  readonly submitPolicy: SubmitPolicy;
  private readonly queries: Vectors;
  private readonly dim: number;
  private readonly k: number;
  private readonly results: SharedResults;
  /** sched_yield, for the "yield" wait (null off Linux: the wait spins). */
  private readonly yieldCpu = makeYield();
  /** Searches in the current run, over all combos (the last one recorded, by any Worker, wakes waitForRunEnd). */
  private runSearches = 0;
  private readonly pageSearch: boolean;
  /** Filtered and range runs (issue 12), made on the first such run. */
  private filtered: FilteredRunner | null = null;
  private readonly init: InitMessage;

  constructor(init: InitMessage) {
    this.init = init;
    const p = init.index;
    this.queries = init.queries;
    this.dim = init.dim;
    this.k = init.k;
    this.results = init.results;
    // Like DiskIndex: per interleaved query, `width` reads in flight plus as many held or abandoned.
    // SQPOLL stays off: its kernel thread spins on a core, and with as many busy Workers as cores it
    // starves them (PipeANN at 2 threads on 2 cores: p99 from ~3 ms to ~50 ms).
    this.reader = openSectorReader(p.diskFile, {
      slotBytes: nodeReadBytes(p.meta),
      slotCount: init.maxConcurrency * 2 * init.maxWidth,
      backend: init.backend,
      direct: init.direct ?? true,
      sqpoll: init.sqpoll ?? false,
    });
    // As DiskIndex.open: what one submission costs here chooses when reads go to the kernel.
    this.submitPolicy = chooseSubmitPolicy(init.sqpoll ? null : measureSubmitCost(this.reader, nodeReadBytes(p.meta)));
    // The cache's records and its id → position table are shared views: nothing npts-sized per Worker.
    const cache = p.cache
      ? new NodeCache(p.cache.ids, p.cache.bytes, p.cache.stride, new CachePositions(p.cache.positions))
      : null;
    // Native kernels as DiskIndex.open chooses them by default (RINGANN_KERNELS=ts: TypeScript).
    const kernels = loadNativeKernelsSync(nativeLibraryPath);
    const distance = nativeQueryDistance(kernels, p.metric, p.meta.type) ?? distanceFor(p.metric);
    const entryGraph = p.entryGraph
      ? new EntryGraph({ ...p.entryGraph, distance, queryRows: nativeQueryRows(kernels, p.metric, p.meta.type) })
      : null;
    // Page layout (docs/page-layout.md): original ids for the results, page machines when it has one.
    const page = pageLayoutOf(p.prefix, p.meta, init.pageSearch);
    this.pageSearch = page.search;
    this.ctx = {
      meta: p.meta,
      metric: p.metric,
      codes: p.codes,
      pq: new PqTable(p.pivots, p.metric, kernels),
      distance,
      sectorRows: page.search ? nativeStridedRows(kernels, p.metric, p.meta.type) : null,
      source: new NodeSource(this.reader, p.meta, cache),
      entryGraph,
      maxL: init.maxL,
      maxWidth: init.maxWidth,
      maxMemL: MAX_MEM_L,
      nodeTags: page.nodeTags,
      labelEdges: p.labelEdges,
    };
  }

  /** Machines and a driver for `mode` at concurrency C, made once and reused across runs. */
  private driverFor(mode: SearchMode, concurrency: number): DriverSet {
    const key = `${mode}/${concurrency}`;
    let set = this.drivers.get(key);
    if (set === undefined) {
      const machines: QueryMachine[] = [];
      for (let i = 0; i < concurrency; i++) machines.push(createQueryMachine(mode, this.ctx, i, this.pageSearch));
      set = { driver: new SearchDriver(this.ctx.source, machines, { submit: this.submitPolicy }), machines };
      this.drivers.set(key, set);
    }
    return set;
  }

  /**
   * Runs chunks of queries until the shared counter passes msg.count; returns how many ran here and,
   * per combo, the summed time of its searches. With several combos each query runs through every
   * combo in turn, abandoned reads drained (untimed) before each search, so a noisy machine affects
   * every combo alike and no combo's leftover reads slow another's query.
   */
  run(msg: RunMessage): { queries: number; comboMs: number[] } {
    if (msg.combos.some((c) => c.strategy !== undefined || c.radius !== undefined)) {
      this.runSearches = msg.count * msg.combos.length;
      this.filtered ??= new FilteredRunner(
        this.ctx,
        this.submitPolicy,
        {
          queries: this.queries,
          dim: this.dim,
          k: this.k,
          results: this.results,
          filters: this.init.filters ?? null,
          rangeTruth: this.init.rangeTruth ?? null,
        },
        () => this.countRecorded(),
      );
      return this.filtered.run(msg, msg.wait !== "block", msg.wait === "yield" ? this.yieldCpu : null);
    }
    const comboMs = msg.combos.map(() => 0);
    const counters = this.results.counters;
    const { queries, dim } = this;
    const sets = msg.combos.map((c) => this.driverFor(c.mode, msg.concurrency));
    for (const set of sets) {
      set.driver.spin = msg.wait !== "block";
      set.driver.idlePoll = msg.wait === "yield" ? this.yieldCpu : null;
    }
    this.runSearches = msg.count * msg.combos.length;
    let ran = 0;
    try {
      for (;;) {
        const start = Atomics.add(counters, 0, msg.chunk);
        if (start >= msg.count) break;
        const end = Math.min(msg.count, start + msg.chunk);
        if (sets.length > 1) {
          for (let q = start; q < end; q++) {
            for (let c = 0; c < sets.length; c++) {
              const { driver, machines } = sets[c]!;
              for (const set of sets) set.driver.drain();
              const t0 = performance.now();
              driver.run(machines[0]!, queries, q * dim, msg.combos[c]!.params);
              comboMs[c]! += performance.now() - t0;
              this.record(c, q, machines[0]!);
            }
          }
        } else if (msg.concurrency === 1) {
          const { driver, machines } = sets[0]!;
          const m = machines[0]!;
          const t0 = performance.now();
          for (let q = start; q < end; q++) {
            driver.run(m, queries, q * dim, msg.combos[0]!.params);
            this.record(0, q, m);
          }
          comboMs[0]! += performance.now() - t0;
        } else {
          const { driver, machines } = sets[0]!;
          const view = queries.subarray(start * dim, end * dim);
          const t0 = performance.now();
          driver.runInterleaved(machines, view, dim, end - start, msg.combos[0]!.params, (i, m) =>
            this.record(0, start + i, m),
          );
          comboMs[0]! += performance.now() - t0;
        }
        ran += end - start;
      }
    } finally {
      // Pipelined queries leave abandoned reads in flight: release them before the next run.
      for (const set of sets) set.driver.drain();
    }
    return { queries: ran, comboMs };
  }

  private record(combo: number, q: number, m: QueryMachine): void {
    const { ids, dists, stats, counters } = this.results;
    const k = this.k;
    const at = (combo * this.results.capacity + q) * k;
    const n = m.topK(k, ids, dists, at);
    for (let i = n; i < k; i++) {
      ids[at + i] = NO_RESULT;
      dists[at + i] = Infinity;
    }
    m.stats.writeTo(stats, statsOffset(this.results, combo, q));
    if (Atomics.add(counters, 1, 1) + 1 === this.runSearches) Atomics.notify(counters, 1);
  }

  /** One more search recorded (the filtered runner's answers are written by it). */
  private countRecorded(): void {
    const counters = this.results.counters;
    if (Atomics.add(counters, 1, 1) + 1 === this.runSearches) Atomics.notify(counters, 1);
  }

  /**
   * Sleeps (a futex wait: no CPU) until every Worker has recorded its last search of the run, or
   * `timeoutMs` passed (a Worker that failed never records it). Then this Worker's housekeeping
   * cannot compete with another Worker's last queries for a core.
   */
  waitForRunEnd(timeoutMs: number): void {
    const counters = this.results.counters;
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const done = Atomics.load(counters, 1);
      const left = deadline - performance.now();
      if (done >= this.runSearches || left <= 0) return;
      Atomics.wait(counters, 1, done, left);
    }
  }

  close(): void {
    this.reader.close();
  }
}
