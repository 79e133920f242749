// Per-query statistics (QueryStats, its fields declared once in stat-fields.ts) and their
// aggregation over one run of queries (RunCollector): the latency distribution and the per-query
// mean of every stat, named as the result rows name them (mean_us, p99_us, reads, io_wait_us, ...).
import { STAT_COUNT, STAT_FIELDS, STAT_NAMES, type StatColumn, type StatName } from "./stat-fields.ts";

/** The statistics of one query: one number per STAT_FIELDS entry (stat-fields.ts), all starting at 0. */
// The fields are declared by the schema, so the class and the list cannot drift apart.
export interface QueryStats extends Record<StatName, number> {}
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the constructor sets every field the interface names.
export class QueryStats {
  constructor() {
    // Same fields in the same order for every instance: one object shape, fast property access.
    resetStats(this);
  }

  reset(): void {
    resetStats(this);
  }

  /** Share of the latency with ≥ 1 read in flight (0..1). */
  get occupancy(): number {
    return this.latencyUs > 0 ? Math.min(1, this.ioBusyUs / this.latencyUs) : 0;
  }

  copyFrom(o: QueryStats): this {
    copyStats(this, o);
    return this;
  }

  clone(): QueryStats {
    return new QueryStats().copyFrom(this);
  }

  /** Writes the stats at `offset` of a flat array, in STAT_FIELDS order (allocation-free). */
  writeTo(out: Float64Array, offset: number): void {
    writeStats(this, out, offset);
  }

  /** Reads stats written by writeTo (e.g. by a search Worker, through shared memory). */
  readFrom(src: Float64Array, offset: number): this {
    readStats(this, src, offset);
    return this;
  }
}

// Once per query, so straight-line code generated from the schema at load time: a loop over the
// names with computed keys cost ~0.5 µs per query more (a side-by-side run, 13 fields). The names
// are the identifiers of STAT_FIELDS, checked here before they go into code.
for (const name of STAT_NAMES)
  if (!/^[a-zA-Z]\w*$/.test(name)) throw new Error(`stat name ${name} is not an identifier`);
type StatsRecord = Record<StatName, number>;
const resetStats = new Function("s", STAT_NAMES.map((n) => `s.${n} = 0;`).join("\n")) as (s: StatsRecord) => void;
const copyStats = new Function("s", "o", STAT_NAMES.map((n) => `s.${n} = o.${n};`).join("\n")) as (
  s: StatsRecord,
  o: StatsRecord,
) => void;
const writeStats = new Function("s", "out", "at", STAT_NAMES.map((n, i) => `out[at + ${i}] = s.${n};`).join("\n")) as (
  s: StatsRecord,
  out: Float64Array,
  at: number,
) => void;
const readStats = new Function("s", "src", "at", STAT_NAMES.map((n, i) => `s.${n} = src[at + ${i}];`).join("\n")) as (
  s: StatsRecord,
  src: Float64Array,
  at: number,
) => void;

/**
 * Everything aggregated over one run of queries, named as the result rows name it: the per-query
 * mean of every stat (STAT_FIELDS' columns, mean_us among them), the latency percentiles, the
 * cache hit share and the mean I/O occupancy.
 */
export type RunFigures = Record<StatColumn, number> & {
  queries: number;
  p50_us: number;
  p95_us: number;
  p99_us: number;
  p999_us: number;
  max_us: number;
  /** Share of node requests served by the cache (0..1). */
  cache_hit: number;
  /** Share of a query's time with at least one read in flight, mean over queries (0..1). */
  occupancy: number;
};

/** Collects per-query statistics of one run (arrays sized once for the query count). */
export class RunCollector {
  readonly latencyUs: Float64Array;
  count = 0;
  private readonly sums = new Float64Array(STAT_COUNT);
  private occupancySum = 0;

  constructor(capacity: number) {
    this.latencyUs = new Float64Array(capacity);
  }

  add(s: QueryStats): void {
    if (this.count < this.latencyUs.length) this.latencyUs[this.count] = s.latencyUs;
    this.count++;
    for (let i = 0; i < STAT_COUNT; i++) this.sums[i]! += s[STAT_NAMES[i]!];
    this.occupancySum += s.occupancy;
  }

  summarize(): RunFigures {
    const n = Math.max(1, this.count);
    const lat = this.latencyUs.slice(0, Math.min(this.count, this.latencyUs.length)).sort();
    const means = {} as Record<StatColumn, number>;
    STAT_FIELDS.forEach((f, i) => {
      means[f.column] = this.sums[i]! / n;
    });
    const visits = means.reads + means.cache_hits;
    return {
      ...means,
      queries: this.count,
      p50_us: percentile(lat, 0.5),
      p95_us: percentile(lat, 0.95),
      p99_us: percentile(lat, 0.99),
      p999_us: percentile(lat, 0.999),
      max_us: lat.length > 0 ? lat[lat.length - 1]! : 0,
      cache_hit: visits > 0 ? means.cache_hits / visits : 0,
      occupancy: this.occupancySum / n,
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
export function summarizeRun(stats: readonly QueryStats[]): RunFigures {
  const c = new RunCollector(stats.length);
  for (const s of stats) c.add(s);
  return c.summarize();
}
