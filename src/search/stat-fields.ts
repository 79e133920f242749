// The per-query statistics, declared once. QueryStats (its fields), RunCollector (per-run means),
// the search Workers' shared-memory layout, and the result rows (table, results.json / .csv,
// `--json`) all derive from this list, so a stat added here reaches every one of them.
// `name` is the QueryStats field; `column` the result-row field holding its mean per query (units
// in the name: _us = microseconds); latencyUs is summarised as a distribution instead (mean_us,
// p50_us, ... in the row). Times are microseconds. A query's latency runs from begin() to the
// moment its answer is known; I/O wait is the time its driver spent blocked on the reader while the
// query had nothing to do; compute = latency − I/O wait.

export interface StatField {
  readonly name: string;
  readonly column: string;
  readonly unit: "count" | "us";
  readonly doc: string;
}

export const STAT_FIELDS = [
  { name: "reads", column: "reads", unit: "count", doc: "sector reads submitted (one per node not in the cache)" },
  { name: "cacheHits", column: "cache_hits", unit: "count", doc: "nodes served by the node cache (no read)" },
  { name: "hops", column: "hops", unit: "count", doc: "nodes expanded (exact distance + neighbours), read or cached" },
  {
    name: "rounds",
    column: "rounds",
    unit: "count",
    doc: "beam rounds (batches of up to W reads); 0 for pipelined search",
  },
  {
    name: "pqDistances",
    column: "pq_distances",
    unit: "count",
    doc: "PQ distances computed (one per newly seen neighbour)",
  },
  {
    name: "wastedReads",
    column: "wasted_reads",
    unit: "count",
    doc: "reads whose node had left the top L when they completed (never expanded)",
  },
  {
    name: "finalWidth",
    column: "final_width",
    unit: "count",
    doc: "pipe: the width reached by the adaptive rule (= W without it)",
  },
  { name: "latencyUs", column: "mean_us", unit: "us", doc: "from begin() to the moment the answer is known" },
  {
    name: "ioWaitUs",
    column: "io_wait_us",
    unit: "us",
    doc: "time the driver was blocked on the reader with nothing else to do",
  },
  { name: "cpuUs", column: "compute_us", unit: "us", doc: "latency − I/O wait: the query's time not blocked on reads" },
  { name: "pqTableUs", column: "pq_table_us", unit: "us", doc: "building the query's PQ distance table" },
  { name: "entryUs", column: "entry_us", unit: "us", doc: "searching the in-memory entry graph for seeds" },
  { name: "ioBusyUs", column: "io_busy_us", unit: "us", doc: "time with at least one of this query's reads in flight" },
  // Page search (search/page-machine.ts); 0 on an index searched node by node.
  {
    name: "pageNodes",
    column: "page_nodes",
    unit: "count",
    doc: "page search: other records of fetched sectors scored exactly",
  },
  {
    name: "pageHops",
    column: "page_hops",
    unit: "count",
    doc: "page search: nodes expanded from a sector read for another node",
  },
  {
    name: "ioCalls",
    column: "io_calls",
    unit: "count",
    doc: "io_uring_enter calls made for this query (a call shared by queries on one ring is split among them)",
  },
] as const satisfies readonly StatField[];

export type StatName = (typeof STAT_FIELDS)[number]["name"];
/** The result-row fields holding per-query means (latencyUs's mean_us among them). */
export type StatColumn = (typeof STAT_FIELDS)[number]["column"];

export const STAT_NAMES: readonly StatName[] = STAT_FIELDS.map((f) => f.name);
/** How many numbers one query's statistics take in a flat array (the Workers' shared layout). */
export const STAT_COUNT = STAT_FIELDS.length;
