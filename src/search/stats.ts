// Per-query statistics and their aggregation per (mode, L, width): the figures `ringann search`
// prints and the runs engineer's sweeps reuse (summarizeRun / RunCollector / toSearchRow).
// Times are microseconds. A query's latency runs from begin() to the moment its answer is known;
// I/O wait is the time its driver spent blocked on the reader while the query had nothing to do;
// CPU = latency − I/O wait. Occupancy is the share of the latency with ≥ 1 of its reads in flight.

export class QueryStats {
  /** Sector reads submitted (one per node not in the cache). */
  reads = 0;
  /** Nodes served by the node cache (no read). */
  cacheHits = 0;
  /** Nodes expanded (exact distance + neighbours), whether read or cached. */
  hops = 0;
  /** Beam rounds (batches of up to W reads); 0 for pipelined search. */
  rounds = 0;
  /** PQ distances computed (one per newly seen neighbour). */
  pqDistances = 0;
  /** Reads whose node had left the top L when they completed (never expanded). */
  wastedReads = 0;
  /** Pipelined search: the width reached by the adaptive rule (= W without it). */
  finalWidth = 0;
  latencyUs = 0;
  ioWaitUs = 0;
  cpuUs = 0;
  pqTableUs = 0;
  /** Time searching the in-memory entry graph for seeds. */
  entryUs = 0;
  /** Time with at least one of this query's reads in flight. */
  ioBusyUs = 0;
  /**
   * System calls (io_uring_enter) made for this query; when queries share a ring, each call is split
   * evenly among the queries running at that moment.
   */
  ioCalls = 0;

  reset(): void {
    this.ioCalls = 0;
    this.reads = 0;
    this.cacheHits = 0;
    this.hops = 0;
    this.rounds = 0;
    this.pqDistances = 0;
    this.wastedReads = 0;
    this.finalWidth = 0;
    this.latencyUs = 0;
    this.ioWaitUs = 0;
    this.cpuUs = 0;
    this.pqTableUs = 0;
    this.entryUs = 0;
    this.ioBusyUs = 0;
  }

  /** Share of the latency with ≥ 1 read in flight (0..1). */
  get occupancy(): number {
    return this.latencyUs > 0 ? Math.min(1, this.ioBusyUs / this.latencyUs) : 0;
  }

  copyFrom(o: QueryStats): this {
    this.reads = o.reads;
    this.cacheHits = o.cacheHits;
    this.hops = o.hops;
    this.rounds = o.rounds;
    this.pqDistances = o.pqDistances;
    this.wastedReads = o.wastedReads;
    this.finalWidth = o.finalWidth;
    this.latencyUs = o.latencyUs;
    this.ioWaitUs = o.ioWaitUs;
    this.cpuUs = o.cpuUs;
    this.pqTableUs = o.pqTableUs;
    this.entryUs = o.entryUs;
    this.ioBusyUs = o.ioBusyUs;
    this.ioCalls = o.ioCalls;
    return this;
  }

  clone(): QueryStats {
    return new QueryStats().copyFrom(this);
  }
}

/** One row of `ringann search --json` (fractions are 0..1). */
export interface SearchRow {
  mode: string;
  L: number;
  width: number;
  recall: number;
  qps: number;
  mean_us: number;
  p50_us: number;
  p99_us: number;
  p999_us: number;
  /** Mean sector reads per query. */
  reads: number;
  hops: number;
  /** Share of node requests served by the cache. */
  cache_hit: number;
  /** Share of a query's time with at least one read in flight (mean over queries). */
  occupancy: number;
  /** io_uring_enter system calls per sector read (absent in rows that predate the counter). */
  calls_per_read?: number;
}

/** Everything aggregated over one run of queries (a superset of SearchRow). */
export interface RunSummary {
  mode: string;
  L: number;
  width: number;
  queries: number;
  recall: number;
  qps: number;
  wallMs: number;
  meanUs: number;
  p50Us: number;
  p95Us: number;
  p99Us: number;
  p999Us: number;
  maxUs: number;
  reads: number;
  cacheHits: number;
  hops: number;
  rounds: number;
  pqDistances: number;
  wastedReads: number;
  cacheHitRate: number;
  occupancy: number;
  ioWaitUs: number;
  cpuUs: number;
  pqTableUs: number;
  entryUs: number;
  finalWidth: number;
  /** Mean system calls per query, and per read. */
  ioCalls: number;
  callsPerRead: number;
}

/** Collects per-query statistics of one run (arrays sized once for the query count). */
export class RunCollector {
  readonly latencyUs: Float64Array;
  count = 0;
  private reads = 0;
  private cacheHits = 0;
  private hops = 0;
  private rounds = 0;
  private pqDistances = 0;
  private wastedReads = 0;
  private occupancySum = 0;
  private ioWaitUs = 0;
  private cpuUs = 0;
  private pqTableUs = 0;
  private entryUs = 0;
  private finalWidth = 0;
  private ioCalls = 0;

  constructor(capacity: number) {
    this.latencyUs = new Float64Array(capacity);
  }

  add(s: QueryStats): void {
    if (this.count < this.latencyUs.length) this.latencyUs[this.count] = s.latencyUs;
    this.count++;
    this.reads += s.reads;
    this.cacheHits += s.cacheHits;
    this.hops += s.hops;
    this.rounds += s.rounds;
    this.pqDistances += s.pqDistances;
    this.wastedReads += s.wastedReads;
    this.occupancySum += s.occupancy;
    this.ioWaitUs += s.ioWaitUs;
    this.cpuUs += s.cpuUs;
    this.pqTableUs += s.pqTableUs;
    this.entryUs += s.entryUs;
    this.finalWidth += s.finalWidth;
    this.ioCalls += s.ioCalls;
  }

  /** wallMs: elapsed time of the whole run (QPS = queries / wall time). */
  summarize(meta: { mode: string; L: number; width: number; recall: number; wallMs: number }): RunSummary {
    const n = Math.max(1, this.count);
    const lat = this.latencyUs.slice(0, Math.min(this.count, this.latencyUs.length)).sort();
    let sum = 0;
    for (let i = 0; i < lat.length; i++) sum += lat[i]!;
    const visits = this.reads + this.cacheHits;
    return {
      mode: meta.mode,
      L: meta.L,
      width: meta.width,
      queries: this.count,
      recall: meta.recall,
      qps: meta.wallMs > 0 ? (this.count * 1000) / meta.wallMs : 0,
      wallMs: meta.wallMs,
      meanUs: lat.length > 0 ? sum / lat.length : 0,
      p50Us: percentile(lat, 0.5),
      p95Us: percentile(lat, 0.95),
      p99Us: percentile(lat, 0.99),
      p999Us: percentile(lat, 0.999),
      maxUs: lat.length > 0 ? lat[lat.length - 1]! : 0,
      reads: this.reads / n,
      cacheHits: this.cacheHits / n,
      hops: this.hops / n,
      rounds: this.rounds / n,
      pqDistances: this.pqDistances / n,
      wastedReads: this.wastedReads / n,
      cacheHitRate: visits > 0 ? this.cacheHits / visits : 0,
      occupancy: this.occupancySum / n,
      ioWaitUs: this.ioWaitUs / n,
      cpuUs: this.cpuUs / n,
      pqTableUs: this.pqTableUs / n,
      entryUs: this.entryUs / n,
      finalWidth: this.finalWidth / n,
      ioCalls: this.ioCalls / n,
      callsPerRead: this.reads > 0 ? this.ioCalls / this.reads : 0,
    };
  }
}

/** Nearest-rank percentile of an ascending array (0 when empty). */
export function percentile(sortedAsc: Float64Array, p: number): number {
  if (sortedAsc.length === 0) return 0;
  const rank = Math.ceil(p * sortedAsc.length);
  return sortedAsc[Math.min(sortedAsc.length - 1, Math.max(0, rank - 1))]!;
}

/** Aggregates a run in one call (for callers that keep their own QueryStats list). */
export function summarizeRun(
  stats: readonly QueryStats[],
  meta: { mode: string; L: number; width: number; recall: number; wallMs: number },
): RunSummary {
  const c = new RunCollector(stats.length);
  for (const s of stats) c.add(s);
  return c.summarize(meta);
}

export function toSearchRow(s: RunSummary): SearchRow {
  return {
    mode: s.mode,
    L: s.L,
    width: s.width,
    recall: s.recall,
    qps: s.qps,
    mean_us: s.meanUs,
    p50_us: s.p50Us,
    p99_us: s.p99Us,
    p999_us: s.p999Us,
    reads: s.reads,
    hops: s.hops,
    cache_hit: s.cacheHitRate,
    occupancy: s.occupancy,
    calls_per_read: s.callsPerRead,
  };
}
