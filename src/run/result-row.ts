// One measured configuration of a search or sweep job: the row of the table, of results.csv and
// of `--json`. Fields match `ringann search --json` plus the run's own dimensions (job, threads,
// concurrency, k, queries). Units are in the names (µs); ratios are 0..1.
import type { SearchMode } from "./config-schema.ts";

export interface ResultRow {
  job: string;
  index: string;
  mode: SearchMode;
  L: number;
  width: number;
  threads: number;
  concurrency: number;
  k: number;
  queries: number;
  recall: number;
  /** Recall where a result counts when its distance ≤ the k-th true distance (ties); null without distances. */
  recall_by_distance: number | null;
  qps: number;
  mean_us: number;
  p50_us: number;
  p95_us: number;
  p99_us: number;
  p999_us: number;
  /** Mean sector reads per query. */
  reads: number;
  hops: number;
  /** Share of node requests served by the cache. */
  cache_hit: number;
  /** Share of a query's time with at least one read in flight (mean over queries). */
  occupancy: number;
  /** Worker CPU time per query: the real CPU cost of a query. */
  cpu_us: number;
  /** Worker CPU time / (threads × wall time): near 1 when the Workers were CPU-bound. */
  cpu_util: number;
  /** Time the Workers were ready but waited for a CPU / (threads × wall time): other load on the machine. */
  runq_util: number;
  wall_s: number;
}

export const ROW_FIELDS: readonly (keyof ResultRow)[] = [
  "job", "index", "mode", "L", "width", "threads", "concurrency", "k", "queries", "recall", "recall_by_distance",
  "qps", "mean_us", "p50_us", "p95_us", "p99_us", "p999_us", "reads", "hops", "cache_hit", "occupancy", "cpu_us", "cpu_util", "runq_util", "wall_s",
];
